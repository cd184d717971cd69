"""Situations: the cell's follow-up of one person, its plan d'accompagnement, reviews and notes.

Free texts are encrypted under the person's data key (``Sealed``), so that shredding the person
erases them too. Writes go through ``services.py``; reads through ``visible_to`` and
``cellule.access.get_situation`` / ``get_measure``.
"""

import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cellule.cases.enums import (
    OPEN_STATUSES,
    ClosureReason,
    EventKind,
    MeasureKind,
    MeasureStatus,
    SituationStatus,
)
from cellule.people.models import EncryptedField, Sealed

NOTE_MAX_LENGTH = 1000
SHORT_TEXT_MAX_LENGTH = 1000
REVIEW_INTERVAL_DAYS = 90  # default next review (architecture: every séance, or 90 days)
ARCHIVE_DELAY_DAYS = 30  # a closed situation moves to the intermediate archive after this
NOTE_EDIT_HOURS = 24  # a note is editable by its author for this long, then only annotated

# The state machine (architecture §5): from → {to: label of the action}.
S = SituationStatus
TRANSITIONS = {
    S.ASSESSMENT: {
        S.SUPPORT: "Engager un accompagnement",
        S.WATCH: "Placer en veille",
        S.CLOSED: "Clôturer",
    },
    S.SUPPORT: {S.WATCH: "Placer en veille", S.CLOSED: "Clôturer"},
    S.WATCH: {S.SUPPORT: "Engager un accompagnement", S.CLOSED: "Clôturer"},
    S.CLOSED: {S.ARCHIVED: "Archiver"},
    S.ARCHIVED: {},
}

MEASURE_TRANSITIONS = {
    MeasureStatus.PROPOSED: {MeasureStatus.ACCEPTED, MeasureStatus.REFUSED},
    MeasureStatus.ACCEPTED: {MeasureStatus.ONGOING, MeasureStatus.ENDED},
    MeasureStatus.ONGOING: {MeasureStatus.ENDED},
    MeasureStatus.REFUSED: set(),
    MeasureStatus.ENDED: set(),
}


class SituationQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.situations(self, user)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def current(self):
        """Not archived: the archive is reached apart, with a stated reason."""
        return self.exclude(status=SituationStatus.ARCHIVED)

    def to_review(self):
        """Open situations by review date, overdue first (the earliest date first)."""
        return self.open().filter(next_review_on__isnull=False).order_by("next_review_on", "pk")

    def archive_due(self, *, now=None):
        cutoff = (now or timezone.now()) - timedelta(days=ARCHIVE_DELAY_DAYS)
        return self.filter(status=SituationStatus.CLOSED, closed_at__lte=cutoff)


class Situation(Sealed):
    """The follow-up of one person by one cell, from the qualification that opens it to the archive."""

    SEALED = {"closure_text": str}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cell = models.ForeignKey(
        "accounts.Cell", verbose_name="cellule", on_delete=models.PROTECT, related_name="situations"
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="personne concernée",
        on_delete=models.PROTECT,
        related_name="situations",
    )
    status = models.CharField(
        "état", max_length=20, choices=SituationStatus.choices, default=SituationStatus.ASSESSMENT
    )
    referent = models.ForeignKey(
        "accounts.User",
        verbose_name="référent de parcours",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="situations_followed",
    )
    opened_at = models.DateTimeField("ouverte le", default=timezone.now)
    opened_by = models.ForeignKey(
        "accounts.User", verbose_name="ouverte par", on_delete=models.PROTECT, related_name="+"
    )
    next_review_on = models.DateField("prochaine revue le", null=True, blank=True)
    closure_reason = models.CharField(
        "motif de clôture", max_length=30, choices=ClosureReason.choices, blank=True
    )
    closure_text_encrypted = EncryptedField(null=True)
    closed_at = models.DateTimeField("clôturée le", null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User",
        verbose_name="clôturée par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    archived_at = models.DateTimeField("archivée le", null=True, blank=True)

    objects = SituationQuerySet.as_manager()

    class Meta:
        verbose_name = "situation"
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["cell", "status", "next_review_on"], name="situation_review"),
        ]
        constraints = [
            # One open situation per person: a new report joins it.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["assessment", "support", "watch"]),
                name="situation_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["assessment", "support", "watch"])
                | (Q(closed_at__isnull=False) & ~Q(closure_reason="")),
                name="situation_closed_has_reason",
            ),
        ]

    def __str__(self):
        return f"Situation {self.reference}"  # never a name: __str__ ends up in logs

    @property
    def reference(self) -> str:
        return str(self.pk).split("-")[0].upper()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_review_overdue(self) -> bool:
        return (
            self.is_open
            and self.next_review_on is not None
            and self.next_review_on < timezone.localdate()
        )

    @property
    def closure_text(self) -> str:
        return self.unseal(self.person.cipher(), ["closure_text"])["closure_text"]

    @property
    def archive_due_on(self):
        if self.closed_at is None:
            return None
        return (self.closed_at + timedelta(days=ARCHIVE_DELAY_DAYS)).date()

    def allowed_transitions(self) -> dict:
        return TRANSITIONS[SituationStatus(self.status)]

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_situation(self, user)


