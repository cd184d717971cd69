"""Transmissions through the API: the préfecture's inbox, the copy, acknowledgement, feedback."""

import pytest

from cellule.accounts.enums import Role
from cellule.alerts.models import Notification
from cellule.exchanges.models import Recipient, Transmission
from cellule.journal import Action
from cellule.journal.models import AuditEvent
from tests.cases.factories import open_situation
from tests.exchanges.factories import departmental_cell, member_of, state_information, transmit

URL = "/api/v1/transmissions"


@pytest.fixture
def prefecture(cell):
    return departmental_cell(cell)


@pytest.fixture
def referent(prefecture):
    """The préfecture's coordinator (référent radicalisation)."""
    return member_of(prefecture, Role.COORDINATOR)


@pytest.fixture
def report(cell, coordinator, referent):
    situation = open_situation(cell, by=coordinator, last_name="Lefèvre", first_name="Benoît")
    return transmit(situation, by=coordinator)


def test_the_prefecture_reads_its_inbox_and_the_sealed_copy(api_for, referent, report, prefecture):
    client = api_for(referent)
    listed = client.get(URL)
    assert listed.status_code == 200
    (entry,) = listed.json()["items"]
    assert (entry["id"], entry["kind"], entry["status"]) == (
        str(report.pk),
        "report_to_state",
        "sent",
    )
    assert "Lefèvre" not in listed.content.decode()  # the list carries no content

    response = client.get(f"{URL}/{report.pk}")
    assert response.status_code == 200
    payload = response.json()
    assert payload["content"]["person"]["last_name"] == "Lefèvre"
    assert payload["abilities"]["acknowledge"] is True
    assert AuditEvent.objects.filter(
        actor_id=referent.pk, action=Action.RECORD_VIEWED, target_id=str(report.pk)
    ).exists()


def test_the_inbox_filters_what_awaits_feedback(api_for, referent, report):
    client = api_for(referent)
    assert client.get(URL, {"awaiting_feedback": "true"}).json()["count"] == 1
    assert client.get(URL, {"awaiting_feedback": "false"}).json()["count"] == 0
    assert client.get(URL, {"kind": "state_information"}).json()["count"] == 0


def test_acknowledge_then_give_feedback(api_for, referent, coordinator, report):
    client = api_for(referent)
    acknowledged = client.post(f"{URL}/{report.pk}/accuse-reception")
    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged"
    assert client.post(f"{URL}/{report.pk}/accuse-reception").status_code == 403  # done already

    refused = client.post(f"{URL}/{report.pk}/retour", {"outcome": "peut-être"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.outcome"
    given = client.post(f"{URL}/{report.pk}/retour", {"outcome": "assessment"})
    assert given.status_code == 201
    assert given.json()["outcome_label"] == "Évaluation en cours"
    report.refresh_from_db()
    assert report.feedback_given_at is not None
    assert Notification.objects.filter(recipient=coordinator, kind="feedback_received")

    # The commune sees the answer on its own copy of the exchange.
    seen = api_for(coordinator).get(f"{URL}/{report.pk}").json()
    assert [reply["outcome"] for reply in seen["replies"]] == ["assessment"]
    assert seen["abilities"]["give_feedback"] is False


def test_the_sending_commune_cannot_answer_itself(api_for, coordinator, report):
    client = api_for(coordinator)
    assert client.post(f"{URL}/{report.pk}/accuse-reception").status_code == 403
    assert client.post(f"{URL}/{report.pk}/retour", {"outcome": "assessment"}).status_code == 403
    assert not Transmission.objects.filter(kind="feedback").exists()


def test_a_state_information_is_for_its_named_recipient_and_stays_in_cellule(
    api_for, cell, president, coordinator, referent
):
    information = state_information(cell, by=referent)
    mayor = api_for(president)
    response = mayor.get(f"{URL}/{information.pk}")
    assert response.status_code == 200
    payload = response.json()
    assert payload["content"] is None
    assert "se lit dans Cellule" in payload["content_note"]
    assert Recipient.objects.get(transmission=information, user=president).read_at is not None
    assert api_for(coordinator).get(f"{URL}/{information.pk}").status_code == 404


def test_the_inbox_has_a_query_bound(
    api_for, referent, cell, coordinator, django_assert_max_num_queries
):
    for name in ("Alpha", "Bravo", "Charlie"):
        transmit(open_situation(cell, by=coordinator, last_name=name), by=coordinator)
    client = api_for(referent)
    with django_assert_max_num_queries(14):
        response = client.get(URL)
    assert response.json()["count"] == 3
