"""The deadline of the State's feedback, its reminders, and the general briefing owed twice a year
(frozen clock)."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cellule.alerts.models import Notification
from cellule.exchanges import services
from cellule.exchanges.models import Transmission
from tests.cases.factories import open_situation
from tests.conftest import text
from tests.exchanges.factories import transmit

pytestmark = pytest.mark.django_db


def run_periodic():
    call_command("run_periodic", stdout=StringIO())


@pytest.fixture
def report(cell, coordinator, prefecture, referent):
    return transmit(open_situation(cell, by=coordinator), by=coordinator)


def test_the_deadline_is_the_departement_s(cell, coordinator, prefecture):
    prefecture.feedback_deadline_days = 10
    prefecture.save(update_fields=["feedback_deadline_days"])
    transmission = transmit(open_situation(cell, by=coordinator), by=coordinator)
    assert transmission.feedback_due_on == timezone.localdate() + timedelta(days=10)


def test_feedback_due_then_overdue_is_reminded_once_each_on_the_right_side(
    report, coordinator, referent, prefet
):
    due = report.feedback_due_on
    with time_machine.travel(due - timedelta(days=20)):
        run_periodic()
    assert not Notification.objects.filter(kind__startswith="feedback").exists()
    with time_machine.travel(due - timedelta(days=5)):
        run_periodic()
        run_periodic()
    notices = Notification.objects.filter(kind="feedback_due")
    assert [n.recipient for n in notices] == [referent]  # the préfecture's coordinator only
    with time_machine.travel(due + timedelta(days=1)):
        run_periodic()
        run_periodic()
        overdue = Notification.objects.filter(kind="feedback_overdue")
        assert {n.recipient_id for n in overdue} == {referent.pk, coordinator.pk}
        assert report.__class__.objects.get(pk=report.pk).is_feedback_overdue
    assert not Notification.objects.filter(recipient=prefet, kind__startswith="feedback_").exists()


def test_the_overdue_flag_shows_on_both_sides(report, coordinator, referent, client_for):
    with time_machine.travel(report.feedback_due_on + timedelta(days=2)):
        for user in (coordinator, referent):
            page = text(client_for(user).get(reverse("exchanges:detail", args=[report.pk])))
            assert "en retard" in page and "le délai est dépassé" in page
        situation_page = text(
            client_for(coordinator).get(reverse("cases:detail", args=[report.situation_id]))
        )
        assert "Retour d'information en retard" in situation_page


def test_no_reminder_once_the_feedback_is_given(report, referent):
    services.give_feedback(transmission=report, outcome="assessment", by=referent)
    with time_machine.travel(report.feedback_due_on + timedelta(days=3)):
        run_periodic()
        assert not Transmission.objects.get(pk=report.pk).is_feedback_overdue
    assert not Notification.objects.filter(kind__in=["feedback_due", "feedback_overdue"]).exists()


def test_a_reminder_leads_to_the_transmission(report, referent, client_for):
    with time_machine.travel(report.feedback_due_on + timedelta(days=1)):
        run_periodic()
        notice = Notification.objects.get(kind="feedback_overdue", recipient=referent)
        response = client_for(referent).get(reverse("alerts:open", kwargs={"pk": notice.pk}))
    assert response.url == reverse("exchanges:detail", kwargs={"pk": report.pk})
    assert "Lefèvre" not in notice.text and "Martin" not in notice.text


# --- General briefing ----------------------------------------------------------------------------


def test_a_commune_which_asked_and_had_none_for_six_months_is_reminded_to_the_prefecture(
    cell, coordinator, prefecture, referent
):
    request = services.request_briefing(cell=cell, by=coordinator)
    with time_machine.travel(timezone.now() + timedelta(days=150)):
        run_periodic()
    assert not Notification.objects.filter(recipient=referent, kind="feedback_due").exists()
    with time_machine.travel(timezone.now() + timedelta(days=190)):
        run_periodic()
        run_periodic()
    reminder = Notification.objects.get(recipient=referent, kind="feedback_due")
    assert reminder.target_id == str(request.pk)


def test_a_briefing_held_restarts_the_six_months(cell, coordinator, prefecture, referent):
    start = timezone.now()
    request = services.request_briefing(cell=cell, by=coordinator)
    with time_machine.travel(start + timedelta(days=30)):
        services.record_briefing_held(
            transmission=request,
            held_on=timezone.localdate(),
            channel="bilateral",
            by=referent,
        )
    with time_machine.travel(start + timedelta(days=190)):
        run_periodic()  # 160 days since the briefing
    assert not Notification.objects.filter(kind="feedback_due").exists()
    with time_machine.travel(start + timedelta(days=30 + 184)):
        run_periodic()
    assert Notification.objects.filter(kind="feedback_due", recipient=referent).count() == 1


def test_a_notice_about_a_transmission_one_cannot_see_ends_in_a_404(coordinator, client_for):
    from cellule.alerts.services import notify

    (notice,) = notify(
        kind="transmission_received",
        recipients=[coordinator],
        target=("exchanges.transmission", "0b0e7c1e-0000-4000-8000-000000000000"),
        key="inconnue",
    )
    client = client_for(coordinator)
    response = client.get(reverse("alerts:open", kwargs={"pk": notice.pk}))
    assert client.get(response.url).status_code == 404
