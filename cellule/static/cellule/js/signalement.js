// Ticking an imminent-danger indicator shows at once that emergencies go to 17 / 112.
(function () {
  "use strict";
  var alertBox = document.getElementById("imminent-danger-alert");
  var group = document.querySelector("[data-imminent]");
  if (!alertBox || !group) { return; }
  function refresh() {
    var ticked = group.querySelectorAll("input[type=checkbox]:checked").length > 0;
    alertBox.hidden = !ticked;
  }
  group.addEventListener("change", refresh);
  refresh();
})();
