"""The registry of retention rules: every model holding personal data is covered (meta-test),
and the legal bounds hold."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.test.utils import isolate_apps

from cellule.accounts.models import User
from cellule.cases.models import Situation
from cellule.journal.models import AuditEvent
from cellule.privacy import rules, services
from cellule.privacy.models import RetentionSetting


def test_every_model_holding_personal_data_is_covered_by_a_rule_or_an_exemption():
    assert rules.uncovered() == []


def test_the_definition_catches_what_holds_personal_data_and_only_that():
    personal = rules.holds_personal_data()
    # Stores it itself: encrypted fields, blind indexes, the accounts and persons tables.
    assert {"people.person", "accounts.user", "cases.note", "privacy.rightsrequest"} <= personal
    # Points at it, directly or through another table.
    assert {"cases.measure", "reports.signalementindicator", "alerts.notification"} <= personal
    # Reference data and anonymous facts do not.
    assert not {"territory.commune", "reports.indicator", "stats.fact", "accounts.cell"} & personal
    assert "privacy.purgecertificate" not in personal  # counts only, no reference


def test_what_points_at_a_situation_follows_it():
    covered = rules.coverage()
    for label in ("cases.measure", "cases.note", "cases.review", "cases.situationevent"):
        assert covered[label] == "suit cases.situation"
    assert covered["privacy.legalhold"].startswith("suit ")
    assert covered["people.personkey"] == "suit people.person"


@isolate_apps("cellule.privacy")
def test_a_new_model_with_personal_data_and_no_rule_is_caught():
    class Dossier(models.Model):  # noqa: DJ008
        author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

        class Meta:
            app_label = "privacy"

    class Anonyme(models.Model):  # noqa: DJ008
        count = models.IntegerField()

        class Meta:
            app_label = "privacy"

    candidates = [*rules._base_models(), Dossier, Anonyme]
    assert "privacy.dossier" in rules.holds_personal_data(candidates)
    assert "privacy.anonyme" not in rules.holds_personal_data(candidates)
    assert rules.uncovered(candidates) == ["privacy.dossier"]


@isolate_apps("cellule.privacy")
def test_a_model_pointing_at_a_situation_holds_personal_data_and_would_follow_it():
    class Suivi(models.Model):  # noqa: DJ008
        situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "privacy"

    assert "privacy.suivi" in rules.holds_personal_data([*rules._base_models(), Suivi])
    # Séance items (meetings) point at situations: they follow them without a rule of their own.
    if rules._installed("meetings.agendaitem"):
        follows = {model._meta.label_lower for model, _ in rules.following_relations(Situation)}
        assert "meetings.agendaitem" in follows


def test_each_rule_has_bounds_around_its_default_and_a_basis():
    for rule in rules.RULES.values():
        assert rule.min_days <= rule.default_days <= rule.max_days, rule.code
        assert rule.label and rule.basis and rule.starts, rule.code
        for label in rule.models:
            assert label in rules.coverage(), label


def test_the_defaults_of_the_issue():
    assert rules.get_rule("signalement_unfounded").default_days == 90
    assert rules.get_rule("signalement_closed").default_days == 365
    assert rules.get_rule("situation").default_days == 3 * 365
    assert rules.get_rule("journal").default_days == 12  # months
    assert rules.days_label(90) == "3 mois"
    assert rules.days_label(1095) == "3 ans"
    assert rules.days_label(45) == "45 jours"


@pytest.mark.django_db
def test_a_coordinator_sets_a_delay_within_the_bounds_and_it_is_journaled(cell, coordinator):
    setting = services.set_retention(cell=cell, rule="situation", days=2 * 365, by=coordinator)
    assert RetentionSetting.objects.get(cell=cell, rule="situation").days == 730
    event = AuditEvent.objects.filter(target_id=str(setting.pk)).get()
    assert event.actor_id == coordinator.pk and "situation" in event.reason


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rule", "days", "message"),
    [
        ("situation", 4 * 365, "entre 365 et 1095 jours"),
        ("signalement_unfounded", 10, "entre 30 et 90 jours"),
        ("journal", 6, "pas réglable"),
        ("person", 0, "pas réglable"),
    ],
)
def test_a_delay_outside_the_bounds_is_refused_in_french(cell, coordinator, rule, days, message):
    with pytest.raises(ValidationError, match=message):
        services.set_retention(cell=cell, rule=rule, days=days, by=coordinator)
    assert not RetentionSetting.objects.exists()


@pytest.mark.django_db
def test_only_the_coordinator_sets_delays(cell, president, dpo):
    for user in (president, dpo):
        with pytest.raises(PermissionDenied):
            services.set_retention(cell=cell, rule="situation", days=400, by=user)


@pytest.mark.django_db
def test_the_model_validation_enforces_the_same_bounds(cell):
    with pytest.raises(ValidationError):
        RetentionSetting(cell=cell, rule="signalement_closed", days=800).full_clean()
