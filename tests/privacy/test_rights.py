"""Rights requests, from receipt to answer: deadline, the person found through the blind
indexes, the access export (reporters and the State removed) reviewed by a second person before
release, rectification, erasure, restriction; every step journaled."""

import io
import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from cellule.cases import services as case_services
from cellule.journal.models import AuditEvent
from cellule.people.models import Person, PersonKey
from cellule.privacy import services
from cellule.privacy.models import PurgeCertificate, RightsExport, RightsRequest, add_months
from cellule.reports.models import Signalement
from cellule.stats.models import Fact
from tests.cases.factories import open_situation
from tests.conftest import text
from tests.privacy.factories import qualified_signalement, rights_request

pytestmark = pytest.mark.django_db

BIRTH = date(2009, 3, 12)


@pytest.fixture
def followed(cell, coordinator, reporter):
    """Benoît Lefèvre, reported by an agent and followed by the cell."""
    situation = open_situation(
        cell,
        by=coordinator,
        reporter=reporter,
        last_name="Lefèvre",
        first_name="Benoît",
        birth_date=BIRTH,
    )
    case_services.add_note(situation=situation, text="Entretien avec la mère.", by=coordinator)
    return situation


def test_a_request_is_due_one_month_after_receipt_and_its_requester_is_encrypted(cell, coordinator):
    request = rights_request(
        cell, by=coordinator, received_on=date(2025, 1, 31), last_name="Xqzorblatt"
    )
    assert request.deadline == date(2025, 2, 28)
    assert request.status == "received"
    assert b"Xqzorblatt" not in bytes(request.last_name_encrypted)
    assert RightsRequest.objects.get(pk=request.pk).requester["last_name"] == "Xqzorblatt"
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    step = request.steps.get()
    assert step.kind == "received"
    assert AuditEvent.objects.filter(target_id=str(request.pk), action="record_created").exists()


def test_bad_input_is_refused_in_french(cell, coordinator):
    with pytest.raises(ValidationError) as error:
        services.record_request(
            cell=cell,
            kind="forget_me",
            received_on=date(2999, 1, 1),
            last_name=" ",
            first_name="Léa",
            contact="",
            by=coordinator,
        )
    errors = error.value.message_dict
    assert set(errors) == {"kind", "received_on", "last_name", "contact"}
    assert "futur" in errors["received_on"][0]


def test_only_the_dpo_and_the_coordinator_handle_requests(cell, president, member, outsider):
    for user in (president, member, outsider):
        with pytest.raises(PermissionDenied):
            rights_request(cell, by=user)