class SituationEvent(Sealed):
    """One step of the situation's life: who, when, what and why (the why encrypted)."""

    SEALED = {"reason": str}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("nature", max_length=20, choices=EventKind.choices)
    from_status = models.CharField(
        "état précédent", max_length=20, choices=SituationStatus.choices, blank=True
    )
    to_status = models.CharField(
        "nouvel état", max_length=20, choices=SituationStatus.choices, blank=True
    )
    at = models.DateTimeField("le", default=timezone.now)
    by = models.ForeignKey(
        "accounts.User", verbose_name="par", on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason_encrypted = EncryptedField(null=True)

    class Meta:
        verbose_name = "événement de situation"
        ordering = ["at"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d})"


class MeasureQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.measures(self, user)


class Measure(Sealed):
    """A measure of the plan d'accompagnement, taken on by a partner organisation, with consent."""

    SEALED = {"outcome": str}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    situation = models.ForeignKey(
        Situation, verbose_name="situation", on_delete=models.CASCADE, related_name="measures"
    )
    kind = models.CharField("nature", max_length=30, choices=MeasureKind.choices)
    provider = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="organisme porteur",
        on_delete=models.PROTECT,
        related_name="measures",
    )
    referent = models.ForeignKey(
        "accounts.User",
        verbose_name="référent de la mesure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures_followed",
    )
    status = models.CharField(
        "état", max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PROPOSED
    )
    proposed_on = models.DateField("proposée le", default=timezone.localdate)
    # Libre adhésion: the person's answer, dated; a minor's parents' consent, dated.
    consent_on = models.DateField("réponse de la personne le", null=True, blank=True)
    parental_consent_on = models.DateField("accord des parents le", null=True, blank=True)
    started_on = models.DateField("début", null=True, blank=True)
    ended_on = models.DateField("fin", null=True, blank=True)
    outcome_encrypted = EncryptedField(null=True)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="proposée par", on_delete=models.PROTECT, related_name="+"
    )

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = "mesure"
        ordering = ["proposed_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="proposed") | Q(consent_on__isnull=False),
                name="measure_answer_is_dated",
            ),
        ]

    def __str__(self):
        return f"Mesure {str(self.pk)[:8]} ({self.get_kind_display()})"

    @property
    def cell_id(self):
        """The situation's cell, for the journal."""
        return self.situation.cell_id

    @property
    def person(self):
        return self.situation.person

    @property
    def outcome(self) -> str:
        return self.unseal(self.situation.person.cipher(), ["outcome"])["outcome"]

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_measure(self, user)


class Review(Sealed):
    """A review of the situation: who, when, what changed, and when to look again."""

    SEALED = {"changes": str}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField("revue le", default=timezone.localdate)
    by = models.ForeignKey(
        "accounts.User", verbose_name="par", on_delete=models.PROTECT, related_name="+"
    )
    changes_encrypted = EncryptedField(null=True)
    next_review_on = models.DateField("prochaine revue le")
    created_at = models.DateTimeField("enregistrée le", default=timezone.now)

    class Meta:
        verbose_name = "revue de situation"
        ordering = ["reviewed_on", "created_at"]

    def __str__(self):
        return f"Revue du {self.reviewed_on:%d/%m/%Y}"


class Note(Sealed):
    """A note de suivi: short, dated, factual. Its author may edit it for 24 hours; after that it
    can only be annotated (an annotation is a note pointing at the one it completes)."""

    SEALED = {"text": str}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="notes")
    annotates = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="annotations"
    )
    author = models.ForeignKey(
        "accounts.User", verbose_name="auteur", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("écrite le", default=timezone.now)
    edited_at = models.DateTimeField("modifiée le", null=True, blank=True)
    text_encrypted = EncryptedField(null=True)

    class Meta:
        verbose_name = "note de suivi"
        ordering = ["created_at"]

    def __str__(self):
        return f"Note {str(self.pk)[:8]}"

    @property
    def editable_until(self):
        return self.created_at + timedelta(hours=NOTE_EDIT_HOURS)

    def is_editable_by(self, user) -> bool:
        return self.author_id == user.pk and timezone.now() < self.editable_until
