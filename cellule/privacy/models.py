"""RGPD in the product: retention settings, legal holds, purge certificates, rights requests.

The retention rules themselves are code (``rules.py``); a cell only chooses, within each rule's
legal bounds, its own delay (``RetentionSetting``). Free texts are encrypted (``Sealed``): a legal
hold's detail under its person's key; a rights request's requester under a key of the request's
own (the requester may be unknown to the file); an access export under the person's key, so that
the person's erasure erases it too. Certificates hold counts only, never a reference to a person.
"""

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cellule.people import crypto
from cellule.people.models import EncryptedField, Sealed
from cellule.privacy.enums import (
    OPEN_REQUEST_STATUSES,
    HoldGround,
    PurgeTrigger,
    RequestKind,
    RequestOutcome,
    RequestStatus,
    StepKind,
)

DETAIL_MAX_LENGTH = 300
REQUEST_DEADLINE_MONTHS = 1  # art. 12(3): one month from receipt...
REQUEST_EXTENSION_MONTHS = 2  # ...extendable by two months, with reasons given to the person


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 January + 1 → 28 February)."""
    import calendar

    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return day.replace(year=year, month=month0 + 1, day=min(day.day, last))


class RetentionSetting(models.Model):
    """A cell's own delay for one retention rule, within the rule's legal bounds."""

    cell = models.ForeignKey(
        "accounts.Cell",
        verbose_name="cellule",
        on_delete=models.CASCADE,
        related_name="retention_settings",
    )
    rule = models.CharField("règle", max_length=40)
    days = models.PositiveIntegerField("durée (jours)")
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)
    updated_by = models.ForeignKey(
        "accounts.User",
        verbose_name="modifiée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "durée de conservation de la cellule"
        verbose_name_plural = "durées de conservation des cellules"
        constraints = [
            models.UniqueConstraint(fields=["cell", "rule"], name="retention_setting_once")
        ]

    def __str__(self):
        return f"{self.rule} : {self.days} jours"

    def clean(self):
        from cellule.privacy.rules import get_rule

        rule = get_rule(self.rule)
        if not rule.configurable:
            raise ValidationError({"days": "Cette durée n'est pas réglable par la cellule."})
        if not rule.min_days <= self.days <= rule.max_days:
            raise ValidationError(
                {
                    "days": f"La durée doit être comprise entre {rule.min_days} et "
                    f"{rule.max_days} jours."
                }
            )


class LegalHoldQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.legal_holds(self, user)

    def active(self):
        return self.filter(lifted_at__isnull=True)


class LegalHold(Sealed):
    """A legal hold (gel juridique): while active, its record and everything that follows it
    outlive their retention rule. Its detail is encrypted under the person's key."""

    SEALED = {"detail": str}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cell = models.ForeignKey(
        "accounts.Cell", verbose_name="cellule", on_delete=models.PROTECT, related_name="+"
    )
    # The record held: a situation or a signalement (the hold follows it when it goes).
    situation = models.ForeignKey(
        "cases.Situation",
        verbose_name="situation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="legal_holds",
    )
    signalement = models.ForeignKey(
        "reports.Signalement",
        verbose_name="signalement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="legal_holds",
    )
    ground = models.CharField("motif", max_length=20, choices=HoldGround.choices)
    detail_encrypted = EncryptedField(null=True)
    placed_at = models.DateTimeField("posé le", default=timezone.now)
    placed_by = models.ForeignKey(
        "accounts.User", verbose_name="posé par", on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField("levé le", null=True, blank=True)
    lifted_by = models.ForeignKey(
        "accounts.User",
        verbose_name="levé par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = "gel juridique"
        verbose_name_plural = "gels juridiques"
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(situation__isnull=False, signalement__isnull=True)
                | Q(situation__isnull=True, signalement__isnull=False),
                name="legal_hold_one_target",
            )
        ]

    def __str__(self):
        return f"Gel juridique {str(self.pk)[:8]} ({self.get_ground_display()})"

    @property
    def target(self):
        return self.situation if self.situation_id else self.signalement

    @property
    def target_label(self) -> str:
        """« Situation n° … » or « Signalement n° … »: a reference, never a name."""
        if self.situation_id:
            return f"Situation n° {str(self.situation_id).split('-')[0].upper()}"
        return f"Signalement n° {str(self.signalement_id).split('-')[0].upper()}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None

    @property
    def detail(self) -> str:
        return self.unseal(self.target.person.cipher())["detail"]

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_legal_hold(self, user)


class PurgeCertificateQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.purge_certificates(self, user)


