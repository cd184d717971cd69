"""Situations and measures through the API: the pages' scope, the archive behind a reason."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cellule.cases import services
from cellule.cases.models import Situation
from cellule.journal import Action
from cellule.journal.models import AuditEvent
from tests.accounts.factories import OrganisationFactory
from tests.cases.factories import archived_situation, measure, open_situation

URL = "/api/v1/situations"


@pytest.fixture
def several(cell, coordinator):
    names = [("Lefèvre", "Benoît"), ("Roux", "Anna"), ("Garcia", "Inès"), ("Petit", "Lucas")]
    made = [
        open_situation(cell, by=coordinator, last_name=last, first_name=first)
        for last, first in names
    ]
    for n, situation in enumerate(made):
        Situation.objects.filter(pk=situation.pk).update(
            opened_at=timezone.now() - timedelta(days=10 * n)
        )
    return made


def names(response):
    assert response.status_code == 200, response.content
    return [item["person"]["last_name"] for item in response.json()["items"]]


def test_the_list_has_a_query_bound_and_is_journaled(
    api_for, coordinator, several, django_assert_max_num_queries
):
    client = api_for(coordinator)
    with django_assert_max_num_queries(16):
        response = client.get(URL)
    assert names(response) == ["Lefèvre", "Roux", "Garcia", "Petit"]
    assert {item["view"] for item in response.json()["items"]} == {"full"}
    event = AuditEvent.objects.filter(actor_id=coordinator.pk, action=Action.LIST_VIEWED).latest(
        "seq"
    )
    assert event.target_type == "cases.situation"
    assert len(event.target_ids) == 4


def test_the_list_filters_by_status_referent_and_date(api_for, coordinator, member, several):
    services.transition_situation(situation=several[0], to="watch", reason="x", by=coordinator)
    services.assign_referent(situation=several[1], referent=member, by=coordinator)
    client = api_for(coordinator)
    assert names(client.get(URL, {"status": "watch"})) == ["Lefèvre"]
    assert names(client.get(URL, {"referent": "none"})) == ["Lefèvre", "Garcia", "Petit"]
    day = (timezone.localdate() - timedelta(days=15)).isoformat()
    assert names(client.get(URL, {"date_to": day})) == ["Garcia", "Petit"]
    assert names(api_for(member).get(URL, {"referent": "me"})) == ["Roux"]
    assert client.get(URL, {"status": "archived"}).status_code == 422


def test_a_member_sees_what_they_follow_and_a_provider_its_measures(
    api_for, cell, coordinator, member, state_delegate, several
):
    services.assign_referent(situation=several[0], referent=member, by=coordinator)
    measure(several[1], provider=state_delegate.organisation, by=coordinator, accepted=True)
    assert names(api_for(member).get(URL)) == ["Lefèvre"]
    provided = api_for(state_delegate).get(URL).json()["items"]
    assert [(i["person"]["last_name"], i["view"]) for i in provided] == [("Roux", "provider")]


def test_reading_a_situation_gives_identity_abilities_and_reports(api_for, coordinator, cell):
    situation = open_situation(cell, by=coordinator)
    response = api_for(coordinator).get(f"{URL}/{situation.pk}")
    assert response.status_code == 200
    payload = response.json()
    assert payload["person"]["last_name"] == "Martin"
    assert payload["abilities"]["view"] is True
    assert len(payload["origin_reports"]) == 1
    assert AuditEvent.objects.filter(
        actor_id=coordinator.pk, action=Action.RECORD_VIEWED, target_id=str(situation.pk)
    ).exists()


def test_the_referent_reads_it_without_the_reports(api_for, coordinator, member, cell):
    situation = open_situation(cell, by=coordinator)
    services.assign_referent(situation=situation, referent=member, by=coordinator)
    payload = api_for(member).get(f"{URL}/{situation.pk}").json()
    assert payload["origin_reports"] == []
    timeline = api_for(member).get(f"{URL}/{situation.pk}/chronologie").json()
    assert not any("Signalement" in entry["title"] for entry in timeline)
    full = api_for(coordinator).get(f"{URL}/{situation.pk}/chronologie").json()
    assert any(entry["title"].startswith("Signalement n°") for entry in full)
    assert [e["at"] for e in full] == sorted(e["at"] for e in full)


def test_an_archived_situation_needs_a_stated_reason(api_for, coordinator, cell):
    situation = archived_situation(cell, by=coordinator)
    client = api_for(coordinator)
    refused = client.get(f"{URL}/{situation.pk}")
    assert refused.status_code == 403
    assert "motif" in refused.json()["detail"]
    response = client.get(f"{URL}/{situation.pk}", {"motif": "Demande d'accès de la personne"})
    assert response.status_code == 200
    assert response.json()["status"] == "archived"
    event = AuditEvent.objects.filter(
        actor_id=coordinator.pk, action=Action.RECORD_VIEWED, target_id=str(situation.pk)
    ).latest("seq")
    assert event.reason == "Demande d'accès de la personne"


def test_the_provider_sees_only_its_organisations_measures(
    api_for, coordinator, state_delegate, cell
):
    situation = open_situation(cell, by=coordinator)
    mine = measure(situation, provider=state_delegate.organisation, by=coordinator, accepted=True)
    measure(situation, provider=OrganisationFactory(), by=coordinator, kind="health")
    provider = api_for(state_delegate)
    assert provider.get(f"{URL}/{situation.pk}").status_code == 403
    listed = provider.get(f"{URL}/{situation.pk}/mesures").json()
    assert [m["id"] for m in listed] == [str(mine.pk)]
    assert len(api_for(coordinator).get(f"{URL}/{situation.pk}/mesures").json()) == 2
    one = provider.get(f"/api/v1/mesures/{mine.pk}")
    assert one.status_code == 200
    assert one.json()["status"] == "accepted"


def test_another_cells_situation_is_a_404(api_for, coordinator, outsider, other_cell):
    foreign = open_situation(other_cell, by=outsider)
    for path in ("", "/chronologie", "/mesures"):
        assert api_for(coordinator).get(f"{URL}/{foreign.pk}{path}").status_code == 404
