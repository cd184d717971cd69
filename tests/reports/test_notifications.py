"""The coordinator hears of a new report and of an overdue one; nobody else; no content."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cellule.alerts.models import Notification
from cellule.reports.models import Signalement
from cellule.reports.reminders import remind_qualification_overdue
from tests.reports.factories import file_signalement

pytestmark = pytest.mark.django_db


def test_a_new_report_notifies_the_coordinators_only(
    coordinator, president, member, reporter, cell, client_for
):
    signalement = file_signalement(cell, by=reporter, last_name="Canarinet")
    notes = Notification.objects.filter(kind="signalement_to_qualify")
    assert [n.recipient for n in notes] == [coordinator]
    assert "Canarinet" not in notes.get().text
    response = client_for(coordinator).get(reverse("alerts:open", kwargs={"pk": notes.get().pk}))
    assert response.url == reverse("reports:detail", kwargs={"pk": signalement.pk})


def test_an_overdue_report_is_reminded_once_per_due_date(coordinator, cell):
    signalement = file_signalement(cell)
    Signalement.objects.filter(pk=signalement.pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    now = timezone.now()
    assert remind_qualification_overdue(now=now) == 1
    assert remind_qualification_overdue(now=now) == 0
    assert (
        Notification.objects.filter(kind="qualification_overdue", recipient=coordinator).count()
        == 1
    )
