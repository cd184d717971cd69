"""One JSON error shape for every API failure, in French.

    {"detail": "Phrase en français.", "code": "not_found", "errors": [{"field": …, "message": …}]}

``detail`` is for a person, ``code`` for a program (stable, in English like every identifier),
``errors`` lists the rejected fields (empty when none): ``field`` is where the value was,
``body.person.last_name``, ``query.page``… Handlers are installed on the NinjaAPI by
``install_handlers``; views raise Django's exceptions (Http404, PermissionDenied,
ValidationError) exactly as the pages do.
"""

import logging
import math

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from cellule.journal.exceptions import JournalUnavailable

logger = logging.getLogger("cellule.api")


class FieldError(Schema):
    field: str
    message: str


class Error(Schema):
    detail: str
    code: str
    errors: list[FieldError] = []


# Statuses every operation may answer with this shape (422 is not in ninja's codes_4xx; 400 is
# a body that is not JSON).
ERROR_STATUSES = frozenset({400, 401, 403, 404, 422, 429, 503})


class ApiAuthenticationError(AuthenticationError):
    """A presented token that does not authenticate, with the reason (French) and its code."""

    def __init__(self, code: str, detail: str):
        super().__init__(401, detail)
        self.code = code
        self.detail = detail


class ApiValidationError(DjangoValidationError):
    """Field errors already named as the API names them (``[{"field", "message"}]``)."""

    def __init__(self, errors: list[dict]):
        super().__init__(INVALID)
        self.api_errors = errors


class ApiForbidden(PermissionDenied):
    """A refusal with its own code (e.g. an unsigned charter)."""

    def __init__(self, detail: str, *, code: str = "forbidden"):
        super().__init__(detail)
        self.code = code


class ApiRateLimited(Throttled):
    """Too many failed authentications from one address (the per-token limit is ninja's)."""


AUTHENTICATION_REQUIRED = (
    "Authentification requise : envoyez un jeton d'API dans l'en-tête "
    "« Authorization: Bearer <jeton> »."
)
NOT_FOUND = "Ressource introuvable, ou hors de votre périmètre d'accès."
FORBIDDEN = "Votre habilitation ne permet pas cette action."
INVALID = "Les données envoyées ne sont pas valables."
JOURNAL_UNAVAILABLE = (
    "Le journal des accès ne peut pas être écrit pour le moment : par sécurité, rien n'a été "
    "lu ni enregistré. Réessayez dans quelques minutes."
)
SERVER_ERROR = "Erreur interne du service. Elle a été consignée ; réessayez plus tard."


def body(detail: str, code: str, errors=()) -> dict:
    return {"detail": detail, "code": code, "errors": list(errors)}


# --- Validation messages ------------------------------------------------------------------------

# Pydantic's error types, in French (its own messages are English). {…} come from the error's ctx.
_PYDANTIC = {
    "missing": "Ce champ est obligatoire.",
    "string_type": "Une chaîne de caractères est attendue.",
    "string_too_short": "Au moins {min_length} caractère(s).",
    "string_too_long": "Au plus {max_length} caractères.",
    "string_pattern_mismatch": "Format non valable (attendu : {pattern}).",
    "int_type": "Un nombre entier est attendu.",
    "int_parsing": "Un nombre entier est attendu.",
    "int_from_float": "Un nombre entier est attendu.",
    "bool_type": "Une valeur booléenne (true ou false) est attendue.",
    "bool_parsing": "Une valeur booléenne (true ou false) est attendue.",
    "greater_than": "La valeur doit être supérieure à {gt}.",
    "greater_than_equal": "La valeur doit être au moins {ge}.",
    "less_than": "La valeur doit être inférieure à {lt}.",
    "less_than_equal": "La valeur doit être au plus {le}.",
    "date_type": "Une date au format AAAA-MM-JJ est attendue.",
    "date_parsing": "Une date au format AAAA-MM-JJ est attendue.",
    "date_from_datetime_parsing": "Une date au format AAAA-MM-JJ est attendue.",
    "date_from_datetime_inexact": "Une date sans heure est attendue (AAAA-MM-JJ).",
    "datetime_type": "Une date et heure ISO 8601 est attendue.",
    "datetime_parsing": "Une date et heure ISO 8601 est attendue.",
    "uuid_type": "Un identifiant (UUID) est attendu.",
    "uuid_parsing": "Un identifiant (UUID) est attendu.",
    "enum": "Valeur inconnue : valeurs possibles {expected}.",
    "literal_error": "Valeur inconnue : valeurs possibles {expected}.",
    "list_type": "Une liste est attendue.",
    "too_short": "Au moins {min_length} élément(s).",
    "too_long": "Au plus {max_length} élément(s).",
    "dict_type": "Un objet JSON est attendu.",
    "model_type": "Un objet JSON est attendu.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "extra_forbidden": "Champ inconnu.",
    "json_invalid": "Le corps de la requête n'est pas un JSON valable.",
    "json_type": "Le corps de la requête n'est pas un JSON valable.",
}


