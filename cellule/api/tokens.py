"""API tokens: creation (shown once), revocation, and the check of a presented token.

A token reads ``cel_`` followed by 43 random URL-safe characters (256 bits). Only its keyed hash
is stored, so a copy of the database gives no working token; changing SECRET_KEY voids them all.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cellule.access.journaling import Action, journal_event
from cellule.accounts.security import digest
from cellule.api.models import ApiToken

PREFIX = "cel_"
SHOWN_CHARACTERS = 10  # « cel_AbC123 »: enough to tell one's tokens apart, useless to guess
MAX_DAYS = 365
MAX_LENGTH = 100
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
# The last use is written at most this often: not one UPDATE per API request.
LAST_USED_PRECISION = timedelta(minutes=1)


def default_days() -> int:
    return settings.CELLULE_API_TOKEN_DAYS


def _hash(raw: str) -> str:
    return digest(raw, purpose="api-token")


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _check_request(*, user, name: str, days) -> str:
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = "Donnez un nom au jeton (le logiciel qui l'utilisera, par exemple)."
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"Le nom ne doit pas dépasser {NAME_MAX_LENGTH} caractères."
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors["days"] = f"La durée de validité doit être comprise entre 1 et {MAX_DAYS} jours."
    if errors:
        raise ValidationError(errors)
    if not user.is_active:
        raise ValidationError("Ce compte est désactivé : il ne peut pas recevoir de jeton d'API.")
    if not has_second_factor(user):
        raise ValidationError(
            "Ce compte n'a pas activé la double authentification : un jeton d'API lui serait "
            "refusé. La personne doit d'abord se connecter à Cellule et l'activer."
        )
    return name


def create_token(*, user, name: str, days: int | None = None, by) -> tuple[ApiToken, str]:
    """Creates a token for ``user`` and returns it with its clear value, which exists only here.

    ``by`` is the user themselves (profile page) or None (an operator's command).
    """
    if by is not None and by.pk != user.pk:
        raise PermissionDenied("Un jeton d'API ne se crée que pour soi-même.")
    days = default_days() if days is None else days
    name = _check_request(user=user, name=name, days=days)
    raw = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:SHOWN_CHARACTERS],
            token_hash=_hash(raw),
            by_operator=by is None,
            expires_at=timezone.now() + timedelta(days=days),
        )
        journal_event(
            by,
            Action.DEVICE_CHANGED,
            target=token,
            reason="jeton d'API créé" + (" par l'exploitant" if by is None else ""),
        )
    return token, raw


def revoke_token(*, token: ApiToken, by) -> ApiToken:
    """The token stops working at once. Only its owner revokes it (or an operator: by=None)."""
    if by is not None and token.user_id != by.pk:
        raise PermissionDenied
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        journal_event(by, Action.DEVICE_CHANGED, target=token, reason="jeton d'API révoqué")
    return token


@dataclass(frozen=True)
class TokenCheck:
    token: ApiToken | None
    problem: str = ""  # "", or: invalid, revoked, expired, inactive, second_factor

    @property
    def valid(self) -> bool:
        return self.token is not None and not self.problem


def check_token(raw: str, *, now=None) -> TokenCheck:
    """The token a request presents: usable, or why not. Marks its last use."""
    raw = (raw or "").strip()
    if not raw.startswith(PREFIX) or len(raw) > MAX_LENGTH:
        return TokenCheck(None, "invalid")
    token = ApiToken.objects.select_related("user").filter(token_hash=_hash(raw)).first()
    if token is None:
        return TokenCheck(None, "invalid")
    now = now or timezone.now()
    if token.revoked_at is not None:
        return TokenCheck(token, "revoked")
    if token.expires_at <= now:
        return TokenCheck(token, "expired")
    if not token.user.is_active:
        return TokenCheck(token, "inactive")
    if not has_second_factor(token.user):
        return TokenCheck(token, "second_factor")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return TokenCheck(token)
