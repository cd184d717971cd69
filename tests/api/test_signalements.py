"""Signalements through the API: the fiche's own validation, one's own list, the cell's, one."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cellule.alerts.models import Notification
from cellule.journal import Action
from cellule.journal.models import AuditEvent
from cellule.reports.models import Indicator, Signalement
from tests.accounts.factories import MembershipFactory
from tests.reports.factories import file_signalement
from tests.territory.factories import CommuneFactory, DepartementFactory

URL = "/api/v1/signalements"


def days_ago(n: int) -> str:
    return (timezone.localdate() - timedelta(days=n)).isoformat()


def body(**overrides):
    data = {
        "person": {"last_name": "Lefèvre", "first_name": "Benoît", "birth_date": "2010-03-12"},
        "legal_representatives": [
            {"last_name": "Lefèvre", "first_name": "Anne", "relationship": "mother"}
        ],
        "observed_on": days_ago(2),
        "source_category": "school",
        "indicators": [
            {"code": "school-dropout", "observed_on": days_ago(3)},
            {"code": "withdrawal", "observed_on": days_ago(2)},
        ],
        "text": "Absent depuis trois semaines, ne vient plus à l'entraînement.",
        "urgent": True,
    }
    data.update(overrides)
    return data


def errors(response) -> dict:
    assert response.status_code == 422, response.content
    payload = response.json()
    assert payload["code"] == "invalid"
    assert payload["detail"] == "Les données envoyées ne sont pas valables."
    return {error["field"]: error["message"] for error in payload["errors"]}


def test_a_reporter_files_a_signalement_and_learns_only_its_minimal_status(
    api_for, reporter, coordinator, cell
):
    response = api_for(reporter).post(URL, body())
    assert response.status_code == 201
    signalement = Signalement.objects.get()
    payload = response.json()
    created = datetime.fromisoformat(payload.pop("created_at"))
    assert abs(created - signalement.created_at) < timedelta(milliseconds=1)
    assert created.utcoffset() == timezone.localtime(signalement.created_at).utcoffset()
    assert payload == {
        "id": str(signalement.pk),
        "reference": signalement.reference,
        "cell": {"id": str(cell.pk), "name": cell.name},
        "status": "received",
        "status_label": "Reçu",
    }
    assert (signalement.reporter, signalement.urgent) == (reporter, True)
    assert signalement.person.identity.last_name == "Lefèvre"
    assert [r.identity.first_name for r in signalement.person.legal_representatives.all()] == [
        "Anne"
    ]
    assert sorted(signalement.indicators.values_list("indicator__code", flat=True)) == [
        "school-dropout",
        "withdrawal",
    ]
    assert AuditEvent.objects.filter(
        action=Action.RECORD_CREATED, actor_id=reporter.pk, target_id=str(signalement.pk)
    ).exists()
    assert Notification.objects.filter(recipient=coordinator, kind="signalement_to_qualify")


def test_the_fiches_rules_apply_with_their_french_messages(api_for, reporter):
    response = api_for(reporter).post(
        URL,
        body(
            person={"last_name": "Lefèvre", "first_name": "Benoît"},
            observed_on=(timezone.localdate() + timedelta(days=1)).isoformat(),
            indicators=[
                {"code": "school-dropout", "observed_on": days_ago(1)},
                {"code": "inconnu", "observed_on": days_ago(1)},
                {"code": "school-dropout", "observed_on": days_ago(1)},
            ],
            legal_representatives=[
                {"last_name": "123", "first_name": "Anne", "relationship": "mother"}
            ],
        ),
    )
    assert errors(response) == {
        "body.person.birth_date": "Indiquez la date de naissance ou, à défaut, un âge approximatif.",
        "body.observed_on": "La date ne peut pas être dans le futur.",
        "body.indicators[1].code": "Indicateur inconnu ou qui n'est plus en vigueur.",
        "body.indicators[2].code": "Indicateur en double.",
        "body.legal_representatives[0].last_name": (
            "Le nom est obligatoire et doit contenir au moins une lettre."
        ),
    }
    assert not Signalement.objects.exists()


def test_the_api_and_the_page_refuse_the_same_fiche_with_the_same_words(
    api_for, client_for, reporter
):
    future = (timezone.localdate() + timedelta(days=5)).isoformat()
    api = errors(
        api_for(reporter).post(
            URL,
            body(
                person={"last_name": "X", "first_name": "Y", "birth_date": future},
                indicators=[{"code": "school-dropout", "observed_on": future}],
            ),
        )
    )
    school = Indicator.objects.get(code="school-dropout", is_current=True)
    page = client_for(reporter).post(
        reverse("reports:new"),
        {
            "last_name": "X",
            "first_name": "Y",
            "birth_date": future,
            "observed_on": days_ago(2),
            "source_category": "school",
            "indicators": [str(school.pk)],
            f"date_{school.pk}": future,
            "text": "Faits.",
        },
    )
    form = page.context["form"]
    assert api["body.person.birth_date"] in form.errors["birth_date"]
    assert api["body.indicators[0].observed_on"] in form.errors[f"date_{school.pk}"]


def test_schema_errors_are_french_and_name_the_field(api_for, reporter):
    found = errors(
        api_for(reporter).post(
            URL,
            {
                "person": {"last_name": "", "first_name": "B", "approximate_age": "15"},
                "observed_on": "0",
                "source_category": "école",
                "indicators": [],
                "text": "x" * 1001,
                "urgent": "oui",
            },
        )
    )
    assert found == {
        "body.person.last_name": "Ce champ est obligatoire.",
        "body.person.approximate_age": "Un nombre entier est attendu.",
        "body.observed_on": "Une date au format AAAA-MM-JJ est attendue.",
        "body.source_category": found["body.source_category"],
        "body.indicators": "Au moins 1 élément(s).",
        "body.text": "Au plus 1000 caractères.",
        "body.urgent": "Une valeur booléenne (true ou false) est attendue.",
    }
    assert found["body.source_category"].startswith("Valeur inconnue : valeurs possibles")


def test_a_body_that_is_not_json_is_a_400(api_for, reporter):
    client = api_for(reporter)
    response = client.client.post(
        URL, "{pas du json", content_type="application/json", headers=client.headers
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_the_commune_must_be_one_of_the_cells_departement(api_for, reporter, cell):
    var = DepartementFactory(code="83", name="Var")
    elsewhere = CommuneFactory(code="83137", departement=var)
    found = errors(
        api_for(reporter).post(
            URL,
            body(
                person={
                    "last_name": "A",
                    "first_name": "B",
                    "approximate_age": 15,
                    "commune": elsewhere.code,
                }
            ),
        )
    )
    assert list(found) == ["body.person.commune"]


def test_who_sits_in_two_cells_says_which(api_for, coordinator, other_cell):
    MembershipFactory(user=coordinator, cell=other_cell, role="reporter")
    client = api_for(coordinator)
    assert errors(client.post(URL, body())) == {
        "query.cell": (
            "Vous êtes habilité(e) dans plusieurs cellules : précisez laquelle avec le "
            "paramètre « cell » (son identifiant)."
        )
    }
    response = client.post(f"{URL}?cell={other_cell.pk}", body())
    assert response.status_code == 201
    assert Signalement.objects.get().cell == other_cell


def test_mine_lists_only_my_own_with_a_minimal_status(api_for, reporter, cell, coordinator):
    mine = file_signalement(cell, by=reporter, last_name="Durand")
    file_signalement(cell, by=coordinator, last_name="Martin")
    response = api_for(reporter).get(f"{URL}/mine")
    assert response.status_code == 200
    payload = response.json()
    assert payload["count"] == 1
    assert [item["id"] for item in payload["items"]] == [str(mine.pk)]
    assert set(payload["items"][0]) == {
        "id",
        "reference",
        "cell",
        "created_at",
        "status",
        "status_label",
    }
    assert "Durand" not in response.content.decode()


@pytest.fixture
def several(cell, reporter):
    made = []
    for n, name in enumerate(("Alpha", "Bravo", "Charlie", "Delta", "Écho")):
        signalement = file_signalement(cell, by=reporter, last_name=name)
        Signalement.objects.filter(pk=signalement.pk).update(
            created_at=timezone.now() - timedelta(days=10 * n)
        )
        made.append(signalement)
    return made


def test_the_cells_list_pages_filters_and_journals(
    api_for, coordinator, several, django_assert_max_num_queries
):
    client = api_for(coordinator)
    with django_assert_max_num_queries(16):
        response = client.get(URL, {"page_size": 2, "page": 2})
    payload = response.json()
    assert (payload["count"], payload["page"], payload["page_size"]) == (5, 2, 2)
    assert [item["person"]["last_name"] for item in payload["items"]] == ["Charlie", "Delta"]
    event = AuditEvent.objects.filter(actor_id=coordinator.pk, action=Action.LIST_VIEWED).latest(
        "seq"
    )
    assert event.target_type == "reports.signalement"
    assert sorted(event.target_ids) == sorted(str(several[i].pk) for i in (2, 3))

    recent = client.get(URL, {"date_from": days_ago(15)}).json()
    assert [item["person"]["last_name"] for item in recent["items"]] == ["Alpha", "Bravo"]
    window = client.get(URL, {"date_from": days_ago(25), "date_to": days_ago(15)}).json()
    assert [item["person"]["last_name"] for item in window["items"]] == ["Charlie"]
    assert client.get(URL, {"status": "qualified"}).json()["count"] == 0
    reversed_range = client.get(URL, {"date_from": days_ago(1), "date_to": days_ago(5)})
    assert errors(reversed_range) == {
        "query.date_to": "La date de fin doit suivre la date de début (ou être la même)."
    }


def test_the_cells_list_is_for_those_who_qualify(api_for, member):
    response = api_for(member).get(URL)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("La qualification des signalements revient")


def test_reading_a_signalement_is_journaled_and_decrypts_it(api_for, coordinator, world):
    signalement = world.signalement
    response = api_for(coordinator).get(f"{URL}/{signalement.pk}")
    assert response.status_code == 200
    payload = response.json()
    assert payload["person"]["last_name"] == "Lefèvre"
    assert payload["text"].startswith("Absent du collège")
    assert [i["code"] for i in payload["indicators"]] == ["school-dropout", "activities-dropped"]
    assert payload["qualification"] is None
    assert AuditEvent.objects.filter(
        actor_id=coordinator.pk, action=Action.RECORD_VIEWED, target_id=str(signalement.pk)
    ).exists()


def test_another_cells_signalement_is_a_404(api_for, coordinator, other_cell):
    foreign = file_signalement(other_cell)
    response = api_for(coordinator).get(f"{URL}/{foreign.pk}")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Ressource introuvable, ou hors de votre périmètre d'accès.",
        "code": "not_found",
        "errors": [],
    }
    assert api_for(coordinator).get(URL, {"cell": str(other_cell.pk)}).status_code == 404
