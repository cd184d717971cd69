"""Authentication of API requests (Authorization: Bearer) and their rate limits.

A token authenticates its user, who then has exactly their own rights: every endpoint asks
``cellule.access`` as the pages do. Refused with a 401: an unknown, revoked or expired token, an
inactive account, an account without the second factor. Refused with a 403: an account whose
current habilitation waits for the charter's signature (the pages send it to the charter first).
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from cellule.accounts.models import Membership
from cellule.api.errors import ApiAuthenticationError, ApiForbidden, ApiRateLimited
from cellule.api.tokens import check_token
from cellule.journal.recording import client_ip

PROBLEMS = {
    "invalid": "Jeton d'API inconnu ou mal formé.",
    "revoked": "Ce jeton d'API a été révoqué : créez-en un nouveau depuis votre profil.",
    "expired": "Ce jeton d'API a expiré : créez-en un nouveau depuis votre profil.",
    "inactive": "Le compte de ce jeton d'API est désactivé.",
    "second_factor": (
        "Le compte de ce jeton d'API n'a pas de double authentification activée : "
        "connectez-vous à Cellule pour l'activer."
    ),
}
CODES = {
    "invalid": "token_invalid",
    "revoked": "token_revoked",
    "expired": "token_expired",
    "inactive": "account_inactive",
    "second_factor": "second_factor_missing",
}
CHARTER_UNSIGNED = (
    "Signez d'abord, dans Cellule, la charte de confidentialité de votre cellule : "
    "aucun accès avant cette signature."
)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """« 120/m » → (120, 60)."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[:1]]


class SlidingWindow:
    """A count of events per key over the last period, in Django's cache."""

    def __init__(self, scope: str, rate_setting: str):
        self.scope = scope
        self.rate_setting = rate_setting

    def _key(self, ident: str) -> str:
        return f"cellule-api:{self.scope}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"

    def _history(self, ident: str, now: float) -> tuple[list, int, int]:
        limit, period = parse_rate(getattr(settings, self.rate_setting))
        history = [t for t in cache.get(self._key(ident), []) if t > now - period]
        return history, limit, period

    def wait(self, ident: str) -> float | None:
        """Seconds to wait before the next event is allowed, or None when it is allowed now."""
        now = time.time()
        history, limit, period = self._history(ident, now)
        if len(history) < limit:
            return None
        return max(1.0, history[0] + period - now)

    def add(self, ident: str) -> None:
        now = time.time()
        history, limit, period = self._history(ident, now)
        cache.set(self._key(ident), [*history[-limit:], now], period)


failed_authentications = SlidingWindow("auth-failures", "CELLULE_API_FAILED_AUTH_RATE")
token_requests = SlidingWindow("token", "CELLULE_API_RATE")


class BearerToken(HttpBearer):
    def __call__(self, request):
        # A header without the Bearer scheme is refused like a missing one (ninja's default),
        # but an address that keeps presenting bad tokens is slowed down first.
        wait = failed_authentications.wait(client_ip(request) or "?")
        if wait is not None and request.headers.get("Authorization"):
            raise ApiRateLimited(wait)
        return super().__call__(request)

    def authenticate(self, request, token):
        check = check_token(token)
        if not check.valid:
            failed_authentications.add(client_ip(request) or "?")
            raise ApiAuthenticationError(CODES[check.problem], PROBLEMS[check.problem])
        user = check.token.user
        unsigned = Membership.objects.filter(user=user).current().charter_unsigned().exists()
        if unsigned:
            raise ApiForbidden(CHARTER_UNSIGNED, code="charter_unsigned")
        request.user = user
        request.api_token = check.token
        return user


class TokenRateThrottle(BaseThrottle):
    """CELLULE_API_RATE requests per token; read at each request, so settings may change."""

    def allow_request(self, request) -> bool:
        token = getattr(request, "api_token", None)
        if token is None:
            return True
        ident = str(token.pk)
        self._wait = token_requests.wait(ident)
        if self._wait is not None:
            return False
        token_requests.add(ident)
        return True

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)
