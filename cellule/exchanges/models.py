"""Transmissions between cells: the only way a commune and the State exchange information.

A transmission is a **sealed copy**: the fields its sender chose, taken from the sender's records
at the moment of sending and encrypted under a data key of the transmission's own (wrapped by the
master key, like a person's ``PersonKey``). The receiving cell reads the copy with that key and
never the sender's records; the copy does not follow later changes of the source; destroying its
key erases it everywhere (crypto-shredding: expiry of a state_information, retention).

Writes go through ``services.py``; reads through ``Transmission.objects.visible_to(user)`` and
``cellule.access.get_transmission``.
"""

import json
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cellule.exchanges.enums import (
    ApprovalAuthority,
    BriefingChannel,
    FeedbackOutcome,
    InformationCase,
    LegalBasis,
    TransmissionKind,
    TransmissionStatus,
)
from cellule.people import crypto
from cellule.people.models import EncryptedField, Sealed

MESSAGE_MAX_LENGTH = 1000
FEEDBACK_NOTICE_DAYS = 7  # the préfecture hears of a feedback falling due this many days ahead
BRIEFING_INTERVAL_DAYS = 183  # at least twice a year (instruction of 13 November 2018)
STATE_INFORMATION_VALIDITY_DAYS = (30, 90, 180)

K = TransmissionKind


class TransmissionQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.transmissions(self, user)

    def sent(self):
        return self.filter(sent_at__isnull=False)

    def of_cell(self, cell_id):
        return self.filter(Q(from_cell_id=cell_id) | Q(to_cell_id=cell_id))

    def awaiting_feedback(self):
        return self.filter(
            kind=K.REPORT_TO_STATE, sent_at__isnull=False, feedback_given_at__isnull=True
        )

    def feedback_overdue(self, *, today=None):
        return self.awaiting_feedback().filter(feedback_due_on__lt=today or timezone.localdate())

    def expired(self, *, now=None):
        return self.filter(kind=K.STATE_INFORMATION, expires_at__lte=now or timezone.now())


class Transmission(Sealed):
    """From one cell to another: a signalement à l'État, the State's feedback, a nominative
    information of the préfet to the mayor, or a general briefing (requested, then held)."""

    SEALED = {"snapshot": str}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("nature", max_length=20, choices=TransmissionKind.choices)
    from_cell = models.ForeignKey(
        "accounts.Cell",
        verbose_name="cellule émettrice",
        on_delete=models.PROTECT,
        related_name="transmissions_sent",
    )
    to_cell = models.ForeignKey(
        "accounts.Cell",
        verbose_name="cellule destinataire",
        on_delete=models.PROTECT,
        related_name="transmissions_received",
    )
    # The sender's records it was copied from: never followed by the receiving side.
    situation = models.ForeignKey(
        "cases.Situation",
        verbose_name="situation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transmissions",
    )
    signalement = models.ForeignKey(
        "reports.Signalement",
        verbose_name="signalement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transmissions",
    )
    # A feedback answers a signalement à l'État; a state_information may answer one too. Both go
    # with the signalement they answer (retention).
    reply_to = models.ForeignKey(
        "self",
        verbose_name="en réponse à",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    fields = models.JSONField("champs transmis", default=list, blank=True)
    snapshot_encrypted = EncryptedField("copie scellée (chiffrée)", null=True)
    legal_basis = models.CharField("base légale", max_length=20, choices=LegalBasis.choices)
    legal_basis_text = models.CharField("texte (autre base légale)", max_length=200, blank=True)
    confidential = models.BooleanField("confidentiel — charte", default=False)
    not_exportable = models.BooleanField("ni exportable ni imprimable", default=False)
    information_case = models.CharField(
        "cas", max_length=20, choices=InformationCase.choices, blank=True
    )
    feedback_outcome = models.CharField(
        "retour d'information", max_length=20, choices=FeedbackOutcome.choices, blank=True
    )
    validity_days = models.PositiveSmallIntegerField("durée de validité (jours)", null=True)
    briefing_held_on = models.DateField("information générale tenue le", null=True, blank=True)
    briefing_channel = models.CharField(
        "cadre", max_length=20, choices=BriefingChannel.choices, blank=True
    )
    briefing_recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="rédigée par", on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)
    sent_by = models.ForeignKey(
        "accounts.User",
        verbose_name="envoyée par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField("réception accusée le", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    feedback_due_on = models.DateField("retour attendu avant le", null=True, blank=True)
    feedback_given_at = models.DateTimeField("premier retour le", null=True, blank=True)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)

    objects = TransmissionQuerySet.as_manager()

    class Meta:
        verbose_name = "transmission"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["to_cell", "kind", "sent_at"], name="transmission_inbox"),
            models.Index(fields=["from_cell", "kind", "sent_at"], name="transmission_outbox"),
            models.Index(fields=["feedback_due_on"], name="transmission_feedback_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_cell=models.F("to_cell")), name="transmission_between_cells"
            ),
            models.CheckConstraint(
                condition=~Q(kind="feedback") | Q(reply_to__isnull=False),
                name="transmission_feedback_replies",
            ),
        ]

    def __str__(self):
        return f"Transmission {self.reference}"  # never a name: __str__ ends up in logs

    @property
    def reference(self) -> str:
        return str(self.pk).split("-")[0].upper()

    # --- The sealed copy ------------------------------------------------------------------------

    def cipher(self):
        """The cipher of this transmission's own data key (DataKeyDestroyed once erased)."""
        key = self.key
        if key.wrapped_key is None:
            raise crypto.DataKeyDestroyed(
                "Le contenu de cette transmission a été effacé définitivement "
                f"(clé détruite le {timezone.localtime(key.destroyed_at):%d/%m/%Y})."
            )
        return crypto.data_cipher(
            crypto.unwrap_data_key(
                key.wrapped_key, person_id=self.pk, master_key_id=key.master_key_id
            )
        )

    @property
    def snapshot(self) -> dict:
        """The decrypted copy (cached on the object). Call it after the read was journaled."""
        cached = getattr(self, "_snapshot", None)
        if cached is None:
            text = self.unseal(self.cipher(), ["snapshot"])["snapshot"]
            cached = json.loads(text) if text else {}
            self._snapshot = cached
        return cached

    @property
    def is_erased(self) -> bool:
        return self.key.wrapped_key is None

    # --- Where it stands --------------------------------------------------------------------------

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_feedback_overdue(self) -> bool:
        return (
            self.kind == K.REPORT_TO_STATE
            and self.is_sent
            and self.feedback_given_at is None
            and self.feedback_due_on is not None
            and self.feedback_due_on < timezone.localdate()
        )

    @property
    def status(self) -> str:
        if self.kind == K.GENERAL_BRIEFING:
            return (
                TransmissionStatus.HELD if self.briefing_held_on else TransmissionStatus.REQUESTED
            )
        if not self.is_sent:
            return TransmissionStatus.DRAFT
        if self.kind == K.STATE_INFORMATION and self.is_expired:
            return TransmissionStatus.EXPIRED
        if self.kind == K.REPORT_TO_STATE:
            if self.feedback_given_at:
                return TransmissionStatus.ANSWERED
            if self.is_feedback_overdue:
                return TransmissionStatus.OVERDUE
            if self.acknowledged_at:
                return TransmissionStatus.ACKNOWLEDGED
        return TransmissionStatus.SENT

    @property
    def status_label(self) -> str:
        return TransmissionStatus(self.status).label

    def approval(self, authority: str):
        approvals = getattr(self, "_approvals", None)
        if approvals is None:
            approvals = {a.authority: a for a in self.approvals.select_related("recorded_by")}
            self._approvals = approvals
        return approvals.get(authority)

    @property
    def is_approved(self) -> bool:
        return all(self.approval(a) is not None for a in ApprovalAuthority.values)

    def side_of(self, user):
        """The cell through which ``user`` deals with this transmission (for the journal)."""
        from cellule.access.roles import role_in

        if role_in(user, self.from_cell_id) is not None:
            return self.from_cell_id
        if role_in(user, self.to_cell_id) is not None:
            return self.to_cell_id
        return None

    def is_recipient(self, user) -> bool:
        cached = getattr(self, "_recipient_ids", None)
        if cached is None:
            cached = set(self.recipients.values_list("user_id", flat=True))
            self._recipient_ids = cached
        return user.pk in cached

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_transmission(self, user)


