// Warns two minutes before the idle logout; « Rester connecté » tells the server the user is here.
(function () {
  "use strict";
  var box = document.getElementById("cellule-session-warning");
  if (!box) { return; }
  var idle = parseInt(box.dataset.idleSeconds, 10) * 1000;
  var warnBefore = 120 * 1000;
  var button = box.querySelector("button");
  var warnTimer, endTimer;

  function arm() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    box.hidden = true;
    warnTimer = setTimeout(function () { box.hidden = false; button.focus(); }, Math.max(idle - warnBefore, 0));
    // After the limit the server has ended the session: reloading shows the login page.
    endTimer = setTimeout(function () { window.location.reload(); }, idle + 5000);
  }

  button.addEventListener("click", function () {
    fetch(box.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": box.dataset.csrfToken }
    }).then(function (response) {
      if (response.ok) { arm(); } else { window.location.reload(); }
    });
  });
  arm();
})();
