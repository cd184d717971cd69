"""Second-factor and session records: recovery codes, active sessions, invitations' tokens."""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin

RECOVERY_CODE_COUNT = 10
# Unambiguous alphabet (no 0/O, 1/I/L): codes are typed from paper.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def digest(secret: str, *, purpose: str) -> str:
    """Keyed hash of a high-entropy secret we must recognise but never keep (tokens, codes)."""
    key = hashlib.sha256(f"cellule:{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """Ten single-use recovery codes, stored hashed, shown once when generated."""

    class Meta:
        verbose_name = "codes de secours"

    def get_throttle_factor(self):
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    @transaction.atomic
    def regenerate(self) -> list[str]:
        """Replaces every code; returns the new ones (the only time they exist in clear)."""
        self.codes.all().delete()
        codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=self, code_hash=digest(normalise_code(code), purpose="recovery"))
            for code in codes
        )
        return codes

    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()

    def verify_token(self, token) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        code_hash = digest(normalise_code(str(token)), purpose="recovery")
        with transaction.atomic():
            used = self.codes.filter(code_hash=code_hash, used_at__isnull=True).update(
                used_at=timezone.now()
            )
        if used:
            self.throttle_reset()
            return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "code de secours"
        constraints = [
            models.UniqueConstraint(fields=["device", "code_hash"], name="recovery_code_unique")
        ]

    def __str__(self):
        return "code de secours utilisé" if self.used_at else "code de secours"


class UserSession(models.Model):
    """Index of a user's open sessions, so that they can see and end them (profile page)."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_activity = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "session ouverte"
        ordering = ["-last_activity"]

    def __str__(self):
        return f"session du {self.created_at:%d/%m/%Y %H:%M}"


class FormSubmission(models.Model):
    """A form sent by a user, recognised when the same form is sent again (``submissions``):
    the token the page drew for the form, and where the first sending led."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_submissions"
    )
    token = models.UUIDField()
    path = models.CharField(max_length=300)
    location = models.CharField(max_length=600, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "envoi de formulaire"
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="form_submission_once")
        ]

    def __str__(self):
        return f"envoi du {self.created_at:%d/%m/%Y %H:%M}"
