import logging

from django.http import HttpResponse
from django.template.loader import render_to_string

from cellule.journal.exceptions import JournalUnavailable

logger = logging.getLogger("cellule.journal")

# Served when even base.html cannot be rendered: the page must not depend on what is failing.
FALLBACK_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Service momentanément indisponible — Cellule</title></head>
<body><main>
<h1>Service momentanément indisponible</h1>
<p>Le journal des accès ne peut pas être écrit pour le moment. Par sécurité, rien n'a été affiché
ni enregistré. Réessayez dans quelques minutes ; si le problème persiste, prévenez
l'administrateur technique.</p>
</main></body></html>
"""


class JournalUnavailableMiddleware:
    """Turns JournalUnavailable raised by a view into a 503: the request fails closed.

    It also makes the request known to record(), for the events' IP and request id.

    process_exception only sees exceptions from views (and template responses); another
    middleware that journals must let JournalUnavailable reach a view or handle it itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from cellule.journal.recording import current_request

        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)

    def process_exception(self, request, exception):
        if not isinstance(exception, JournalUnavailable):
            return None
        return unavailable_response(request)


def unavailable_response(request) -> HttpResponse:
    try:
        content = render_to_string("journal/unavailable.html", request=request)
    except Exception:  # the page must be served whatever else is broken
        logger.exception("Page « journal indisponible » : rendu impossible, page de secours.")
        content = FALLBACK_PAGE
    response = HttpResponse(content, status=503)
    response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response
