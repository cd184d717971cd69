import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Case, Q, When
from django.utils import timezone

from cellule.people.models import EncryptedField, Sealed
from cellule.reports.enums import (
    ClosureReason,
    IndicatorDomain,
    RedirectService,
    SignalementStatus,
    SignalStrength,
    SourceCategory,
)

TEXT_MAX_LENGTH = 1000


class IndicatorQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True).order_by("domain_order", "order", "pk")


class Indicator(models.Model):
    """One item of the indicator grid: dated, observable conduct only.

    Versioned: changing an item's wording retires the row and creates its next version, so that
    the reports made with the old wording keep it (their link points at the old row).
    """

    code = models.SlugField("code", max_length=60)
    version = models.PositiveSmallIntegerField("version", default=1)
    is_current = models.BooleanField("en vigueur", default=True)
    domain = models.CharField("domaine", max_length=20, choices=IndicatorDomain.choices)
    domain_order = models.PositiveSmallIntegerField(default=0, editable=False)
    strength = models.CharField("nature du signal", max_length=10, choices=SignalStrength.choices)
    label = models.CharField("libellé", max_length=300)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateur"
        ordering = ["domain_order", "order", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="indicator_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="indicator_one_current_version"
            ),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        self.domain_order = list(IndicatorDomain.values).index(self.domain)
        super().save(*args, **kwargs)

    @property
    def is_imminent_danger(self) -> bool:
        return self.domain == IndicatorDomain.IMMINENT


class SignalementQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.signalements(self, user)

    def filed_by(self, user):
        """The reporter's own reports, for « Mes signalements » (minimal status only)."""
        from cellule.access import scopes

        return scopes.own_signalements(self, user)

    def to_qualify(self):
        """Waiting for qualification: urgent first, then overdue, then oldest (pk keeps pages
        stable)."""
        overdue_first = Case(When(due_on__lt=timezone.localdate(), then=0), default=1)
        return self.filter(status=SignalementStatus.RECEIVED).order_by(
            "-urgent", overdue_first, "created_at", "pk"
        )


class Signalement(Sealed):
    """A fiche de signalement: a trained agent's dated, factual observations about a person."""

    SEALED = {"text": str, "qualification_reason": str}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cell = models.ForeignKey(
        "accounts.Cell",
        verbose_name="cellule",
        on_delete=models.PROTECT,
        related_name="signalements",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name="personne concernée",
        on_delete=models.PROTECT,
        related_name="signalements",
    )
    reporter = models.ForeignKey(
        "accounts.User",
        verbose_name="signalé par",
        on_delete=models.PROTECT,
        related_name="signalements_filed",
    )
    created_at = models.DateTimeField("reçu le", default=timezone.now)
    observed_on = models.DateField("faits observés le")
    source_category = models.CharField("origine", max_length=30, choices=SourceCategory.choices)
    urgent = models.BooleanField("urgence", default=False)
    text_encrypted = EncryptedField(null=True)
    due_on = models.DateField("à qualifier avant le")
    status = models.CharField(
        "état", max_length=20, choices=SignalementStatus.choices, default=SignalementStatus.RECEIVED
    )
    # Duplicate check: the coordinator confirmed a new person, or attached the report to a known one.
    person_checked_at = models.DateTimeField("personne vérifiée le", null=True, blank=True)
    # Qualification: who, when, why, and the outcome(s).
    qualified_at = models.DateTimeField("qualifié le", null=True, blank=True)
    qualified_by = models.ForeignKey(
        "accounts.User",
        verbose_name="qualifié par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    qualification_reason_encrypted = EncryptedField(null=True)
    outcome_closed = models.BooleanField("classé sans suite", default=False)
    closure_reason = models.CharField(
        "motif du classement", max_length=20, choices=ClosureReason.choices, blank=True
    )
    outcome_redirected = models.BooleanField("réorienté vers le droit commun", default=False)
    redirect_service = models.CharField(
        "service", max_length=30, choices=RedirectService.choices, blank=True
    )
    outcome_agenda = models.BooleanField("inscrit à l'ordre du jour", default=False)
    outcome_transmitted = models.BooleanField("transmis à la préfecture", default=False)
    # The situation this report opened or joined (agenda / transmitted outcomes).
    situation = models.ForeignKey(
        "cases.Situation",
        verbose_name="situation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="origin_reports",
    )

    objects = SignalementQuerySet.as_manager()

    class Meta:
        verbose_name = "signalement"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["cell", "status", "created_at"], name="signalement_queue")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome_closed=False)
                | Q(outcome_redirected=False, outcome_agenda=False, outcome_transmitted=False),
                name="signalement_closed_alone",
            ),
            models.CheckConstraint(
                condition=Q(status=SignalementStatus.RECEIVED)
                | Q(outcome_closed=True)
                | Q(outcome_redirected=True)
                | Q(outcome_agenda=True)
                | Q(outcome_transmitted=True),
                name="signalement_qualified_has_outcome",
            ),
        ]

    def __str__(self):
        return f"Signalement {self.reference}"  # never a name: __str__ ends up in logs

    @property
    def reference(self) -> str:
        return str(self.pk).split("-")[0].upper()

    @property
    def text(self) -> str:
        return self.unseal(self.person.cipher(), ["text"])["text"]

    @property
    def qualification_reason(self) -> str:
        return self.unseal(self.person.cipher(), ["qualification_reason"])["qualification_reason"]

    @property
    def is_overdue(self) -> bool:
        return self.status == SignalementStatus.RECEIVED and self.due_on < timezone.localdate()

    @property
    def outcomes(self) -> list[str]:
        labels = []
        if self.outcome_closed:
            labels.append(f"Classé sans suite ({self.get_closure_reason_display().lower()})")
        if self.outcome_redirected:
            labels.append(f"Réorienté : {self.get_redirect_service_display()}")
        if self.outcome_agenda:
            labels.append("Inscrit à l'ordre du jour")
        if self.outcome_transmitted:
            labels.append("Transmis à la préfecture")
        return labels

    @property
    def reporter_status(self) -> str:
        """All a reporter learns: received, or taken into account. Never the outcome."""
        return "Reçu" if self.status == SignalementStatus.RECEIVED else "Pris en compte"

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_signalement(self, user)

    @staticmethod
    def due_date_for(cell, *, received=None):
        received = received or timezone.localdate()
        return received + timedelta(days=cell.qualification_delay_days)


class SignalementIndicator(models.Model):
    signalement = models.ForeignKey(
        Signalement, on_delete=models.CASCADE, related_name="indicators"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name="indicateur", on_delete=models.PROTECT, related_name="+"
    )
    observed_on = models.DateField("observé le")

    class Meta:
        verbose_name = "indicateur observé"
        ordering = ["indicator__domain_order", "indicator__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["signalement", "indicator"], name="signalement_indicator_once"
            )
        ]

    def __str__(self):
        return f"{self.indicator} ({self.observed_on:%d/%m/%Y})"
