"""The situation's life as an explicit state machine: every allowed and every refused step."""

from datetime import timedelta
from itertools import product

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cellule.cases import services
from cellule.cases.enums import SituationStatus as S
from cellule.cases.models import Situation, SituationEvent
from tests.cases.factories import archived_situation, closed_situation, open_situation

ALLOWED = {
    (S.ASSESSMENT, S.SUPPORT),
    (S.ASSESSMENT, S.WATCH),
    (S.ASSESSMENT, S.CLOSED),
    (S.SUPPORT, S.WATCH),
    (S.SUPPORT, S.CLOSED),
    (S.WATCH, S.SUPPORT),
    (S.WATCH, S.CLOSED),
    (S.CLOSED, S.ARCHIVED),
}


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_the_transitions_table_allows_exactly_the_documented_steps(current, target):
    if (current, target) in ALLOWED:
        services.check_transition(current, target)
    else:
        with pytest.raises(ValidationError) as error:
            services.check_transition(current, target)
        assert "ne peut pas passer à l'état" in error.value.messages[0]


@pytest.mark.parametrize(
    ("path", "final"),
    [
        ([S.SUPPORT], S.SUPPORT),
        ([S.WATCH], S.WATCH),
        ([S.SUPPORT, S.WATCH], S.WATCH),
        ([S.WATCH, S.SUPPORT], S.SUPPORT),
    ],
)
def test_each_step_is_recorded_with_who_when_and_why(cell, coordinator, path, final):
    situation = open_situation(cell, by=coordinator)
    for target in path:
        situation = services.transition_situation(
            situation=situation, to=target, reason=f"vers {target}", by=coordinator
        )
    assert Situation.objects.get(pk=situation.pk).status == final
    events = list(situation.events.filter(kind="transition").order_by("at"))
    assert [(e.to_status, e.by_id) for e in events] == [(t, coordinator.pk) for t in path]
    cipher = situation.person.cipher()
    assert [e.unseal(cipher)["reason"] for e in events] == [f"vers {t}" for t in path]


@pytest.mark.parametrize("target", [S.ASSESSMENT, S.SUPPORT])
def test_a_refused_step_changes_nothing(cell, coordinator, target):
    situation = open_situation(cell, by=coordinator)
    if target == S.SUPPORT:
        situation = services.transition_situation(
            situation=situation, to=S.SUPPORT, reason="adhésion", by=coordinator
        )
    events = SituationEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.transition_situation(situation=situation, to=target, reason="x", by=coordinator)
    assert "ne peut pas passer" in error.value.messages[0]
    assert SituationEvent.objects.count() == events
    assert Situation.objects.get(pk=situation.pk).status == situation.status


def test_closing_and_archiving_are_not_plain_transitions(cell, coordinator):
    situation = open_situation(cell, by=coordinator)
    for target in (S.CLOSED, S.ARCHIVED):
        with pytest.raises(ValidationError, match="clôture se fait avec un motif"):
            services.transition_situation(
                situation=situation, to=target, reason="x", by=coordinator
            )


def test_a_transition_needs_a_reason_and_the_ability(cell, coordinator, member):
    situation = open_situation(cell, by=coordinator)
    with pytest.raises(ValidationError) as error:
        services.transition_situation(situation=situation, to=S.WATCH, reason=" ", by=coordinator)
    assert error.value.message_dict["reason"] == ["Indiquez le motif du changement."]
    with pytest.raises(PermissionDenied):
        services.transition_situation(situation=situation, to=S.WATCH, reason="x", by=member)


def test_a_closed_situation_is_read_only_and_cannot_be_reopened(cell, coordinator):
    situation = closed_situation(cell, by=coordinator)
    abilities = situation.abilities(coordinator)
    assert abilities["view"]
    assert not any(
        abilities[name] for name in ("transition", "close", "manage_measures", "review", "add_note")
    )
    with pytest.raises(PermissionDenied):
        services.transition_situation(situation=situation, to=S.SUPPORT, reason="x", by=coordinator)
    with pytest.raises(PermissionDenied):
        services.close_situation(
            situation=situation, reason="other", text="x", reviews=[], by=coordinator
        )


def test_closure_needs_a_listed_reason_and_a_text(cell, coordinator):
    situation = open_situation(cell, by=coordinator)
    with pytest.raises(ValidationError) as error:
        services.close_situation(
            situation=situation, reason="because", text="x", reviews=[], by=coordinator
        )
    assert "motif de clôture dans la liste" in error.value.messages[0]
    with pytest.raises(ValidationError):
        services.close_situation(
            situation=situation, reason="other", text="  ", reviews=[], by=coordinator
        )
    assert Situation.objects.get(pk=situation.pk).status == S.ASSESSMENT


def test_archive_after_the_delay_only_and_idempotently(cell, coordinator):
    old = closed_situation(cell, by=coordinator)
    assert services.archive_due_situations() == 0  # not before the delay
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        recent = closed_situation(cell, by=coordinator, last_name="Roux", first_name="Anna")
        assert services.archive_due_situations() == 1
        assert services.archive_due_situations() == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == (S.ARCHIVED, S.CLOSED)
    assert old.archived_at is not None
    event = old.events.get(to_status=S.ARCHIVED)
    assert event.by is None and event.from_status == S.CLOSED


def test_the_archive_command_reports_what_it_moved(cell, coordinator):
    from io import StringIO

    from django.core.management import call_command

    closed_situation(cell, by=coordinator)
    out = StringIO()
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        call_command("archive_situations", stdout=out)
    assert out.getvalue().strip() == "1 situation(s) archivée(s)."


def test_an_archived_situation_cannot_move(cell, coordinator):
    situation = archived_situation(cell, by=coordinator)
    with pytest.raises(ValidationError):
        services.check_transition(situation.status, S.CLOSED)
    assert situation.abilities(coordinator)["view_archived"]
    assert not situation.abilities(coordinator)["view"]
