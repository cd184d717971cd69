"""Séances: the cell's meetings, their agenda, who sits, and what was decided on each item.

A séance is planned by the coordinator, convened (notifications without personal data), held
(attendance, confidentiality acknowledgements, one decision per item), then its relevé de
décisions is validated by the president. Decision texts are encrypted under the person's data key
(``Sealed``), so that shredding the person erases them too. Writes go through ``services.py``;
reads through ``visible_to`` and ``cellule.access.get_seance`` / ``get_agenda_item``.
"""

import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cellule.meetings.enums import (
    Attendance,
    AttendeeKind,
    DecisionKind,
    ItemOrigin,
    SeanceFormat,
    SeanceStatus,
)
from cellule.people.models import EncryptedField, Sealed

# A convened member sees the situations on the agenda from the convocation to 30 days after.
MEMBER_WINDOW_DAYS = 30
# A guest sees their items from a little before the séance to a little after its planned end.
GUEST_MARGIN = timedelta(minutes=30)
DECISION_TEXT_MAX_LENGTH = 1000


class SeanceQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.seances(self, user)

    def upcoming(self, now=None):
        """Planned séances not over yet, soonest first."""
        now = now or timezone.now()
        return self.filter(status=SeanceStatus.PLANNED, ends_at__gte=now).order_by("starts_at")

    def next_day_of(self, cell_id, after):
        """The day of the cell's next planned séance after ``after`` (a date), if any."""
        seance = (
            self.filter(cell_id=cell_id, status=SeanceStatus.PLANNED, starts_at__date__gt=after)
            .order_by("starts_at")
            .only("starts_at")
            .first()
        )
        return timezone.localtime(seance.starts_at).date() if seance else None

    def history(self, now=None):
        """Held séances, and planned ones whose time has passed, latest first."""
        now = now or timezone.now()
        return self.filter(~Q(status=SeanceStatus.PLANNED) | Q(ends_at__lt=now)).order_by(
            "-starts_at"
        )


