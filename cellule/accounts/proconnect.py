"""ProConnect: login through the State's OIDC federation for public agents (mozilla-django-oidc).

Off while ``PROCONNECT_CLIENT_ID`` is empty: the views answer 404 and the backend authenticates
nobody. When on, only accounts that already exist get in (invitation or administrator): an
identity is matched on (idp_id, sub), else once on the e-mail, and the link is kept in
ExternalIdentity. Nothing about the account is ever updated from the claims.

The ID token is checked in full (RS256 signature against the provider's JWKS, iss, aud, exp, nonce)
and its ``acr`` must prove two factors: such a login counts as Cellule's second factor for the
session (see ``count_as_second_factor``, called by OTPRequiredMiddleware).
"""

import json
import logging
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import path, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from cellule.accounts.decorators import charter_exempt, otp_exempt
from cellule.accounts.models import ExternalIdentity, User

logger = logging.getLogger("cellule.accounts.proconnect")

# Levels that prove two factors (ProConnect's eidas0-* levels are declarative: not accepted).
ACCEPTED_ACR = ("eidas1-mfa", "eidas2", "eidas3")
SIGNING_ALGORITHM = "RS256"
CLOCK_SKEW_SECONDS = 30
DISCOVERY_TTL_SECONDS = 3600

SECOND_FACTOR_SESSION_KEY = "cellule_proconnect_user"  # pk of the user logged in through ProConnect
ID_TOKEN_SESSION_KEY = "oidc_id_token"  # mozilla-django-oidc's name; id_token_hint at logout
LOGOUT_STATE_SESSION_KEY = "cellule_proconnect_logout_state"

REFUSED = (
    "La connexion avec ProConnect n'a pas abouti. Réessayez, ou connectez-vous avec votre "
    "mot de passe et votre code."
)
WEAK_ACR = (
    "ProConnect n'a pas garanti une authentification à deux facteurs : connectez-vous avec "
    "votre mot de passe et votre code."
)
UNKNOWN_IDENTITY = (
    "Aucun compte Cellule n'est associé à cette identité ProConnect. Demandez une invitation "
    "au coordonnateur de votre cellule."
)
ALREADY_LINKED = (
    "Votre compte Cellule est déjà associé à une autre identité ProConnect. Connectez-vous avec "
    "celle-ci, ou avec votre mot de passe et votre code."
)
LOGGED_OUT = "Vous êtes déconnecté de Cellule et de ProConnect."


def is_enabled() -> bool:
    return bool(settings.PROCONNECT_CLIENT_ID)


class Refused(Exception):
    """A ProConnect login that must not open a session: `message` is shown, `reason` is logged."""

    def __init__(self, reason: str, message: str = REFUSED):
        super().__init__(reason)
        self.reason = reason
        self.message = message


# --- The provider's endpoints -----------------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    end_session_endpoint: str


_SETTING_OF_FIELD = {
    "issuer": "PROCONNECT_ISSUER",
    "authorization_endpoint": "PROCONNECT_AUTHORIZATION_ENDPOINT",
    "token_endpoint": "PROCONNECT_TOKEN_ENDPOINT",
    "jwks_uri": "PROCONNECT_JWKS_ENDPOINT",
    "userinfo_endpoint": "PROCONNECT_USERINFO_ENDPOINT",
    "end_session_endpoint": "PROCONNECT_LOGOUT_ENDPOINT",
}
_discovery_cache: dict[str, tuple[float, dict]] = {}


def provider() -> Provider:
    """The endpoints: explicit settings first, then the discovery document (read lazily, cached)."""
    values = {field: getattr(settings, name) for field, name in _SETTING_OF_FIELD.items()}
    if not all(values.values()) and settings.PROCONNECT_DISCOVERY_URL:
        document = _discovery_document(settings.PROCONNECT_DISCOVERY_URL)
        values = {field: value or document.get(field, "") for field, value in values.items()}
    missing = [field for field, value in values.items() if not isinstance(value, str) or not value]
    if missing:
        raise Refused(f"provider metadata incomplete: {', '.join(missing)}")
    return Provider(**values)