class PurgeCertificate(models.Model):
    """The proof of one purge: what went, by rule and cell, when. Counts only: no reference to
    any person or record, so that the proof outlives what it proves gone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    trigger = models.CharField("origine", max_length=20, choices=PurgeTrigger.choices)
    started_at = models.DateTimeField("commencée le", default=timezone.now)
    finished_at = models.DateTimeField("terminée le", null=True, blank=True)
    # The journal des accès is one chain for every cell: its purge is a line of its own here.
    journal_months = models.PositiveSmallIntegerField("conservation du journal (mois)", null=True)
    journal_deleted = models.PositiveIntegerField("événements du journal supprimés", default=0)
    journal_cutoff = models.DateTimeField("journal : coupure au", null=True, blank=True)
    journal_error = models.CharField("journal : purge impossible", max_length=300, blank=True)

    objects = PurgeCertificateQuerySet.as_manager()

    class Meta:
        verbose_name = "certificat de purge"
        verbose_name_plural = "certificats de purge"
        ordering = ["-started_at"]

    def __str__(self):
        return f"Certificat de purge {self.reference}"

    @property
    def reference(self) -> str:
        return str(self.pk).split("-")[0].upper()

    @property
    def total_deleted(self) -> int:
        return sum(line.deleted for line in self.lines.all())

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_purge_certificate(self, user)


class PurgeLine(models.Model):
    """One rule applied in one cell: the delay applied, how many records went, how many a
    legal hold kept, and the rows deleted by table (records and what followed them)."""

    certificate = models.ForeignKey(
        PurgeCertificate, on_delete=models.CASCADE, related_name="lines"
    )
    cell = models.ForeignKey(
        "accounts.Cell",
        verbose_name="cellule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rule = models.CharField("règle", max_length=40)
    rule_label = models.CharField("règle appliquée", max_length=200)
    days = models.PositiveIntegerField("durée appliquée (jours)", null=True)
    deleted = models.PositiveIntegerField("dossiers supprimés", default=0)
    held = models.PositiveIntegerField("dossiers gelés", default=0)
    tables = models.JSONField("lignes supprimées par table", default=dict, blank=True)

    class Meta:
        verbose_name = "ligne de certificat de purge"
        ordering = ["cell__name", "rule"]

    def __str__(self):
        return f"{self.rule_label} : {self.deleted}"


class RightsRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.rights_requests(self, user)

    def open(self):
        return self.filter(status__in=OPEN_REQUEST_STATUSES)

    def overdue(self, *, today=None):
        return self.open().filter(deadline__lt=today or timezone.localdate())


class RightsRequest(Sealed):
    """A person's request to exercise a right, received on a day, answered within a month.

    The requester's identity and contact are encrypted under a data key of the request's own:
    the requester may be unknown to the file, and the request must not create a person there.
    """

    SEALED = {"last_name": str, "first_name": str, "birth_date": date, "contact": str}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cell = models.ForeignKey(
        "accounts.Cell",
        verbose_name="cellule",
        on_delete=models.PROTECT,
        related_name="rights_requests",
    )
    kind = models.CharField("droit exercé", max_length=20, choices=RequestKind.choices)
    received_on = models.DateField("reçue le")
    deadline = models.DateField("réponse due le")
    extended = models.BooleanField("délai prolongé", default=False)
    status = models.CharField(
        "état", max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    outcome = models.CharField("réponse", max_length=20, choices=RequestOutcome.choices, blank=True)
    answered_on = models.DateField("répondue le", null=True, blank=True)
    # The person of the file the request concerns, once found (none: nothing is held on them).
    person = models.ForeignKey(
        "people.Person",
        verbose_name="personne concernée",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rights_requests",
    )
    person_checked_at = models.DateTimeField("recherche faite le", null=True, blank=True)
    last_name_encrypted = EncryptedField(null=True)
    first_name_encrypted = EncryptedField(null=True)
    birth_date_encrypted = EncryptedField(null=True)
    contact_encrypted = EncryptedField(null=True)
    wrapped_key = models.BinaryField(null=True, editable=False)
    master_key_id = models.CharField("clé maîtresse", max_length=40, blank=True)
    created_at = models.DateTimeField("enregistrée le", default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="enregistrée par", on_delete=models.PROTECT, related_name="+"
    )

    objects = RightsRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande d'exercice des droits"
        verbose_name_plural = "demandes d'exercice des droits"
        ordering = ["deadline", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | (Q(answered_on__isnull=False) & ~Q(outcome="")),
                name="rights_request_answered_has_outcome",
            )
        ]

    def __str__(self):
        return f"Demande {self.reference}"  # never a name: __str__ ends up in logs

    @property
    def reference(self) -> str:
        return str(self.pk).split("-")[0].upper()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.localdate()

    # --- The request's own data key -----------------------------------------------------------

    def new_key(self):
        """A fresh data key for this request (before its first save); returns its cipher."""
        data_key = crypto.new_data_key()
        self.master_key_id, self.wrapped_key = crypto.wrap_data_key(data_key, person_id=self.pk)
        return crypto.data_cipher(data_key)

    def cipher(self):
        if self.wrapped_key is None:
            raise crypto.DataKeyDestroyed("Les données de cette demande ont été effacées.")
        return crypto.data_cipher(
            crypto.unwrap_data_key(
                self.wrapped_key, person_id=self.pk, master_key_id=self.master_key_id
            )
        )

    @property
    def requester(self) -> dict:
        cached = getattr(self, "_requester", None)
        if cached is None:
            cached = self.unseal(self.cipher())
            self._requester = cached
        return cached

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_rights_request(self, user)


class RightsRequestStep(Sealed):
    """One step of a request: who, when, what, and a comment encrypted under the request's key."""

    SEALED = {"comment": str}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("étape", max_length=20, choices=StepKind.choices)
    at = models.DateTimeField("le", default=timezone.now)
    by = models.ForeignKey(
        "accounts.User", verbose_name="par", on_delete=models.PROTECT, related_name="+"
    )
    comment_encrypted = EncryptedField(null=True)

    class Meta:
        verbose_name = "étape d'une demande d'exercice des droits"
        ordering = ["at"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d})"


class RightsExport(Sealed):
    """What is held about the person, as prepared for an access request: JSON encrypted under
    the person's key, released only after a second person has reviewed it."""

    SEALED = {"content": str}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="exports")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="rights_exports"
    )
    content_encrypted = EncryptedField(null=True)
    generated_at = models.DateTimeField("préparé le", default=timezone.now)
    generated_by = models.ForeignKey(
        "accounts.User", verbose_name="préparé par", on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("relu le", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        verbose_name="relu par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "export des données d'une personne"
        ordering = ["-generated_at"]

    def __str__(self):
        return f"Export {str(self.pk)[:8]}"

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    def data(self) -> dict:
        import json

        return json.loads(self.unseal(self.person.cipher())["content"] or "{}")
