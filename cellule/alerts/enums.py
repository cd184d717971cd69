from django.db import models


class Delivery(models.TextChoices):
    """How a user receives one kind of notification (their preference, or the kind's default)."""

    IMMEDIATE = "immediate", "Par courriel, immédiatement"
    DIGEST = "digest", "Par courriel, dans un récapitulatif quotidien"
    APP_ONLY = "app_only", "Dans Cellule seulement"


class EmailKind(models.TextChoices):
    NOTIFICATION = "notification", "Courriel d'une notification"
    DIGEST = "digest", "Récapitulatif quotidien"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "À envoyer"
    SENDING = "sending", "Envoi en cours"
    SENT = "sent", "Envoyé"
    FAILED = "failed", "Abandonné"
    CANCELLED = "cancelled", "Annulé (compte désactivé)"
