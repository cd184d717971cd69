"""The coordinator's queue of reports to qualify: order, pages, names shown, journal, cost."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cellule.journal import Action
from cellule.journal.models import AuditEvent
from cellule.reports import services
from tests.conftest import text
from tests.reports.factories import file_signalement

pytestmark = pytest.mark.django_db

URL = reverse("reports:queue")


def _shown(response):
    return [row["signalement"].pk for row in response.context["rows"]]


def _last_list_event(user):
    return AuditEvent.objects.filter(actor_id=user.pk, action=Action.LIST_VIEWED).latest("seq")


def _file_days_ago(cell, days, **kwargs):
    with time_machine.travel(timezone.now() - timedelta(days=days)):
        return file_signalement(cell, **kwargs)


def test_urgent_first_then_overdue_then_oldest(client_for, coordinator, cell):
    # Filed under a 30-day delay 10 days ago: older, but not yet overdue.
    cell.qualification_delay_days = 30
    cell.save(update_fields=["qualification_delay_days"])
    older_in_time = _file_days_ago(cell, 10, last_name="Patient")
    cell.qualification_delay_days = 2
    cell.save(update_fields=["qualification_delay_days"])
    overdue = _file_days_ago(cell, 5, last_name="Retard")
    calm = file_signalement(cell, last_name="Calme")
    urgent = file_signalement(cell, last_name="Pressé", first_name="Zoé", urgent=True)

    response = client_for(coordinator).get(URL)

    assert _shown(response) == [urgent.pk, overdue.pk, older_in_time.pk, calm.pk]
    page = text(response)
    assert "4 signalements à qualifier" in page
    assert "Zoé Pressé" in page and "en retard" in page
    assert [row["signalement"].is_overdue for row in response.context["rows"]] == [
        False,
        True,
        False,
        False,
    ]


def test_twenty_six_waiting_make_a_page_of_25_then_one(client_for, coordinator, cell):
    filed = [_file_days_ago(cell, 26 - n, last_name=f"Personne{n:02}") for n in range(26)]
    client = client_for(coordinator)

    first = client.get(URL)
    assert _shown(first) == [s.pk for s in filed[:25]]
    page = text(first)
    assert "26 signalements à qualifier" in page
    assert "Page 1 sur 2" in page and "?page=2" in page
    assert "Personne24" in page and "Personne25" not in page

    second = client.get(URL, {"page": 2})
    assert _shown(second) == [filed[25].pk]
    page = text(second)
    assert "26 signalements à qualifier" in page
    assert "Page 2 sur 2" in page and "?page=1" in page
    assert "Personne25" in page and "Personne24" not in page


@pytest.mark.parametrize(("asked", "number"), [("abc", 1), ("0", 2), ("-3", 2), ("9999", 2)])
def test_a_bad_page_number_shows_the_first_or_last_page(
    client_for, coordinator, cell, asked, number
):
    for n in range(26):
        file_signalement(cell, last_name=f"Personne{n:02}")
    response = client_for(coordinator).get(URL, {"page": asked})
    assert response.status_code == 200
    assert response.context["page"].number == number
    assert len(response.context["rows"]) == (25 if number == 1 else 1)


def test_a_bad_page_number_on_an_empty_queue_shows_the_empty_state(client_for, coordinator):
    response = client_for(coordinator).get(URL, {"page": "9999"})
    assert response.status_code == 200
    page = text(response)
    assert "Aucun signalement n'attend de qualification" in page
    assert "situations à revoir" in page
    assert "à qualifier</strong>" not in page


def test_the_journal_lists_the_page_shown_and_the_recently_qualified(client_for, coordinator, cell):
    filed = [_file_days_ago(cell, 30 - n, last_name=f"Personne{n:02}") for n in range(27)]
    done = filed.pop(0)
    services.confirm_new_person(signalement=done, by=coordinator)
    services.qualify_signalement(
        signalement=done,
        decision=services.Qualification(agenda=True, reason="À examiner en séance."),
        by=coordinator,
    )
    client = client_for(coordinator)

    response = client.get(URL)
    assert response.context["recent"] == [done]
    assert f"N° {done.reference}" in text(response)
    event = _last_list_event(coordinator)
    assert event.target_type == "reports.signalement"
    assert sorted(event.target_ids) == sorted(str(s.pk) for s in [*filed[:25], done])

    client.get(URL, {"page": 2})
    event = _last_list_event(coordinator)
    assert sorted(event.target_ids) == sorted(str(s.pk) for s in [filed[25], done])


@pytest.mark.parametrize("waiting", [5, 60])
def test_the_query_count_does_not_grow_with_the_backlog(
    client_for, coordinator, cell, django_assert_max_num_queries, waiting
):
    for n in range(waiting):
        file_signalement(cell, last_name=f"Personne{n:02}")
    client = client_for(coordinator)
    # Session, user, device, membership (3), count, page, recent, DSFR config, unread alerts.
    with django_assert_max_num_queries(11):
        response = client.get(URL)
    assert len(response.context["rows"]) == min(waiting, 25)


def test_the_dashboard_count_and_link_cover_the_whole_queue(client_for, coordinator, cell):
    for n in range(26):
        file_signalement(cell, last_name=f"Personne{n:02}", urgent=n == 0)
    page = text(client_for(coordinator).get(reverse("core:home")))
    assert "26 signalements en attente, dont 1 jugé urgent" in page
    assert f'href="{URL}"' in page
