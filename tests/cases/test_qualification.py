"""Qualifying a report « agenda » or « transmitted » opens a situation, or joins the open one."""

import pytest

from cellule.cases.enums import SituationStatus
from cellule.cases.models import Situation
from cellule.reports import services
from tests.cases.factories import closed_situation, open_situation
from tests.reports.factories import file_signalement


def _qualify(signalement, by, **outcomes):
    if signalement.person_checked_at is None:
        services.confirm_new_person(signalement=signalement, by=by)
    services.qualify_signalement(
        signalement=signalement,
        decision=services.Qualification(reason="Motif.", **outcomes),
        by=by,
    )
    signalement.refresh_from_db()
    return signalement


@pytest.mark.parametrize(
    "outcomes", [{"agenda": True}, {"transmitted": True}, {"agenda": True, "transmitted": True}]
)
def test_agenda_or_transmission_opens_a_situation(cell, coordinator, outcomes):
    signalement = _qualify(file_signalement(cell), coordinator, **outcomes)
    situation = signalement.situation
    assert situation.status == SituationStatus.ASSESSMENT
    assert (situation.person_id, situation.cell_id) == (signalement.person_id, cell.pk)
    assert situation.next_review_on is not None
    assert situation.events.get().kind == "opened"


@pytest.mark.parametrize(
    "outcomes",
    [
        {"closed": True, "closure_reason": "unfounded"},
        {"redirected": True, "redirect_service": "ccas"},
    ],
)
def test_closing_or_redirecting_opens_nothing(cell, coordinator, outcomes):
    signalement = _qualify(file_signalement(cell), coordinator, **outcomes)
    assert signalement.situation is None
    assert not Situation.objects.exists()


def test_a_new_report_on_a_followed_person_joins_the_open_situation(cell, coordinator):
    situation = open_situation(cell, by=coordinator)
    second = file_signalement(cell, last_name="Martin", first_name="Léa")
    services.attach_to_person(signalement=second, person=situation.person, by=coordinator)
    second = _qualify(second, coordinator, agenda=True)
    assert second.situation_id == situation.pk
    assert Situation.objects.count() == 1
    assert situation.origin_reports.count() == 2
    assert situation.events.filter(kind="report_attached").exists()


def test_after_closure_a_new_report_opens_a_new_situation(cell, coordinator):
    closed = closed_situation(cell, by=coordinator)
    again = file_signalement(cell, last_name="Martin", first_name="Léa")
    services.attach_to_person(signalement=again, person=closed.person, by=coordinator)
    again = _qualify(again, coordinator, agenda=True)
    assert again.situation_id != closed.pk
    assert again.situation.person_id == closed.person_id