class TransmissionKey(models.Model):
    """A transmission's data key, wrapped by a master key; without key once destroyed."""

    transmission = models.OneToOneField(
        Transmission, primary_key=True, on_delete=models.CASCADE, related_name="key"
    )
    wrapped_key = models.BinaryField(null=True)
    master_key_id = models.CharField("clé maîtresse", max_length=40)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    rewrapped_at = models.DateTimeField("rechiffrée le", null=True, blank=True)
    destroyed_at = models.DateTimeField("détruite le", null=True, blank=True)

    class Meta:
        verbose_name = "clé de transmission"
        verbose_name_plural = "clés de transmissions"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(wrapped_key__isnull=False, destroyed_at__isnull=True)
                | models.Q(wrapped_key__isnull=True, destroyed_at__isnull=False),
                name="transmissionkey_wrapped_xor_destroyed",
            )
        ]

    def __str__(self):
        state = "détruite" if self.destroyed_at else f"clé maîtresse {self.master_key_id}"
        return f"Clé de la transmission {str(self.transmission_id)[:8]} ({state})"


class Recipient(models.Model):
    """A named recipient of a state_information, and when they read it (read receipt)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    transmission = models.ForeignKey(
        Transmission, on_delete=models.CASCADE, related_name="recipients"
    )
    user = models.ForeignKey(
        "accounts.User", verbose_name="destinataire", on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField("lue le", null=True, blank=True)

    class Meta:
        verbose_name = "destinataire"
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["transmission", "user"], name="recipient_once")
        ]

    def __str__(self):
        return f"Destinataire de la transmission {str(self.transmission_id)[:8]}"


class Approval(models.Model):
    """A prior agreement a state_information needs: who gave it, when, and its reference."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    transmission = models.ForeignKey(
        Transmission, on_delete=models.CASCADE, related_name="approvals"
    )
    authority = models.CharField("autorité", max_length=20, choices=ApprovalAuthority.choices)
    given_on = models.DateField("accord donné le")
    reference = models.CharField("référence", max_length=100)
    recorded_at = models.DateTimeField("enregistré le", default=timezone.now)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name="enregistré par", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "accord préalable"
        verbose_name_plural = "accords préalables"
        ordering = ["authority"]
        constraints = [
            models.UniqueConstraint(fields=["transmission", "authority"], name="approval_once")
        ]

    def __str__(self):
        return f"{self.get_authority_display()} — {self.given_on:%d/%m/%Y}"
