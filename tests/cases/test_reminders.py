"""run_periodic's work for situations: review notices, and the archive."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cellule.alerts.models import Notification
from cellule.cases.models import Situation
from tests.cases.factories import open_situation

pytestmark = pytest.mark.django_db


def test_overdue_review_is_notified_once_to_coordinators(coordinator, member, cell, client_for):
    situation = open_situation(cell, by=coordinator)
    Situation.objects.filter(pk=situation.pk).update(
        next_review_on=timezone.localdate() - timedelta(days=2)
    )
    call_command("run_periodic", stdout=StringIO())
    call_command("run_periodic", stdout=StringIO())
    notices = Notification.objects.filter(kind="situation_review_overdue")
    assert [n.recipient for n in notices] == [coordinator]
    response = client_for(coordinator).get(reverse("alerts:open", kwargs={"pk": notices.get().pk}))
    assert response.url == reverse("cases:detail", kwargs={"pk": situation.pk})
    assert not Notification.objects.filter(recipient=member).exists()


def test_a_review_far_ahead_is_not_notified(coordinator, cell):
    situation = open_situation(cell, by=coordinator)
    Situation.objects.filter(pk=situation.pk).update(
        next_review_on=timezone.localdate() + timedelta(days=60)
    )
    call_command("run_periodic", stdout=StringIO())
    assert not Notification.objects.filter(kind__startswith="situation_review").exists()


def test_opening_and_closing_a_situation_write_anonymous_facts(coordinator, cell):
    from cellule.stats.models import Fact

    situation = open_situation(cell, by=coordinator)
    opened = Fact.objects.get(kind="situation_opened")
    assert (opened.cell_id, opened.category, opened.age_band) == (cell.pk, "report", "13_17")
    assert situation.pk  # the fact holds no reference to it
    assert not any(
        str(situation.pk) in str(value)
        for value in Fact.objects.values().get(kind="situation_opened").values()
    )


def test_closing_a_situation_writes_its_reason_and_duration(coordinator, cell):
    from cellule.stats.models import Fact
    from tests.cases.factories import closed_situation

    closed_situation(cell, by=coordinator)
    closed = Fact.objects.get(kind="situation_closed")
    assert (closed.category, closed.duration) == ("not_confirmed", "<7j")


def test_a_new_situation_tells_the_president_a_count_not_a_name(coordinator, president, cell):
    from cellule.alerts.models import Notification

    open_situation(cell, by=coordinator, last_name="Canaribel")
    notice = Notification.objects.get(kind="situation_opened")
    assert notice.recipient == president
    assert (notice.target_type, notice.target_id) == ("", "")
    assert "Canaribel" not in notice.text


def test_a_proposed_measure_notifies_the_providers_members_and_writes_facts(
    coordinator, member, cell, client_for
):
    from cellule.alerts.models import Notification
    from cellule.stats.models import Fact
    from tests.cases.factories import measure

    situation = open_situation(cell, by=coordinator)
    proposed = measure(situation, provider=member.organisation, by=coordinator)
    notice = Notification.objects.get(kind="measure_proposed")
    assert notice.recipient == member
    response = client_for(member).get(reverse("alerts:open", kwargs={"pk": notice.pk}))
    assert response.url == reverse("cases:provider", kwargs={"pk": situation.pk})
    assert Fact.objects.get(kind="measure_proposed").category == proposed.kind
