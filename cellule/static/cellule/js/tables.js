// Wide tables scroll sideways inside their DSFR container: a keyboard user must be able to reach
// and scroll that region too (RGAA 7.3, axe « scrollable-region-focusable »). Only the containers
// that do scroll become focusable, named after their table's caption.
(function () {
  "use strict";

  function label(container) {
    var caption = container.querySelector("caption");
    return caption ? caption.textContent.trim() : "Tableau";
  }

  function update() {
    document.querySelectorAll(".fr-table__container, .fr-table__wrapper").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", label(box) + " (défilement horizontal)");
        box.dataset.celluleScrollable = "1";
      } else if (!scrolls && box.dataset.celluleScrollable) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.celluleScrollable;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("resize", update);
  document.body && document.body.addEventListener("htmx:afterSettle", update);
})();
