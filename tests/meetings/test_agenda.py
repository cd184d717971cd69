"""Planning and the agenda: what is proposed, what the coordinator changes, bad input refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cellule.cases import services as case_services
from cellule.cases.models import Situation
from cellule.meetings import services
from cellule.meetings.enums import ItemOrigin
from cellule.meetings.models import AgendaItem, Seance
from tests.cases.factories import closed_situation, open_situation
from tests.conftest import text
from tests.meetings.factories import plan

pytestmark = pytest.mark.django_db


def _due(situation, days):
    Situation.objects.filter(pk=situation.pk).update(
        next_review_on=timezone.localdate() + timedelta(days=days)
    )


@pytest.fixture
def reviewed(cell, coordinator):
    """A situation whose report was already examined in a séance: only its review date counts."""
    situation = open_situation(cell, by=coordinator, last_name="Roux", first_name="Anna")
    situation.origin_reports.update(outcome_agenda=False, outcome_transmitted=True)
    return situation


def test_the_proposal_takes_reports_on_the_agenda_then_reviews_due_by_the_day(
    cell, coordinator, member, reviewed
):
    new = open_situation(cell, by=coordinator, last_name="Garcia", first_name="Inès")
    due = open_situation(cell, by=coordinator, last_name="Petit", first_name="Lucas")
    due.origin_reports.update(outcome_agenda=False, outcome_transmitted=True)
    _due(due, 9)  # before the séance (in ten days)
    _due(reviewed, 30)  # after it
    closed_situation(cell, by=coordinator, last_name="Faure", first_name="Jade")

    seance = plan(cell, members=[member], by=coordinator)

    items = list(seance.items.order_by("position"))
    assert [(i.situation_id, i.origin) for i in items] == [
        (new.pk, ItemOrigin.REPORT),
        (due.pk, ItemOrigin.REVIEW),
    ]
    assert items[0].signalement.situation_id == new.pk
    assert [i.position for i in items] == [1, 2]


def test_a_situation_on_another_planned_agenda_is_not_proposed_twice(cell, coordinator, member):
    situation = open_situation(cell, by=coordinator)
    first = plan(cell, members=[member], by=coordinator)
    second = plan(cell, members=[member], by=coordinator)
    assert first.items.filter(situation=situation).exists()
    assert not second.items.exists()


def test_refreshing_adds_what_became_due_and_nothing_twice(cell, coordinator, member, reviewed):
    seance = plan(cell, members=[member], by=coordinator)
    assert not seance.items.exists()
    _due(reviewed, 3)
    assert len(services.propose_agenda(seance=seance, by=coordinator)) == 1
    assert services.propose_agenda(seance=seance, by=coordinator) == []
    assert seance.items.get().situation_id == reviewed.pk


def test_the_coordinator_adds_moves_and_removes_items(
    cell, coordinator, member, reviewed, client_for
):
    other = open_situation(cell, by=coordinator, last_name="Garcia", first_name="Inès")
    seance = plan(cell, members=[member], by=coordinator)  # proposes « other » (its report)
    client = client_for(coordinator)
    response = client.post(
        reverse("meetings:agenda_add", kwargs={"pk": seance.pk}),
        {"situation": str(reviewed.pk)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Roux Anna" in text(response) and "<html" not in response.content.decode()
    added = seance.items.get(situation=reviewed)
    assert (added.origin, added.position) == (ItemOrigin.ADDED, 2)

    client.post(reverse("meetings:item_move", kwargs={"pk": added.pk}), {"sens": "haut"})
    assert list(seance.items.order_by("position").values_list("situation_id", flat=True)) == [
        reviewed.pk,
        other.pk,
    ]
    client.post(reverse("meetings:item_remove", kwargs={"pk": added.pk}))
    assert list(seance.items.values_list("situation_id", "position")) == [(other.pk, 1)]


def test_adding_twice_or_a_closed_situation_is_refused(cell, coordinator, member):
    situation = open_situation(cell, by=coordinator)
    closed = closed_situation(cell, by=coordinator, last_name="Faure", first_name="Jade")
    seance = plan(cell, members=[member], by=coordinator)
    with pytest.raises(ValidationError, match="déjà à l'ordre du jour"):
        services.add_agenda_item(seance=seance, situation=situation, by=coordinator)
    with pytest.raises(ValidationError, match="situation ouverte"):
        services.add_agenda_item(seance=seance, situation=closed, by=coordinator)


def test_only_the_coordinator_plans_and_edits(cell, president, coordinator, member):
    with pytest.raises(PermissionDenied):
        plan(cell, members=[member], by=president)
    seance = plan(cell, members=[member], by=coordinator)
    with pytest.raises(PermissionDenied):
        services.propose_agenda(seance=seance, by=president)


@pytest.mark.parametrize(
    ("day", "start", "end", "place", "members", "error"),
    [
        (-1, "14:00", "16:00", "Mairie", True, "dans le futur"),
        (5, "14:00", "13:00", "Mairie", True, "La fin doit suivre le début"),
        (5, "14:00", "16:00", "", True, "Ce champ est obligatoire"),
        (5, "14:00", "16:00", "Mairie", False, "Ce champ est obligatoire"),
    ],
)
def test_the_planning_form_says_what_is_wrong_in_french(
    cell, coordinator, member, client_for, day, start, end, place, members, error
):
    data = {
        "day": (timezone.localdate() + timedelta(days=day)).isoformat(),
        "start": start,
        "end": end,
        "place": place,
        "format": "restricted",
    }
    if members:
        data["members"] = [str(member.pk)]
    response = client_for(coordinator).post(reverse("meetings:new"), data)
    assert response.status_code == 200
    assert error in text(response)
    assert not Seance.objects.exists()


def test_planning_through_the_form_convenes_nobody_yet(cell, coordinator, member, client_for):
    from cellule.alerts.models import Notification

    response = client_for(coordinator).post(
        reverse("meetings:new"),
        {
            "day": (timezone.localdate() + timedelta(days=12)).isoformat(),
            "start": "14:00",
            "end": "16:30",
            "place": "Hôtel de ville",
            "format": "plenary",
            "members": [str(member.pk), str(coordinator.pk)],
        },
    )
    seance = Seance.objects.get()
    assert response.url == reverse("meetings:detail", kwargs={"pk": seance.pk})
    assert timezone.localtime(seance.starts_at).strftime("%H:%M") == "14:00"
    assert set(seance.attendees.values_list("user_id", flat=True)) == {member.pk, coordinator.pk}
    assert not Notification.objects.exists()


def test_a_report_item_without_situation_opens_it_on_decision(cell, coordinator, member):
    """Defensive: a report on the agenda whose situation is missing gets one at the decision."""
    from cellule.meetings.enums import DecisionKind
    from tests.meetings.factories import move

    situation = open_situation(cell, by=coordinator)
    report = situation.origin_reports.get()
    seance = services.convene_seance(seance=plan(cell, members=[member]), by=coordinator)
    item = seance.items.get()
    # A report put on the agenda by hand whose situation was purged in between.
    AgendaItem.objects.filter(pk=item.pk).update(situation=None)
    report.situation = None
    report.save(update_fields=["situation"])
    case_services.close_situation(
        situation=situation, reason="other", text="Doublon.", reviews=[], by=coordinator
    )
    seance = move(seance, timezone.now() - timedelta(minutes=5))
    services.record_attendance(
        attendee=seance.attendees.get(user=member), attendance="present", by=coordinator
    )
    decision = services.record_decision(
        item=AgendaItem.objects.get(pk=item.pk),
        kind=DecisionKind.CONTINUE,
        text="Évaluation à conduire.",
        taken_by=[member],
        details=services.DecisionDetails(),
        by=coordinator,
    )
    opened = decision.item.situation
    assert opened is not None and opened.pk != situation.pk and opened.is_open
    assert report.pk in opened.origin_reports.values_list("pk", flat=True)
