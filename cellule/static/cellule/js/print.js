// « Imprimer » buttons of the printable pages (notices, register): no inline handler (CSP).
document.querySelectorAll("[data-cellule-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
