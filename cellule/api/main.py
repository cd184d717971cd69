"""The REST API under /api/v1/ (django-ninja): one router per resource, all scoped through access/.

Authentication: ``Authorization: Bearer <jeton>`` on every operation (``auth.BearerToken``);
rate limit per token. The OpenAPI schema (/api/v1/openapi.json) is public: it describes the
contract, no data. The interactive documentation (/api/v1/docs) is a page of Cellule, for
logged-in users with their second factor, like every other page.
"""

from django.contrib.auth.decorators import login_not_required
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from cellule.api import seances, signalements, situations, stats, transmissions
from cellule.api.auth import BearerToken, TokenRateThrottle
from cellule.api.errors import install_handlers

DESCRIPTION = """API de Cellule : déposer un signalement depuis le logiciel d'un établissement
ou d'un service, lire les situations suivies et leurs mesures, les séances (ordre du jour
masqué selon le lecteur), les transmissions entre la commune et l'État (accuser réception,
donner le retour d'information) et les statistiques anonymes.

Chaque requête porte un jeton d'API (`Authorization: Bearer <jeton>`), créé dans « Mon profil »
ou par l'exploitant (`manage.py create_api_token`). Le jeton agit avec exactement les droits de
son titulaire : ce qu'il ne voit pas dans Cellule, il ne le voit pas par l'API. Chaque lecture
est inscrite au journal des accès.

Erreurs : `{"detail": "…", "code": "…", "errors": [{"field": "…", "message": "…"}]}`.
Documentation : docs/api.md."""


class FrenchJSONRenderer(JSONRenderer):
    """UTF-8 JSON with accents as they are (« é », not « \\u00e9 »)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="API Cellule",
    version="1",
    description=DESCRIPTION,
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
    auth=BearerToken(),
    throttle=[TokenRateThrottle()],
    renderer=FrenchJSONRenderer(),
)
install_handlers(api)
api.add_router("/", signalements.router)
api.add_router("/", situations.router)
api.add_router("/", seances.router)
api.add_router("/", transmissions.router)
api.add_router("/", stats.router)


def urls():
    """The API's URL patterns; every one but the docs page is exempt from the login page
    (the token authenticates, or the schema is public)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if pattern.name != "openapi-view":
            login_not_required(pattern.callback)
    return patterns, app_name, namespace
