"""The server-error page: a database that does not answer is a French 503, not a 500.

Django calls ``handler500`` for any exception left unhandled, in a view or in a middleware
(sessions, authentication…), with the exception still in ``sys.exc_info()``. The pages are
rendered without the request's context processors, which query the database that is failing.
"""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger("cellule.errors")

# The errors of a database that is down, unreachable or restarting (not a bug in a query).
UNAVAILABLE = (OperationalError, InterfaceError)

FALLBACK = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Service momentanément indisponible — Cellule</title></head>
<body><main><h1>Service momentanément indisponible</h1>
<p>La base de données ne répond pas. Rien n'a été enregistré. Réessayez dans quelques minutes ;
si le problème persiste, prévenez l'administrateur technique.</p></main></body></html>
"""


def database_unavailable(exception: BaseException | None) -> bool:
    while exception is not None:
        if isinstance(exception, UNAVAILABLE):
            return True
        if isinstance(exception, DatabaseError):
            return False
        exception = exception.__cause__ or exception.__context__
    return False


def server_error(request, template_name="500.html"):
    if database_unavailable(sys.exc_info()[1]):
        try:
            content = loader.get_template("503.html").render()
        except Exception:  # whatever else is broken, the user gets a French answer
            logger.exception("Page 503 : rendu impossible, page de secours.")
            content = FALLBACK
        response = HttpResponse(content, status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(loader.get_template(template_name).render())
