"""Séances seen from the rest of Cellule: notifications, the dashboard, the situation's timeline,
the statistics, the lists' query bounds, the demo."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cellule.alerts.models import Notification
from cellule.cases import services as case_services
from cellule.meetings import services
from cellule.meetings.enums import DecisionKind
from tests.cases.factories import open_situation
from tests.conftest import text
from tests.meetings.factories import attendee, hold, move, plan, started

pytestmark = pytest.mark.django_db


def test_convening_notifies_each_attendee_once_without_personal_data(
    cell, coordinator, member, guest, client_for
):
    situation = open_situation(cell, by=coordinator, last_name="Quesnel-Vidal", first_name="Maëlys")
    seance = plan(cell, members=[coordinator, member], by=coordinator)
    services.invite_guest(
        seance=seance, user=guest, items=[seance.items.get(situation=situation)], by=coordinator
    )
    assert not Notification.objects.filter(kind="seance_convened").exists()
    client = client_for(coordinator)
    client.post(reverse("meetings:convene", kwargs={"pk": seance.pk}))
    client.post(reverse("meetings:convene", kwargs={"pk": seance.pk}))
    notices = Notification.objects.filter(kind="seance_convened")
    assert sorted(n.recipient_id for n in notices) == sorted([coordinator.pk, member.pk, guest.pk])
    for notice in notices:
        assert "Quesnel" not in notice.text and "Maëlys" not in notice.text
    opened = client_for(member).get(
        reverse("alerts:open", kwargs={"pk": notices.get(recipient=member).pk})
    )
    assert opened.url == reverse("meetings:detail", kwargs={"pk": seance.pk})


def test_an_agenda_change_after_convocation_is_notified(cell, coordinator, member):
    situation = open_situation(cell, by=coordinator)
    seance = plan(cell, members=[coordinator, member], by=coordinator)
    seance = services.convene_seance(seance=seance, by=coordinator)
    services.remove_agenda_item(item=seance.items.get(situation=situation), by=coordinator)
    services.add_agenda_item(seance=seance, situation=situation, by=coordinator)
    changed = Notification.objects.filter(kind="seance_agenda_changed")
    assert [n.recipient for n in changed] == [member]  # once a day, not to its author


def test_a_new_date_reconvenes_and_a_new_member_is_convened(
    cell, coordinator, member, state_delegate
):
    seance = services.convene_seance(seance=plan(cell, members=[member]), by=coordinator)
    later = seance.starts_at + timedelta(days=2)
    services.update_seance(
        seance=seance,
        starts_at=later,
        ends_at=later + timedelta(hours=2),
        place="Salle 2",
        format="restricted",
        members=[member, state_delegate],
        by=coordinator,
    )
    convened = Notification.objects.filter(kind="seance_convened")
    assert convened.filter(recipient=member).count() == 2
    assert convened.filter(recipient=state_delegate).exists()
    assert attendee(seance, state_delegate).convened_at is not None


def test_the_dashboard_shows_the_next_seance_with_its_countdown(
    cell, coordinator, member, client_for
):
    open_situation(cell, by=coordinator)
    seance = services.convene_seance(
        seance=plan(cell, members=[member], starts_at=timezone.now() + timedelta(days=5)),
        by=coordinator,
    )
    page = text(client_for(member).get(reverse("core:home")))
    assert "Prochaine séance" in page and f"J-{seance.days_until()}" in page
    assert "1 point à l'ordre du jour" in page
    assert reverse("meetings:detail", kwargs={"pk": seance.pk}) in page
    page = text(client_for(coordinator).get(reverse("core:home")))
    assert f"J-{seance.days_until()}" in page


def test_the_dashboard_of_a_member_not_convened_shows_no_seance(
    cell, coordinator, member, state_delegate, client_for
):
    services.convene_seance(seance=plan(cell, members=[member]), by=coordinator)
    page = text(client_for(state_delegate).get(reverse("core:home")))
    assert "Aucune séance prévue" in page


def test_a_guest_dashboard_shows_their_seance(cell, coordinator, member, guest, client_for):
    situation = open_situation(cell, by=coordinator, last_name="Quesnel-Vidal")
    seance = plan(cell, members=[member], by=coordinator)
    services.invite_guest(
        seance=seance, user=guest, items=[seance.items.get(situation=situation)], by=coordinator
    )
    services.convene_seance(seance=seance, by=coordinator)
    page = text(client_for(guest).get(reverse("core:home")))
    assert "Vous êtes invité(e) pour certains points" in page
    assert "Quesnel-Vidal" not in page


def test_the_timeline_shows_the_seance_and_the_text_to_who_may_read_it(
    cell, coordinator, member, state_delegate, client_for
):
    situation = open_situation(cell, by=coordinator)
    case_services.assign_referent(situation=situation, referent=member, by=coordinator)
    seance = hold(started(cell, members=[coordinator, member]), by=coordinator)
    day = timezone.localtime(seance.starts_at)
    page = text(client_for(member).get(reverse("cases:detail", kwargs={"pk": situation.pk})))
    assert (
        f"Examinée en séance du {day:%d/%m/%Y} (restreinte) : poursuivre l'accompagnement" in page
    )
    assert "Poursuivre : point au prochain trimestre." in page

    # The state delegate, convened to a later séance with the situation on its agenda, reads
    # the situation but not the text of a decision taken without them.
    later = services.convene_seance(
        seance=plan(cell, members=[state_delegate], by=coordinator), by=coordinator
    )
    services.add_agenda_item(seance=later, situation=situation, by=coordinator)
    page = text(
        client_for(state_delegate).get(reverse("cases:detail", kwargs={"pk": situation.pk}))
    )
    assert f"Examinée en séance du {day:%d/%m/%Y}" in page
    assert "Poursuivre : point au prochain trimestre." not in page
    assert "Inscrite à l'ordre du jour de la séance du" in page


def test_lists_and_pages_have_query_bounds(
    cell, coordinator, member, client_for, django_assert_max_num_queries
):
    for last, first in [
        ("Lefèvre", "Benoît"),
        ("Roux", "Anna"),
        ("Garcia", "Inès"),
        ("Petit", "Lucas"),
    ]:
        open_situation(cell, by=coordinator, last_name=last, first_name=first)
    seance = started(cell, members=[coordinator, member])
    for days in (3, 40, 80):
        hold(
            move(
                services.convene_seance(seance=plan(cell, members=[member]), by=coordinator),
                timezone.now() - timedelta(days=days),
            ),
            by=coordinator,
        )
    client = client_for(coordinator)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("meetings:list")).status_code == 200
    with django_assert_max_num_queries(40):
        page = text(client.get(reverse("meetings:detail", kwargs={"pk": seance.pk})))
    assert all(name in page for name in ("Lefèvre", "Roux", "Garcia", "Petit"))
    with django_assert_max_num_queries(45):
        assert client.get(reverse("meetings:room", kwargs={"pk": seance.pk})).status_code == 200


def test_the_statistics_count_seances_by_format(cell, president, coordinator, member, client_for):
    for fmt in ("plenary", "restricted", "restricted"):
        hold(started(cell, members=[coordinator, member], format=fmt), by=coordinator)
    page = text(client_for(president).get(reverse("stats:cell")))
    assert "Séances tenues, par format" in page


def test_the_demo_seeds_two_seances_once(db):
    from cellule.core.demo import seed_demo
    from cellule.meetings.models import Seance

    seed_demo()
    seed_demo()
    seances = list(Seance.objects.order_by("starts_at"))
    assert [s.status for s in seances] == ["minutes_validated", "planned"]
    past, upcoming = seances
    assert past.items.filter(decision__isnull=False).count() == past.items.count() > 0
    assert upcoming.convened_at is not None and upcoming.items.exists()
    assert 9 <= upcoming.days_until() <= 10
    assert upcoming.attendees.filter(kind="guest").exists()
    assert DecisionKind.ADJOURN in past.items.values_list("decision__kind", flat=True)


def test_a_review_defaults_to_the_next_seance_or_to_ninety_days(cell, coordinator):
    """Architecture: a situation is reviewed at every séance, or every 90 days."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from cellule.cases.services import record_review
    from cellule.meetings.models import Seance
    from tests.cases.factories import open_situation

    situation = open_situation(cell, by=coordinator, last_name="Garnier")
    today = timezone.localdate()
    assert situation.next_review_on == today + timedelta(days=90)

    day = today + timedelta(days=20)
    starts = timezone.make_aware(datetime.combine(day, time(14, 0)))
    Seance.objects.create(
        cell=cell,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place="Salle du conseil",
        format="restricted",
        created_by=coordinator,
    )
    review = record_review(situation=situation, changes="Reprise du collège.", by=coordinator)
    assert review.next_review_on == day
    situation.refresh_from_db()
    assert situation.next_review_on == day
