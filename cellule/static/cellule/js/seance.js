// Séances: the room's htmx forms say when a save failed, keep what was typed, and warn before
// leaving the page with an unsaved decision. Nothing typed is ever stored in the browser.
(function () {
  "use strict";
  var FAILED = "Non enregistré : la connexion au serveur a échoué. Votre saisie est conservée ; " +
    "vérifiez la connexion puis réessayez.";
  var REFUSED = "Non enregistré : le serveur a refusé la demande. Votre saisie est conservée ; " +
    "rechargez la page pour voir l'état à jour.";
  var dirty = new Set();

  function formOf(element) {
    if (!element) { return null; }
    return element.closest("form[data-cellule-save]");
  }

  function say(form, text, failed) {
    var status = form && form.querySelector(".cellule-save-status");
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("cellule-save-status--error", Boolean(failed));
    status.setAttribute("role", failed ? "alert" : "status");
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-cellule-draft]");
    if (form) { dirty.add(form.id || form.getAttribute("hx-post")); }
  });

  // The form's own request: a save. Its fields' requests (a decision's fields refreshed when its
  // kind changes) are no save: they neither say « Enregistrement… » nor clear a failure.
  function saving(element) {
    var form = formOf(element);
    return form === element ? form : null;
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    say(saving(event.detail.elt), "Enregistrement…", false);
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var form = saving(event.detail.elt);
    if (!event.detail.successful || !form) { return; }
    say(form, "", false);  // a form still on the page after a save: nothing pending
    var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
    if (verb === "post" && form.hasAttribute("data-cellule-draft")) {
      dirty.delete(form.id || form.getAttribute("hx-post"));
    }
  });

  function failed(message) {
    return function (event) {
      say(formOf(event.detail.elt), message, true);
    };
  }
  document.body.addEventListener("htmx:sendError", failed(FAILED));
  document.body.addEventListener("htmx:timeout", failed(FAILED));
  // A refusal the server explains (409: another tab or person was quicker; 422: a choice to make)
  // is shown in its words; any other, in general terms.
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var plain = xhr && /^text\/plain/.test(xhr.getResponseHeader("Content-Type") || "");
    var explained = xhr && (xhr.status === 409 || xhr.status === 422) && plain && xhr.responseText;
    say(formOf(event.detail.elt), explained ? xhr.responseText : REFUSED, true);
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
