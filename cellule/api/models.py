"""API tokens: a partner software acts in Cellule as the user the token belongs to, never more.

The token is shown once, when created; the database keeps a keyed hash of it
(``accounts.security.digest``), its first characters to recognise it in a list, its expiry,
its last use and its revocation. What the token may read is decided by ``cellule.access`` for its
user, at each request, exactly as for the user's pages.
"""

import uuid

from django.db import models
from django.utils import timezone


class ApiTokenQuerySet(models.QuerySet):
    def of(self, user):
        """A user's own tokens: nobody else's, not the administrator's, not the DPO's."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def usable(self, *, now=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        "accounts.User",
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField("nom", max_length=80)
    prefix = models.CharField("début du jeton", max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    # False: created by the user in their profile; True: by an operator (create_api_token).
    by_operator = models.BooleanField("créé par l'exploitant", default=False)
    expires_at = models.DateTimeField("expire le")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Jeton {self.prefix}… ({self.name})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "révoqué"
        if self.is_expired:
            return "expiré"
        return "actif"
