"""Séances through the API: the agenda redacted for each reader, as on the page."""

import pytest
from django.utils import timezone

from cellule.cases import services as case_services
from cellule.meetings import services
from cellule.meetings.enums import SeanceFormat
from tests.cases.factories import open_situation
from tests.meetings.factories import attendee, plan

URL = "/api/v1/seances"
NAMES = ("Quesnel-Vidal", "Abadie-Tournier")


@pytest.fixture
def seance(cell, coordinator, member):
    followed = open_situation(cell, by=coordinator, last_name=NAMES[0], first_name="Maëlys")
    other = open_situation(cell, by=coordinator, last_name=NAMES[1], first_name="Gwendal")
    case_services.assign_referent(situation=followed, referent=member, by=coordinator)
    # Planning proposes the agenda: both situations, put on it by their qualification.
    seance = plan(cell, members=[coordinator, member], by=coordinator, format=SeanceFormat.PLENARY)
    assert {item.situation_id for item in seance.items.all()} == {followed.pk, other.pk}
    return services.convene_seance(seance=seance, by=coordinator)


def names(payload) -> list:
    return [
        item["person"]["last_name"] if item["person"] else item["label"]
        for item in payload["items"]
    ]


def test_the_coordinator_lists_the_seances_and_reads_every_name(api_for, coordinator, seance):
    client = api_for(coordinator)
    listed = client.get(URL).json()
    assert [s["id"] for s in listed["items"]] == [str(seance.pk)]
    assert listed["items"][0]["status"] == "planned"
    payload = client.get(f"{URL}/{seance.pk}/ordre-du-jour").json()
    assert payload["agenda_visible"] is True
    assert sorted(names(payload)) == sorted(NAMES)


def test_a_member_reads_nothing_before_acknowledging_then_only_what_they_follow(
    api_for, member, seance
):
    client = api_for(member)
    before = client.get(f"{URL}/{seance.pk}/ordre-du-jour").json()
    assert before["agenda_visible"] is False
    assert all(item["restricted"] and item["person"] is None for item in before["items"])
    services.acknowledge_confidentiality(attendee=attendee(seance, member), by=member)
    after = client.get(f"{URL}/{seance.pk}/ordre-du-jour")
    text = after.content.decode()
    assert NAMES[0] in text and NAMES[1] not in text
    restricted = [item for item in after.json()["items"] if item["restricted"]]
    assert len(restricted) == 1 and restricted[0]["label"].endswith("(restreinte)")
    assert restricted[0]["situation_id"] is None and restricted[0]["decision"] is None


def test_who_is_not_convened_does_not_see_the_seance(api_for, state_delegate, seance):
    client = api_for(state_delegate)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}/{seance.pk}/ordre-du-jour").status_code == 404


def test_the_list_filters_by_status_and_date(api_for, coordinator, seance):
    client = api_for(coordinator)
    assert client.get(URL, {"status": "held"}).json()["count"] == 0
    day = timezone.localtime(seance.starts_at).date().isoformat()
    assert client.get(URL, {"date_from": day, "date_to": day}).json()["count"] == 1


def test_the_list_has_a_query_bound(
    api_for, cell, coordinator, member, django_assert_max_num_queries
):
    for days in (10, 20, 30):
        plan(
            cell,
            members=[coordinator, member],
            by=coordinator,
            starts_at=timezone.now() + timezone.timedelta(days=days),
        )
    client = api_for(coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.json()["count"] == 3