class Seance(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cell = models.ForeignKey(
        "accounts.Cell", verbose_name="cellule", on_delete=models.PROTECT, related_name="seances"
    )
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin prévue")
    place = models.CharField("lieu", max_length=200)
    format = models.CharField(
        "format", max_length=20, choices=SeanceFormat.choices, default=SeanceFormat.RESTRICTED
    )
    status = models.CharField(
        "état", max_length=20, choices=SeanceStatus.choices, default=SeanceStatus.PLANNED
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="planifiée par", on_delete=models.PROTECT, related_name="+"
    )
    convened_at = models.DateTimeField("convoquée le", null=True, blank=True)
    held_at = models.DateTimeField("close le", null=True, blank=True)
    held_by = models.ForeignKey(
        "accounts.User",
        verbose_name="close par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    minutes_validated_at = models.DateTimeField("relevé validé le", null=True, blank=True)
    minutes_validated_by = models.ForeignKey(
        "accounts.User",
        verbose_name="relevé validé par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SeanceQuerySet.as_manager()

    class Meta:
        verbose_name = "séance"
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["cell", "status", "starts_at"], name="seance_calendar")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="seance_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"Séance du {timezone.localtime(self.starts_at):%d/%m/%Y}"

    @property
    def title(self) -> str:
        return f"Séance {self.get_format_display().lower()} du {timezone.localtime(self.starts_at):%d/%m/%Y}"

    @property
    def member_window_end(self):
        return self.starts_at + timedelta(days=MEMBER_WINDOW_DAYS)

    def in_guest_window(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == SeanceStatus.PLANNED
            and self.starts_at - GUEST_MARGIN <= now <= self.ends_at + GUEST_MARGIN
        )

    def has_started(self, now=None) -> bool:
        return self.starts_at <= (now or timezone.now())

    def days_until(self, today=None) -> int:
        today = today or timezone.localdate()
        return (timezone.localtime(self.starts_at).date() - today).days

    def attendee_for(self, user):
        """The user's Attendee row in this séance, or None (one query, then cached)."""
        cache = getattr(self, "_attendee_by_user", None)
        if cache is None:
            cache = self._attendee_by_user = {}
        if user.pk not in cache:
            cache[user.pk] = self.attendees.filter(user_id=user.pk).first()
        return cache[user.pk]

    def forget_attendees(self) -> None:
        """To call after a write on the attendees, within the same request."""
        self._attendee_by_user = None

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_seance(self, user)


class Attendee(models.Model):
    """Someone convened to the séance: a member of the cell, or a guest invited for some items."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    seance = models.ForeignKey(Seance, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        "accounts.User",
        verbose_name="personne convoquée",
        on_delete=models.PROTECT,
        related_name="seance_attendances",
    )
    kind = models.CharField("qualité", max_length=10, choices=AttendeeKind.choices)
    items = models.ManyToManyField(
        "AgendaItem", verbose_name="points de l'ordre du jour", blank=True, related_name="guests"
    )
    convened_at = models.DateTimeField("convoqué le", null=True, blank=True)
    attendance = models.CharField(
        "présence", max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    acknowledged_at = models.DateTimeField(
        "engagement de confidentialité le", null=True, blank=True
    )
    acknowledged_by = models.ForeignKey(
        "accounts.User",
        verbose_name="engagement recueilli par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "personne convoquée"
        verbose_name_plural = "personnes convoquées"
        ordering = ["-kind", "user__last_name", "user__first_name"]  # members, then guests
        constraints = [
            models.UniqueConstraint(fields=["seance", "user"], name="attendee_once_per_seance"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.seance})"

    @property
    def cell_id(self):
        return self.seance.cell_id

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_attendee(self, user)


class AgendaItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.agenda_items(self, user)


class AgendaItem(models.Model):
    """One point of the ordre du jour: a situation to review, or a report put on the agenda."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    seance = models.ForeignKey(Seance, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField("rang", default=0)
    situation = models.ForeignKey(
        "cases.Situation",
        verbose_name="situation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    signalement = models.ForeignKey(
        "reports.Signalement",
        verbose_name="signalement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    origin = models.CharField("origine", max_length=10, choices=ItemOrigin.choices)
    added_at = models.DateTimeField("ajouté le", default=timezone.now)
    added_by = models.ForeignKey(
        "accounts.User", verbose_name="ajouté par", on_delete=models.PROTECT, related_name="+"
    )

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        verbose_name = "point de l'ordre du jour"
        verbose_name_plural = "points de l'ordre du jour"
        ordering = ["seance", "position", "added_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(situation__isnull=False) | Q(signalement__isnull=False),
                name="agenda_item_has_subject",
            ),
            models.UniqueConstraint(
                fields=["seance", "situation"],
                condition=Q(situation__isnull=False),
                name="agenda_item_situation_once",
            ),
        ]

    def __str__(self):
        return f"Point {self.position} ({self.seance})"  # never a name: __str__ ends up in logs

    @property
    def cell_id(self):
        return self.seance.cell_id

    @property
    def reference(self) -> str:
        if self.situation_id:
            return str(self.situation_id).split("-")[0].upper()
        return str(self.signalement_id).split("-")[0].upper()

    @property
    def label(self) -> str:
        """The redacted label: a number, never a name."""
        if self.situation_id:
            return f"Situation n° {self.reference}"
        return f"Signalement n° {self.reference}"

    @property
    def person(self):
        return self.situation.person if self.situation_id else self.signalement.person

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_agenda_item(self, user)


class Decision(Sealed):
    """What the cell decided on one item, with its text (encrypted) and who took it."""

    SEALED = {"text": str}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.OneToOneField(AgendaItem, on_delete=models.CASCADE, related_name="decision")
    kind = models.CharField("décision", max_length=20, choices=DecisionKind.choices)
    text_encrypted = EncryptedField(null=True)
    taken_by = models.ManyToManyField(
        "accounts.User", verbose_name="prise par", related_name="+", blank=True
    )
    recorded_at = models.DateTimeField("enregistrée le", default=timezone.now)
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name="enregistrée par", on_delete=models.PROTECT, related_name="+"
    )
    # What the decision changed on the situation (kept for the relevé).
    next_review_on = models.DateField("prochaine revue le", null=True, blank=True)
    measure = models.ForeignKey(
        "cases.Measure",
        verbose_name="mesure proposée",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    referent = models.ForeignKey(
        "accounts.User",
        verbose_name="référent désigné",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "décision de séance"
        ordering = ["recorded_at"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.item})"

    @property
    def cell_id(self):
        return self.item.seance.cell_id


def next_seance_day(cell_id, after):
    """For cases: a situation's next review defaults to the cell's next séance."""
    return Seance.objects.next_day_of(cell_id, after)