def _discovery_document(url: str) -> dict:
    cached = _discovery_cache.get(url)
    if cached and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
        return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise Refused(f"discovery document unavailable: {exc.__class__.__name__}") from exc
    # OpenID Connect Discovery §4.3: the issuer is the URL the document was read from.
    issuer = document.get("issuer") if isinstance(document, dict) else None
    if (
        not isinstance(issuer, str)
        or url != f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    ):
        raise Refused("discovery document names another issuer")
    _discovery_cache[url] = (time.monotonic(), document)
    return document


# --- Authentication backend -------------------------------------------------------------------


class ProConnectBackend(OIDCAuthenticationBackend):
    """Checks the callback's tokens and finds the provisioned account; never creates one."""

    def __init__(self, *args, **kwargs):
        # Django builds every backend at each authenticate() call, password logins included:
        # nothing is read or fetched here (the provider is resolved in authenticate()).
        self.UserModel = User

    get_user = ModelBackend.get_user  # an account deactivated since the login loads no more

    def authenticate(self, request, nonce=None, code_verifier=None, **credentials):
        # Only the callback view passes a nonce, and never other credentials (username, password).
        if request is None or not nonce or credentials or not is_enabled():
            return None
        code, state = request.GET.get("code"), request.GET.get("state")
        if not code or not state:
            return None
        self.request = request
        try:
            user, id_token = self._login(code, nonce)
        except Refused as refusal:
            logger.warning("ProConnect login refused: %s", refusal.reason)
            request.proconnect_refusal = refusal
            return None
        # Kept on the request: the callback view stores it in the session once the user is in.
        request.proconnect_id_token = id_token
        return user

    def _login(self, code: str, nonce: str):
        op = provider()
        try:
            tokens = self._post_token_request(op, code)
            id_token, access_token = tokens["id_token"], tokens["access_token"]
            keys = self._fetch_keys(op)
            claims = self._verify_id_token(op, id_token, nonce, keys)
            userinfo = self._fetch_userinfo(op, access_token, claims["sub"], keys)
        except (
            requests.RequestException,
            ValueError,
            LookupError,
            TypeError,
            AttributeError,
        ) as exc:
            raise Refused(f"provider exchange failed: {exc.__class__.__name__}") from exc
        return self._provisioned_user(claims, userinfo), id_token

    def _post_token_request(self, op: Provider, code: str) -> dict:
        # ProConnect documents client_secret_post only (no PKCE, no private_key_jwt).
        response = requests.post(
            op.token_endpoint,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.request.build_absolute_uri(reverse("proconnect:callback")),
                "client_id": settings.PROCONNECT_CLIENT_ID,
                "client_secret": settings.PROCONNECT_CLIENT_SECRET,
            },
            timeout=settings.OIDC_TIMEOUT,
        )
        self.raise_token_response_error(response)
        return response.json()

    def _fetch_keys(self, op: Provider) -> list[dict]:
        response = requests.get(op.jwks_uri, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        return response.json()["keys"]

    def _verify_jwt(self, token: str, keys: list[dict], **checks) -> dict:
        try:
            header = jwt.get_unverified_header(token)
            matching = [
                jwk
                for jwk in keys
                if jwk.get("kid") == header.get("kid")
                and jwk.get("alg", SIGNING_ALGORITHM) == SIGNING_ALGORITHM
            ]
            if len(matching) != 1:
                raise Refused("no single signing key matches the token")
            key = jwt.PyJWK(matching[0], algorithm=SIGNING_ALGORITHM)
            return jwt.decode(
                token, key, algorithms=[SIGNING_ALGORITHM], leeway=CLOCK_SKEW_SECONDS, **checks
            )
        except (jwt.InvalidTokenError, jwt.PyJWKError) as exc:
            raise Refused(f"token rejected: {exc.__class__.__name__}: {exc}") from exc

    def _verify_id_token(self, op: Provider, id_token: str, nonce: str, keys) -> dict:
        claims = self._verify_jwt(
            id_token,
            keys,
            audience=settings.PROCONNECT_CLIENT_ID,
            issuer=op.issuer,
            options={"require": ["iss", "aud", "exp", "iat", "sub", "nonce"]},
        )
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != settings.PROCONNECT_CLIENT_ID:
            raise Refused("several audiences and another authorized party")
        if not constant_time_compare(str(claims["nonce"]), nonce):
            raise Refused("nonce mismatch")
        if claims.get("acr") not in ACCEPTED_ACR:
            raise Refused(f"acr {claims.get('acr')!r} not accepted", WEAK_ACR)
        return claims

    def _fetch_userinfo(self, op: Provider, access_token: str, sub: str, keys) -> dict:
        response = requests.get(
            op.userinfo_endpoint,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=settings.OIDC_TIMEOUT,
        )
        response.raise_for_status()
        # ProConnect signs its userinfo response: an unsigned one is refused.
        if not response.headers.get("content-type", "").lower().startswith("application/jwt"):
            raise Refused("userinfo response is not a signed JWT")
        userinfo = self._verify_jwt(
            response.text.strip(), keys, options={"verify_aud": False, "require": ["sub"]}
        )
        if "iss" in userinfo and userinfo["iss"] != op.issuer:
            raise Refused("userinfo from another issuer")
        if "aud" in userinfo and settings.PROCONNECT_CLIENT_ID not in (
            userinfo["aud"] if isinstance(userinfo["aud"], list) else [userinfo["aud"]]
        ):
            raise Refused("userinfo for another client")
        if userinfo["sub"] != sub:  # OpenID Connect Core §5.3.2
            raise Refused("userinfo about another subject")
        return userinfo

    def _provisioned_user(self, claims: dict, userinfo: dict) -> User:
        idp_id, email = userinfo.get("idp_id"), userinfo.get("email")
        if not isinstance(idp_id, str) or not idp_id:
            raise Refused("no idp_id in userinfo")
        identity = (
            ExternalIdentity.objects.select_related("user")
            .filter(provider=ExternalIdentity.PROCONNECT, idp_id=idp_id, sub=claims["sub"])
            .first()
        )
        if identity is not None:
            user = identity.user
        else:
            users = (
                list(User.objects.filter(email__iexact=email)[:2])
                if isinstance(email, str) and email
                else []
            )
            if len(users) != 1:
                raise Refused("no account for this identity", UNKNOWN_IDENTITY)
            user = users[0]
            # An account follows one ProConnect identity: an e-mail alone cannot add another.
            if user.external_identities.filter(provider=ExternalIdentity.PROCONNECT).exists():
                raise Refused(f"account {user.pk} already linked", ALREADY_LINKED)
        if not user.is_active:
            raise Refused(f"account {user.pk} inactive", UNKNOWN_IDENTITY)
        record_login(user=user, identity=identity, idp_id=idp_id, sub=claims["sub"])
        return user


def record_login(*, user: User, identity, idp_id: str, sub: str) -> ExternalIdentity:
    """Stores the (idp_id, sub) link at the first login, and the time of each login."""
    now = timezone.now()
    if identity is not None:
        identity.last_login_at = now
        identity.save(update_fields=["last_login_at"])
        return identity
    try:
        with transaction.atomic():
            identity = ExternalIdentity.objects.create(
                user=user,
                provider=ExternalIdentity.PROCONNECT,
                idp_id=idp_id,
                sub=sub,
                last_login_at=now,
            )
    except IntegrityError as exc:  # the same identity linked by a concurrent login
        raise Refused("identity linked concurrently") from exc
    logger.info("ProConnect identity linked to account %s", user.pk)
    return identity


# --- Second factor ----------------------------------------------------------------------------


def count_as_second_factor(request) -> None:
    """A session opened through ProConnect (acr checked) is verified, like one after a TOTP code."""
    session = getattr(request, "session", None)
    user_pk = session.get(SECOND_FACTOR_SESSION_KEY) if session is not None else None
    if user_pk is not None and request.user.is_authenticated and str(request.user.pk) == user_pk:
        request.user.is_verified = lambda: True


# --- Views ------------------------------------------------------------------------------------


class _FeatureSwitch:
    def dispatch(self, request, *args, **kwargs):
        if not is_enabled():
            raise Http404("ProConnect n'est pas activé.")
        return super().dispatch(request, *args, **kwargs)


def _back_to_login(request, message: str):
    messages.error(request, message)
    return redirect(settings.LOGIN_URL)


@method_decorator(login_not_required, name="dispatch")
class LoginView(_FeatureSwitch, OIDCAuthenticationRequestView):
    """The ProConnect button: state and nonce into the session, then off to the provider."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the provider is resolved per request, not at start

    def get(self, request):
        try:
            op = provider()
        except Refused as refusal:
            logger.error("ProConnect unavailable: %s", refusal.reason)
            return _back_to_login(request, REFUSED)
        self.OIDC_OP_AUTH_ENDPOINT = op.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = settings.PROCONNECT_CLIENT_ID
        return super().get(request)

    def get_extra_params(self, request):
        # ProConnect's way to demand two factors; the callback checks the acr all the same.
        acr = {"essential": True, "values": list(ACCEPTED_ACR)}
        return {"claims": json.dumps({"id_token": {"acr": acr}}, separators=(",", ":"))}


@method_decorator(login_not_required, name="dispatch")
class CallbackView(_FeatureSwitch, OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code and the state."""

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation:  # a state this browser was not given: forged or replayed
            logger.warning("ProConnect callback with an unknown state")
            return self.login_failure()

    def login_failure(self):
        refusal = getattr(self.request, "proconnect_refusal", None)
        return _back_to_login(self.request, refusal.message if refusal else REFUSED)

    def login_success(self):
        response = super().login_success()  # auth.login: a new session id
        self.request.session[SECOND_FACTOR_SESSION_KEY] = str(self.user.pk)
        self.request.session[ID_TOKEN_SESSION_KEY] = self.request.proconnect_id_token
        return response


@method_decorator([otp_exempt, charter_exempt], name="dispatch")
class LogoutView(_FeatureSwitch, OIDCLogoutView):
    """Ends the Cellule session and, after a ProConnect login, the ProConnect session too."""

    def post(self, request):
        id_token = request.session.get(ID_TOKEN_SESSION_KEY)
        auth.logout(request)
        if not id_token:
            return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
        try:
            end_session = provider().end_session_endpoint
        except Refused as refusal:
            logger.error("ProConnect logout unavailable: %s", refusal.reason)
            return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
        state = secrets.token_urlsafe(32)
        request.session[LOGOUT_STATE_SESSION_KEY] = state
        query = urlencode(
            {
                "id_token_hint": id_token,
                "state": state,
                "post_logout_redirect_uri": request.build_absolute_uri(
                    reverse("proconnect:logged_out")
                ),
            }
        )
        return HttpResponseRedirect(f"{end_session}?{query}")


@method_decorator(login_not_required, name="dispatch")
class LoggedOutView(_FeatureSwitch, View):
    """Where ProConnect sends the browser back after its logout."""

    http_method_names = ["get"]

    def get(self, request):
        expected = request.session.pop(LOGOUT_STATE_SESSION_KEY, None)
        if expected and constant_time_compare(request.GET.get("state", ""), expected):
            messages.success(request, LOGGED_OUT)
        return redirect(settings.LOGIN_URL)


app_name = "proconnect"
urlpatterns = [
    path("connexion/", LoginView.as_view(), name="login"),
    path("retour/", CallbackView.as_view(), name="callback"),
    path("deconnexion/", LogoutView.as_view(), name="logout"),
    path("deconnexion/retour/", LoggedOutView.as_view(), name="logged_out"),
]
