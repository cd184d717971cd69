// The session and the forms of a logged-in page.
// - Warns two minutes before the idle logout; « Rester connecté » tells the server the user is here.
// - A form is sent once: a second click while it is being sent does nothing, and each form carries
//   a token kept in the page's history entry, so that the server recognises the same form sent
//   again after the back button (cellule/accounts/submissions.py).
// - Nothing typed is lost when the session has expired: near or past the idle limit, before
//   sending, the page asks the server whether the session is still open; if not, the form stays as
//   it is and the page says how to log in again (in another tab) and then send it. Nothing typed
//   is ever stored in the browser.
(function () {
  "use strict";
  var box = document.getElementById("cellule-session-warning");
  if (!box) { return; }
  var expired = document.getElementById("cellule-session-expired");
  var sendFailed = document.getElementById("cellule-send-failed");
  var idle = parseInt(box.dataset.idleSeconds, 10) * 1000;
  var warnBefore = 120 * 1000;
  var button = box.querySelector("button");
  var warnTimer, endTimer;
  var typed = false;  // something was typed in a form of the page and not sent yet
  var lastContact = Date.now();  // the page's last exchange with the server (its session alive)
  var MARGIN = 60 * 1000;
  var TOKEN = "_envoi";
  var STATE = "celluleEnvois";

  function arm() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    box.hidden = true;
    warnTimer = setTimeout(function () { box.hidden = false; button.focus(); }, Math.max(idle - warnBefore, 0));
    // After the limit the server has ended the session: reloading shows the login page — unless
    // that would throw away what was typed.
    endTimer = setTimeout(function () {
      if (typed) { show(expired); } else { window.location.reload(); }
    }, idle + 5000);
  }

  function show(alert) {
    box.hidden = true;
    expired.hidden = alert !== expired;
    sendFailed.hidden = alert !== sendFailed;
    if (alert) { alert.focus(); }
  }

  button.addEventListener("click", function () {
    fetch(box.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": box.dataset.csrfToken }
    }).then(function (response) {
      if (response.ok) { lastContact = Date.now(); arm(); } else { window.location.reload(); }
    });
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) { lastContact = Date.now(); arm(); }
  });

  // Not the htmx forms (they say themselves when a save failed), nor the logout.
  function guarded(form) {
    return form.method === "post" && !form.hasAttribute("hx-post") &&
      !form.hasAttribute("data-cellule-direct");
  }

  function uuid() {
    if (window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function forms() {
    return Array.prototype.filter.call(document.querySelectorAll("form"), guarded);
  }

  // One token per form, drawn once per history entry (kept in history.state across the back
  // button and reloads; a new visit of the page is a new entry, with new tokens).
  function stamp() {
    var state = history.state && typeof history.state === "object" ? history.state : {};
    var tokens = Array.isArray(state[STATE]) ? state[STATE].slice() : [];
    forms().forEach(function (form, index) {
      if (!tokens[index]) { tokens[index] = uuid(); }
      var input = form.querySelector("input[name=" + TOKEN + "]");
      if (!input) {
        input = document.createElement("input");
        input.type = "hidden";
        input.name = TOKEN;
        form.appendChild(input);
      }
      input.value = tokens[index];
    });
    var next = {};
    Object.keys(state).forEach(function (key) { next[key] = state[key]; });
    next[STATE] = tokens;
    history.replaceState(next, "");
  }

  document.addEventListener("input", function (event) {
    var form = event.target.form || (event.target.closest && event.target.closest("form"));
    if (form && guarded(form)) { typed = true; }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!guarded(form)) { return; }
    if (form.dataset.celluleChecked) {  // asked the server just before: let the browser send it
      delete form.dataset.celluleChecked;
      return;
    }
    if (form.dataset.celluleSending) {  // a second click while it is being sent
      event.preventDefault();
      return;
    }
    form.dataset.celluleSending = "1";
    // The page stays while the answer comes (a download does not leave it): after a while, the
    // form may be sent again (the server still recognises the same one).
    setTimeout(function () { delete form.dataset.celluleSending; }, 15000);
    if (Date.now() - lastContact < idle - MARGIN) {
      typed = false;
      return;  // the session is surely open: the browser sends the form at once
    }
    // Near or past the idle limit (other tabs may have kept the session open): ask first.
    event.preventDefault();
    var submitter = event.submitter;
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var json = (response.headers.get("content-type") || "").indexOf("application/json") === 0;
        return response.ok && json ? response.json() : { active: false };
      })
      .then(function (state) {
        if (!state.active) {
          delete form.dataset.celluleSending;
          show(expired);
          return;
        }
        show(null);
        arm();
        // A login in another tab renewed the CSRF token: the form sends the current one.
        form.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
          input.value = state.csrf;
        });
        typed = false;
        lastContact = Date.now();
        form.dataset.celluleChecked = "1";
        if (submitter && submitter.form === form) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
      }, function () {
        delete form.dataset.celluleSending;
        show(sendFailed);
      });
  });

  // Back to this page from the browser's cache: it may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      forms().forEach(function (form) { delete form.dataset.celluleSending; });
    }
  });

  stamp();
  arm();
})();