def _french(error: dict) -> str:
    if error.get("type") == "string_too_short" and (error.get("ctx") or {}).get("min_length") == 1:
        return "Ce champ est obligatoire."
    template = _PYDANTIC.get(error.get("type", ""))
    if template is None:
        return "Valeur non valable."
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return template.split(":")[0].rstrip(" .") + "."


def _location(parts) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _skip_wrappers(loc) -> list:
    """ninja nests a body under the operation's parameter name: « body.payload.text » →
    « body.text », « query.filters.status » → « query.status »."""
    loc = list(loc)
    if len(loc) >= 2 and loc[0] in {"body", "query", "path"} and str(loc[1]) in WRAPPERS:
        del loc[1]
    return loc


# Parameter names of operations that only wrap a schema (set by the routers).
WRAPPERS = {"payload", "filters", "pagination", "ninja_pagination", "period"}


def schema_errors(exc: NinjaValidationError) -> list[dict]:
    return [
        {"field": _location(_skip_wrappers(error.get("loc", ()))), "message": _french(error)}
        for error in exc.errors
    ]


def django_errors(exc: DjangoValidationError, *, prefix: str = "", fields=None) -> list[dict]:
    """A service's or form's ValidationError as field errors; ``fields`` renames form fields."""
    fields = fields or {}
    if hasattr(exc, "error_dict"):
        errors = []
        for name, messages in exc.message_dict.items():
            where = fields.get(name, name)
            field = "" if where == "__all__" else (f"{prefix}{where}" if where else "")
            errors.extend({"field": field, "message": message} for message in messages)
        return errors
    return [{"field": "", "message": message} for message in exc.messages]


# --- Handlers -----------------------------------------------------------------------------------


def install_handlers(api) -> None:
    def respond(request, status, detail, code, errors=(), headers=None):
        response = api.create_response(request, body(detail, code, errors), status=status)
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        code = getattr(exc, "code", "not_authenticated")
        detail = getattr(exc, "detail", AUTHENTICATION_REQUIRED)
        return respond(request, 401, detail, code, headers={"WWW-Authenticate": "Bearer"})

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        wait = getattr(exc, "wait", None)
        seconds = max(1, math.ceil(wait)) if wait else None
        detail = "Trop de requêtes : " + (
            f"réessayez dans {seconds} seconde{'s' if seconds > 1 else ''}."
            if seconds
            else "réessayez un peu plus tard."
        )
        headers = {"Retry-After": str(seconds)} if seconds else {}
        return respond(request, 429, detail, "rate_limited", headers=headers)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, NOT_FOUND, "not_found")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        detail = str(exc) if exc.args and str(exc) else FORBIDDEN
        return respond(request, 403, detail, getattr(exc, "code", "forbidden"))

    @api.exception_handler(NinjaValidationError)
    def invalid_schema(request, exc):
        return respond(request, 422, INVALID, "invalid", schema_errors(exc))

    @api.exception_handler(DjangoValidationError)
    def invalid(request, exc):
        errors = getattr(exc, "api_errors", None) or django_errors(exc)
        return respond(request, 422, INVALID, "invalid", errors)

    @api.exception_handler(JournalUnavailable)
    def journal_unavailable(request, exc):
        headers = {"Retry-After": "60", "Cache-Control": "no-store"}
        return respond(request, 503, JOURNAL_UNAVAILABLE, "journal_unavailable", headers=headers)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        messages = {
            400: ("Requête mal formée.", "bad_request"),
            405: ("Méthode non autorisée pour cette adresse.", "method_not_allowed"),
        }
        detail, code = messages.get(exc.status_code, (str(exc), "error"))
        return respond(request, exc.status_code, detail, code)

    @api.exception_handler(Exception)
    def server_error(request, exc):
        logger.exception("API : erreur interne sur %s %s", request.method, request.path)
        return respond(request, 500, SERVER_ERROR, "server_error")
