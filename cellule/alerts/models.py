"""Notifications, preferences, known devices and e-mail deliveries.

A notification holds a reference (type and id of its object) and a generic sentence computed from
its kind — no content of the object, no name. E-mails are rows of their own: one per e-mail to
send, claimed before sending and marked right after, so that a retry never sends twice.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from cellule.alerts.enums import Delivery, EmailKind, EmailStatus
from cellule.alerts.kinds import get_kind


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.notifications(self, user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="destinataire",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("type", max_length=40)  # a code of kinds.KINDS
    cell = models.ForeignKey(
        "accounts.Cell",
        verbose_name="cellule",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    target_type = models.CharField("type de l'objet", max_length=100, blank=True)
    target_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    text = models.CharField("texte", max_length=300)
    # How it reaches the recipient, decided when it is created (preference or default).
    delivery = models.CharField("remise", max_length=10, choices=Delivery.choices)
    # What fired it, unique per recipient: a trigger firing twice makes one notification.
    key = models.CharField("clé d'unicité", max_length=200)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    read_at = models.DateTimeField("lue le", null=True, blank=True)
    digest = models.ForeignKey(
        "alerts.EmailDelivery",
        verbose_name="récapitulatif",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="digested",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "notification"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_unique_key")
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self):
        return self.kind_label

    @property
    def kind_label(self) -> str:
        return get_kind(self.kind).label

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField("type", max_length=40)  # a code of kinds.KINDS
    delivery = models.CharField("remise", max_length=10, choices=Delivery.choices)

    class Meta:
        verbose_name = "préférence de notification"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self):
        return f"{self.kind} : {self.delivery}"


class KnownDevice(models.Model):
    """A (browser, network) pair a user has logged in from, kept as a keyed hash only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_devices"
    )
    fingerprint = models.CharField(max_length=64)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "appareil connu"
        constraints = [
            models.UniqueConstraint(fields=["user", "fingerprint"], name="known_device_unique")
        ]

    def __str__(self):
        return f"appareil vu le {self.first_seen:%d/%m/%Y}"


class EmailDelivery(models.Model):
    """One e-mail to send: claimed (pending → sending) before the SMTP call, marked sent after."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # notification:<id> or digest:<user id>:<date>: an e-mail is never queued twice.
    key = models.CharField("clé d'unicité", max_length=200, unique=True)
    kind = models.CharField("nature", max_length=20, choices=EmailKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="destinataire",
        on_delete=models.CASCADE,
        related_name="email_deliveries",
    )
    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
    )
    count = models.PositiveIntegerField("nombre d'alertes", default=1)
    status = models.CharField(
        "état", max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochaine tentative", default=timezone.now)
    claimed_at = models.DateTimeField("pris en charge le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    # The exception's class and SMTP code only: a server's message may quote the address.
    last_error = models.CharField("dernière erreur", max_length=200, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        verbose_name = "envoi de courriel"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_due")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"