def test_the_person_is_found_through_the_blind_indexes(
    cell, coordinator, dpo, followed, client_for
):
    request = rights_request(
        cell, by=dpo, last_name="LEFEVRE", first_name="benoit", birth_date=BIRTH
    )
    client = client_for(dpo)
    page = text(client.get(reverse("privacy:request_person", kwargs={"pk": request.pk})))
    assert "Lefèvre Benoît" in page
    response = client.post(
        reverse("privacy:request_person", kwargs={"pk": request.pk}),
        {"person": str(followed.person_id)},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.person_id == followed.person_id and request.status == "in_progress"
    assert request.steps.filter(kind="person_linked").exists()


def test_a_requester_unknown_to_the_file_gets_a_no_data_answer(cell, dpo):
    request = rights_request(cell, by=dpo, last_name="Inconnu", first_name="Paul")
    assert services.possible_persons(request) == []
    services.link_person(request=request, person=None, by=dpo)
    with pytest.raises(ValidationError, match="motifs"):
        services.answer_request(request=request, outcome="refused", by=dpo)
    request = services.answer_request(request=request, outcome="no_data", by=dpo)
    assert (request.status, request.outcome) == ("answered", "no_data")
    with pytest.raises(PermissionDenied):
        services.add_request_note(request=request, text="Trop tard.", by=dpo)


def test_the_access_export_holds_everything_but_the_reporters_and_the_state(
    cell, coordinator, dpo, reporter, followed
):
    case_services.close_situation(
        situation=followed,
        reason="state_care",
        text="Relais pris par les services de l'État.",
        reviews=[
            case_services.TextReview(key=item["key"], decision="keep")
            for item in case_services.free_texts(followed)
        ],
        by=coordinator,
    )
    request = rights_request(cell, by=dpo, person=followed.person)
    export = services.prepare_export(request=request, by=dpo)
    data = export.data()
    dumped = json.dumps(data, ensure_ascii=False)
    assert data["Identité"]["Nom"] == "Lefèvre"
    assert data["Signalements"][0]["Faits décrits"].startswith("Absent du collège")
    assert data["Situations"][0]["Notes de suivi"][0]["Note"] == "Entretien avec la mère."
    # Removed: the reporter, the staff's names, the State's information.
    for name in (reporter.last_name, reporter.email, coordinator.last_name):
        assert name not in dumped
    assert "Relais pris par les services de l'État" not in dumped
    assert "Prise en charge par l'État" not in dumped
    assert "information relevant de l'État" in data["Situations"][0]["Motif de clôture"]
    assert data["Informations retirées de cet export"]
    # Stored encrypted under the person's key.
    assert b"Lef" not in bytes(export.content_encrypted)


def test_the_export_is_released_only_after_another_person_reviewed_it(
    cell, coordinator, dpo, followed, client_for
):
    request = rights_request(cell, by=dpo, person=followed.person)
    dpo_client, coordinator_client = client_for(dpo), client_for(coordinator)
    assert (
        dpo_client.post(reverse("privacy:request_export", kwargs={"pk": request.pk})).status_code
        == 302
    )
    pdf_url = reverse("privacy:request_export_pdf", kwargs={"pk": request.pk})
    json_url = reverse("privacy:request_export_json", kwargs={"pk": request.pk})
    assert dpo_client.get(json_url).status_code == 403  # not reviewed yet
    page = text(
        coordinator_client.get(reverse("privacy:request_detail", kwargs={"pk": request.pk}))
    )
    assert "Contenu de l'export, à relire" in page and "Entretien avec la mère." in page
    # The one who prepared it cannot review it.
    response = dpo_client.post(reverse("privacy:request_review", kwargs={"pk": request.pk}))
    assert response.status_code == 400
    assert "autre personne" in text(response)
    response = coordinator_client.post(
        reverse("privacy:request_review", kwargs={"pk": request.pk}), {"comment": "Relu."}
    )
    assert response.status_code == 302
    export = RightsExport.objects.get(request=request)
    assert export.reviewed_by == coordinator
    response = dpo_client.get(json_url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert json.loads(response.content)["Identité"]["Prénom"] == "Benoît"
    response = dpo_client.get(pdf_url)
    assert response["Content-Type"] == "application/pdf"
    pdf_text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Lefèvre" in pdf_text and "Entretien avec la mère." in pdf_text
    exports = AuditEvent.objects.filter(target_id=str(request.pk), action="export")
    assert exports.count() == 2
    assert request.steps.filter(kind="export_released").count() == 2
    # An access request is answered only once its export was reviewed.
    other = rights_request(cell, by=dpo, person=followed.person)
    with pytest.raises(ValidationError, match="relu"):
        services.answer_request(request=other, outcome="granted", by=dpo)
    services.answer_request(request=request, outcome="granted", by=dpo)


def test_an_erasure_destroys_the_key_then_every_record_and_leaves_a_certificate(
    cell, coordinator, dpo, followed, client_for
):
    person = followed.person
    reports = list(Signalement.objects.filter(person=person).values_list("pk", flat=True))
    facts = Fact.objects.count()
    request = rights_request(cell, by=dpo, kind="erasure", person=person)
    # The DPO records and follows; only the coordinator erases.
    with pytest.raises(PermissionDenied):
        services.erase_person_records(request=request, reason="Fondée.", by=dpo)
    response = client_for(coordinator).post(
        reverse("privacy:request_erase", kwargs={"pk": request.pk}),
        {"reason": "Demande fondée, aucun suivi en cours.", "confirm": "on"},
    )
    assert response.status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not PersonKey.objects.filter(person_id=person.pk).exists()
    assert not Signalement.objects.filter(pk__in=reports).exists()
    assert not type(followed).objects.filter(pk=followed.pk).exists()
    assert Fact.objects.count() == facts
    request.refresh_from_db()
    assert request.person_id is None  # the request stays, as the proof it was handled
    assert request.steps.filter(kind="erased").exists()
    certificate = PurgeCertificate.objects.get(trigger="erasure")
    assert certificate.lines.get().deleted == 1
    assert AuditEvent.objects.filter(action="record_erased", target_id=str(person.pk)).exists()


def test_an_erasure_without_confirmation_shows_the_form_again(
    cell, coordinator, followed, client_for
):
    request = rights_request(cell, by=coordinator, kind="erasure", person=followed.person)
    response = client_for(coordinator).post(
        reverse("privacy:request_erase", kwargs={"pk": request.pk}), {"reason": "Fondée."}
    )
    assert response.status_code == 400
    assert Person.objects.filter(pk=followed.person_id).exists()


def test_a_legal_hold_prevents_the_erasure(cell, coordinator, followed):
    services.place_hold(situation=followed, ground="judicial", by=coordinator)
    request = rights_request(cell, by=coordinator, kind="erasure", person=followed.person)
    with pytest.raises(ValidationError, match="gel juridique"):
        services.erase_person_records(request=request, reason="Fondée.", by=coordinator)
    assert Person.objects.filter(pk=followed.person_id).exists()


def test_a_restriction_holds_every_record_of_the_person(cell, coordinator, followed):
    unfounded = qualified_signalement(cell, by=coordinator, last_name="Lefèvre", first_name="B.")
    unfounded.person = followed.person
    Signalement.objects.filter(pk=unfounded.pk).update(person=followed.person)
    request = rights_request(cell, by=coordinator, kind="restriction", person=followed.person)
    holds = services.hold_for_restriction(request=request, by=coordinator)
    assert {h.situation_id or h.signalement_id for h in holds} == {followed.pk, unfounded.pk}
    assert all(h.ground == "rights" for h in holds)
    assert services.hold_for_restriction(request=request, by=coordinator) == []


def test_a_rectification_goes_through_the_people_service(
    cell, coordinator, dpo, followed, client_for
):
    request = rights_request(cell, by=dpo, kind="rectification", person=followed.person)
    url = reverse("privacy:request_rectify", kwargs={"pk": request.pk})
    assert client_for(dpo).get(url).status_code == 403
    client = client_for(coordinator)
    assert "Lefèvre" in text(client.get(url))
    response = client.post(
        url,
        {
            "step": "identity",
            "last_name": "Lefèvre-Martin",
            "first_name": "Benoît",
            "birth_date": "2009-03-12",
        },
    )
    assert response.status_code == 302
    assert (
        Person.objects.with_keys().get(pk=followed.person_id).identity.last_name == "Lefèvre-Martin"
    )
    assert request.steps.filter(kind="rectified").exists()
    response = client.post(url, {"step": "note", "comment": "Note du 3 mars corrigée."})
    assert response.status_code == 302
    assert request.steps.filter(kind="rectified").count() == 2


def test_the_deadline_may_be_extended_once_with_a_reason(cell, dpo, client_for):
    request = rights_request(cell, by=dpo, received_on=date(2025, 3, 10))
    client = client_for(dpo)
    url = reverse("privacy:request_step", kwargs={"pk": request.pk})
    assert client.post(url, {"action": "extend", "comment": ""}).status_code == 400
    assert client.post(url, {"action": "extend", "comment": "Demande complexe."}).status_code == 302
    request.refresh_from_db()
    assert (request.deadline, request.extended) == (date(2025, 6, 10), True)
    response = client.post(url, {"action": "extend", "comment": "Encore."})
    assert response.status_code == 400 and "ne peut plus être prolongé" in text(response)
    request.refresh_from_db()
    assert request.deadline == date(2025, 6, 10)


def test_every_step_is_journaled(cell, coordinator, dpo, followed):
    request = rights_request(cell, by=dpo, person=followed.person)
    export = services.prepare_export(request=request, by=dpo)
    services.review_export(export=export, by=coordinator)
    services.add_request_note(request=request, text="Courrier envoyé.", by=dpo)
    services.answer_request(request=request, outcome="granted", by=dpo)
    kinds = list(request.steps.values_list("kind", flat=True))
    assert kinds == [
        "received",
        "person_linked",
        "export_generated",
        "export_reviewed",
        "note",
        "answered",
    ]
    reasons = list(
        AuditEvent.objects.filter(target_id=str(request.pk), action="record_updated")
        .order_by("seq")
        .values_list("reason", flat=True)
    )
    assert len([r for r in reasons if r.startswith("étape")]) == len(kinds)


def test_the_request_list_shows_overdue_requests_with_a_query_bound(
    cell, dpo, client_for, django_assert_max_num_queries
):
    for n in range(5):
        rights_request(cell, by=dpo, received_on=date(2020, 1, 1 + n), last_name=f"Nom{n}")
    client = client_for(dpo)
    with django_assert_max_num_queries(20):
        page = text(client.get(reverse("privacy:requests")))
    assert "Nom0" in page and "Nom4" in page and "en retard" in page


def test_rotate_master_key_rewraps_the_requests_keys_too(cell, coordinator, settings):
    """A request's requester stays readable after its master key leaves the configuration."""
    from io import StringIO

    from django.core.management import call_command

    from cellule.privacy.models import RightsRequest
    from tests.privacy.factories import rights_request

    settings.CELLULE_MASTER_KEYS = {"k1": b"\x01" * 32}
    request = rights_request(cell, by=coordinator, last_name="Canarelli")
    settings.CELLULE_MASTER_KEYS = {"k2": b"\x02" * 32, "k1": b"\x01" * 32}
    out = StringIO()
    call_command("rotate_master_key", stdout=out)
    assert "Demandes d'exercice des droits : 1 rechiffrée(s)" in out.getvalue()
    settings.CELLULE_MASTER_KEYS = {"k2": b"\x02" * 32}
    stored = RightsRequest.objects.get(pk=request.pk)
    assert stored.master_key_id == "k2"
    assert stored.requester["last_name"] == "Canarelli"
