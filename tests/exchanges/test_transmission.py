"""Signalement à l'État: a sealed copy of the chosen fields, readable by the préfecture alone."""

import json
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cellule.alerts.models import Notification
from cellule.exchanges.enums import DEFAULT_FIELDS, TransmittedField
from cellule.exchanges.models import Transmission
from cellule.journal.models import AuditEvent
from cellule.people import crypto
from cellule.people import services as people_services
from cellule.people.identity import Identity
from cellule.stats.models import Fact
from tests.cases.factories import open_situation
from tests.conftest import text
from tests.exchanges.factories import transmit, transmitted_signalement
from tests.reports.factories import file_signalement

pytestmark = pytest.mark.django_db

PHONE = "06 98 76 54 32"
ADDRESS = "12 impasse des Quokkas, Miramas"
REPORT_TEXT = "Absent du collège depuis trois semaines ; a quitté son club de football."


@pytest.fixture
def situation(cell, coordinator):
    situation = open_situation(cell, by=coordinator, last_name="Lefèvre", first_name="Benoît")
    people_services.update_person(
        person=situation.person,
        identity=Identity(
            last_name="Lefèvre",
            first_name="Benoît",
            birth_date=situation.person.identity.birth_date,
            address=ADDRESS,
            phone=PHONE,
        ),
        by=coordinator,
    )
    situation.person.refresh_from_db()
    return situation


def _raw_copy(transmission) -> str:
    """The decrypted copy as stored, read through the transmission's own key."""
    stored = Transmission.objects.select_related("key").get(pk=transmission.pk)
    return stored.unseal(stored.cipher(), ["snapshot"])["snapshot"]


def test_the_default_selection_copies_identity_commune_and_dated_facts_only(
    situation, coordinator, prefecture
):
    transmission = transmit(situation, by=coordinator)
    raw = _raw_copy(transmission)
    copy = json.loads(raw)
    assert copy["person"]["last_name"] == "Lefèvre"
    assert copy["person"]["birth_date"] == situation.person.identity.birth_date.isoformat()
    assert copy["reports"][0]["indicators"]
    for absent in (PHONE, ADDRESS, REPORT_TEXT, "Scolarité"):
        assert absent not in raw
    assert set(copy) == {"version", "fields", "person", "reports"}
    assert sorted(transmission.fields) == sorted(DEFAULT_FIELDS)


def test_fields_not_chosen_are_not_copied_even_the_name(situation, coordinator, prefecture):
    transmission = transmit(
        situation, by=coordinator, fields=[TransmittedField.PHONE, TransmittedField.REPORT_TEXT]
    )
    raw = _raw_copy(transmission)
    assert PHONE in raw and REPORT_TEXT in raw
    assert "Lefèvre" not in raw and "Benoît" not in raw and ADDRESS not in raw
    assert "indicators" not in json.loads(raw)["reports"][0]


def test_the_copy_is_encrypted_at_rest_under_its_own_key(situation, coordinator, prefecture):
    transmission = transmit(situation, by=coordinator)
    stored = Transmission.objects.get(pk=transmission.pk)
    assert b"Lef" not in bytes(stored.snapshot_encrypted)
    # The person's key does not open it; the transmission's does.
    with pytest.raises(crypto.DecryptionFailed):
        stored.unseal(situation.person.cipher(), ["snapshot"])
    assert stored.snapshot["person"]["first_name"] == "Benoît"


def test_the_copy_does_not_change_when_the_source_changes(situation, coordinator, prefecture):
    from cellule.cases import services as case_services

    transmission = transmit(
        situation, by=coordinator, fields=[*DEFAULT_FIELDS, TransmittedField.SITUATION]
    )
    before = _raw_copy(transmission)
    people_services.update_person(
        person=situation.person,
        identity=Identity(last_name="Durand", first_name="Hugo", birth_date=date(2001, 1, 1)),
        by=coordinator,
    )
    case_services.transition_situation(
        situation=situation, to="watch", reason="Contact renoué.", by=coordinator
    )
    assert _raw_copy(transmission) == before
    assert "Lefèvre" in before and "Durand" not in before


def test_the_prefecture_reads_the_copy_after_the_commune_erased_the_person(
    situation, coordinator, prefecture, referent, client_for
):
    transmission = transmit(situation, by=coordinator)
    people_services.shred_person(person=situation.person, reason="Erreur", by=coordinator)
    page = text(client_for(referent).get(reverse("exchanges:detail", args=[transmission.pk])))
    assert "Lefèvre Benoît" in page
    # ...but never the commune's records.
    response = client_for(referent).get(reverse("cases:detail", args=[situation.pk]))
    assert response.status_code == 404


def test_erasing_the_transmission_key_erases_the_copy(
    situation, coordinator, prefecture, referent, client_for
):
    from cellule.exchanges.services import erase_transmission

    transmission = transmit(situation, by=coordinator)
    erase_transmission(transmission=transmission, reason="Durée de conservation écoulée")
    stored = Transmission.objects.select_related("key").get(pk=transmission.pk)
    with pytest.raises(crypto.DataKeyDestroyed):
        stored.snapshot  # noqa: B018
    page = text(client_for(referent).get(reverse("exchanges:detail", args=[transmission.pk])))
    assert "effacé définitivement" in page and "Lefèvre" not in page
    assert AuditEvent.objects.filter(
        action="record_erased", target_id=str(transmission.pk), cell_id=prefecture.pk
    ).exists()


# --- The form ----------------------------------------------------------------------------------


def test_the_form_offers_the_minimal_selection_then_shows_what_will_be_sent(
    situation, coordinator, prefecture, client_for
):
    client = client_for(coordinator)
    url = reverse("exchanges:transmit_situation", args=[situation.pk])
    form = client.get(url)
    assert form.status_code == 200
    page = text(form)
    assert prefecture.name in page
    assert "copie scellée" in page
    preview = client.post(url, {"fields": list(DEFAULT_FIELDS), "legal_basis": "csi_l132_5"})
    assert preview.status_code == 200
    shown = text(preview)
    assert "Vérifiez ce qui sera transmis" in shown
    assert "Lefèvre Benoît" in shown and PHONE not in shown
    assert not Transmission.objects.exists()
    sent = client.post(
        url, {"fields": list(DEFAULT_FIELDS), "legal_basis": "csi_l132_5", "confirm": "1"}
    )
    transmission = Transmission.objects.get()
    assert sent.url == reverse("exchanges:detail", args=[transmission.pk])
    assert transmission.legal_basis == "csi_l132_5"
    assert transmission.feedback_due_on == timezone.localdate() + timezone.timedelta(days=30)


def test_the_default_selection_is_checked_in_the_form(
    situation, coordinator, prefecture, client_for
):
    response = client_for(coordinator).get(
        reverse("exchanges:transmit_situation", args=[situation.pk])
    )
    form = response.context["form"]
    assert form["fields"].value() == list(DEFAULT_FIELDS)


def test_another_legal_basis_needs_its_text(situation, coordinator, prefecture, client_for):
    url = reverse("exchanges:transmit_situation", args=[situation.pk])
    response = client_for(coordinator).post(
        url, {"fields": ["last_name"], "legal_basis": "other", "confirm": "1"}
    )
    assert "Précisez le texte qui fonde la transmission" in text(response)
    assert not Transmission.objects.exists()


def test_nothing_chosen_is_refused(situation, coordinator, prefecture, client_for):
    url = reverse("exchanges:transmit_situation", args=[situation.pk])
    response = client_for(coordinator).post(url, {"legal_basis": "csi_l132_5", "confirm": "1"})
    assert response.status_code == 200
    assert not Transmission.objects.exists()


def test_without_departmental_cell_the_transmission_is_impossible(
    situation, coordinator, client_for
):
    url = reverse("exchanges:transmit_situation", args=[situation.pk])
    client = client_for(coordinator)
    assert "Aucune cellule départementale" in text(client.get(url))
    response = client.post(
        url, {"fields": ["last_name"], "legal_basis": "csi_l132_5", "confirm": "1"}
    )
    assert response.status_code == 200
    assert not Transmission.objects.exists()


def test_transmitting_requires_a_fresh_authentication(situation, coordinator, prefecture, client):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(coordinator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=coordinator).persistent_id
    session.save()  # second factor done long ago: no recent authentication
    url = reverse("exchanges:transmit_situation", args=[situation.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:reauthenticate"))
    response = client.post(
        url, {"fields": ["last_name"], "legal_basis": "csi_l132_5", "confirm": "1"}
    )
    assert response.url.startswith(reverse("accounts:reauthenticate"))
    assert not Transmission.objects.exists()


def test_a_member_following_the_situation_cannot_transmit_it(
    situation, coordinator, member, prefecture, client_for
):
    from cellule.cases import services as case_services

    case_services.assign_referent(situation=situation, referent=member, by=coordinator)
    response = client_for(member).get(reverse("exchanges:transmit_situation", args=[situation.pk]))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(actor_id=member.pk, action="access_denied").exists()


# --- From a signalement qualified « transmis » ---------------------------------------------------


def test_a_transmitted_signalement_leads_to_the_form_with_its_own_facts(
    cell, coordinator, prefecture, client_for
):
    signalement = transmitted_signalement(cell, by=coordinator)
    client = client_for(coordinator)
    detail = text(client.get(reverse("reports:detail", args=[signalement.pk])))
    assert "Transmettre à la préfecture" in detail
    url = reverse("exchanges:transmit_signalement", args=[signalement.pk])
    assert client.get(url).status_code == 200
    client.post(
        url,
        {
            "fields": [TransmittedField.LAST_NAME, TransmittedField.INDICATORS],
            "legal_basis": "instruction_2018",
            "confirm": "1",
        },
    )
    transmission = Transmission.objects.get()
    assert transmission.signalement == signalement
    assert transmission.situation_id == signalement.situation_id
    assert [r["reference"] for r in transmission.snapshot["reports"]] == [signalement.reference]


def test_a_signalement_not_qualified_transmitted_cannot_be_sent_from_there(
    cell, coordinator, prefecture, client_for
):
    open_situation(cell, by=coordinator)  # qualified « agenda » only
    from cellule.reports.models import Signalement

    signalement = Signalement.objects.get()
    response = client_for(coordinator).get(
        reverse("exchanges:transmit_signalement", args=[signalement.pk])
    )
    assert response.status_code == 403


# --- Both sides ----------------------------------------------------------------------------------


def test_sending_is_journaled_notified_and_counted_on_both_sides(
    situation, coordinator, prefecture, referent, prefet, police_liaison, prefecture_member
):
    transmission = transmit(situation, by=coordinator)
    created = AuditEvent.objects.filter(action="record_created", target_id=str(transmission.pk))
    assert set(created.values_list("cell_id", flat=True)) == {situation.cell_id, prefecture.pk}
    notified = set(
        Notification.objects.filter(kind="transmission_received").values_list(
            "recipient_id", flat=True
        )
    )
    assert notified == {referent.pk, prefet.pk, police_liaison.pk}
    fact = Fact.objects.get(kind="transmission_sent")
    assert (fact.cell_id, fact.category, fact.age_band) == (
        situation.cell_id,
        "report_to_state",
        "13_17",
    )


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("coordinator", 200),
        ("president", 200),
        ("state_delegate", 200),
        ("member", 404),
        ("referent", 200),
        ("prefet", 200),
        ("police_liaison", 200),
        ("prefecture_member", 404),
        ("outsider", 404),
    ],
)
def test_who_reads_a_signalement_a_l_etat(
    request, situation, coordinator, prefecture, client_for, actor, status
):
    transmission = transmit(situation, by=coordinator)
    user = request.getfixturevalue(actor)
    response = client_for(user).get(reverse("exchanges:detail", args=[transmission.pk]))
    assert response.status_code == status
    if status == 200:
        assert AuditEvent.objects.filter(
            actor_id=user.pk, action="record_viewed", target_id=str(transmission.pk)
        ).exists()


def test_each_side_journals_its_own_reads(situation, coordinator, prefecture, referent, client_for):
    transmission = transmit(situation, by=coordinator)
    client_for(referent).get(reverse("exchanges:detail", args=[transmission.pk]))
    client_for(coordinator).get(reverse("exchanges:detail", args=[transmission.pk]))
    reads = AuditEvent.objects.filter(action="record_viewed", target_id=str(transmission.pk))
    assert set(reads.values_list("actor_id", "cell_id")) == {
        (referent.pk, prefecture.pk),
        (coordinator.pk, situation.cell_id),
    }


# --- The State's side: matching, acknowledgement, feedback ----------------------------------------


def test_the_prefecture_sees_whether_it_may_already_know_the_person_in_its_own_records_only(
    situation, coordinator, prefecture, referent, police_liaison, other_cell, client_for
):
    birth = situation.person.identity.birth_date
    # Known to the préfecture's own cell (a report filed there) and to another commune's cell.
    file_signalement(prefecture, last_name="LEFEVRE", first_name="Benoit", birth_date=birth)
    file_signalement(other_cell, last_name="Lefèvre", first_name="Benoît", birth_date=birth)
    transmission = transmit(situation, by=coordinator)
    response = client_for(referent).get(reverse("exchanges:detail", args=[transmission.pk]))
    candidates = response.context["matches"]
    assert [c.person.cell_id for c in candidates] == [prefecture.pk]
    assert "LEFEVRE Benoit" in text(response)
    assert AuditEvent.objects.filter(
        actor_id=referent.pk, action="list_viewed", target_type="people.person"
    ).exists()
    # The police liaison reads the copy, not the préfecture's records.
    liaison = client_for(police_liaison).get(reverse("exchanges:detail", args=[transmission.pk]))
    assert liaison.context["matches"] is None and "LEFEVRE" not in text(liaison)


def test_without_the_names_no_search_is_possible(
    situation, coordinator, prefecture, referent, client_for
):
    transmission = transmit(situation, by=coordinator, fields=[TransmittedField.INDICATORS])
    page = text(client_for(referent).get(reverse("exchanges:detail", args=[transmission.pk])))
    assert "la recherche n'est pas possible" in page


def test_the_prefecture_acknowledges_then_gives_feedback_which_the_commune_sees(
    situation, coordinator, president, prefecture, referent, client_for
):
    transmission = transmit(situation, by=coordinator)
    prefecture_client = client_for(referent)
    prefecture_client.post(reverse("exchanges:acknowledge", args=[transmission.pk]))
    transmission.refresh_from_db()
    assert transmission.acknowledged_by == referent
    response = prefecture_client.post(
        reverse("exchanges:feedback", args=[transmission.pk]), {"outcome": "cpraf"}
    )
    assert response.status_code == 302
    transmission.refresh_from_db()
    assert transmission.feedback_given_at is not None and transmission.status == "answered"
    feedback = transmission.replies.get()
    assert (feedback.from_cell, feedback.to_cell) == (prefecture, situation.cell)
    assert feedback.snapshot == {}  # a list value, nothing nominative
    notified = Notification.objects.filter(kind="feedback_received")
    assert {n.recipient_id for n in notified} == {coordinator.pk, president.pk}
    assert all(n.target_id == str(transmission.pk) for n in notified)
    fact = Fact.objects.get(kind="feedback_given")
    assert (fact.cell_id, fact.category, fact.duration) == (situation.cell_id, "cpraf", "<7j")
    timeline = text(client_for(coordinator).get(reverse("cases:detail", args=[situation.pk])))
    assert "Signalement transmis à la préfecture" in timeline
    assert "Réception accusée par la préfecture" in timeline
    assert (
        "Retour d'information de la préfecture : Orientation vers la cellule départementale "
        "d'accompagnement" in timeline
    )


def test_a_feedback_outside_the_list_is_refused(
    situation, coordinator, prefecture, referent, client_for
):
    transmission = transmit(situation, by=coordinator)
    response = client_for(referent).post(
        reverse("exchanges:feedback", args=[transmission.pk]), {"outcome": "fiché S"}
    )
    assert response.status_code == 200
    assert not transmission.replies.exists()


def test_the_commune_can_neither_acknowledge_nor_answer_its_own_report(
    situation, coordinator, prefecture, client_for
):
    transmission = transmit(situation, by=coordinator)
    client = client_for(coordinator)
    assert client.post(reverse("exchanges:acknowledge", args=[transmission.pk])).status_code == 403
    response = client.post(
        reverse("exchanges:feedback", args=[transmission.pk]), {"outcome": "no_action"}
    )
    assert response.status_code == 403


def test_a_member_following_the_situation_sees_no_transmission_in_its_timeline(
    situation, coordinator, member, prefecture, client_for
):
    from cellule.cases import services as case_services

    case_services.assign_referent(situation=situation, referent=member, by=coordinator)
    transmit(situation, by=coordinator)
    page = text(client_for(member).get(reverse("cases:detail", args=[situation.pk])))
    assert "Situation n°" in page and "transmis à la préfecture" not in page


# --- Lists ---------------------------------------------------------------------------------------


def test_the_prefecture_inbox_lists_the_reports_with_a_query_bound(
    cell, coordinator, prefecture, referent, client_for, django_assert_max_num_queries
):
    transmissions = [
        transmit(open_situation(cell, by=coordinator, last_name=name, first_name="Léa"))
        for name in ("Quesnel-Vidal", "Bernard", "Thomas", "Robert")
    ]
    Transmission.objects.filter(pk=transmissions[0].pk).update(
        feedback_due_on=timezone.localdate() - timezone.timedelta(days=1)
    )
    client = client_for(referent)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("exchanges:list"))
    page = text(response)
    assert all(t.reference in page for t in transmissions)
    assert "Retour en retard" in page
    # No name in a list: the copy opens on its own page (a name no generated account contains).
    assert "Quesnel-Vidal" not in page
    overdue = text(client.get(reverse("exchanges:list"), {"filtre": "en-retard"}))
    assert transmissions[0].reference in overdue and transmissions[1].reference not in overdue


def test_the_commune_list_shows_its_reports_and_the_overdue_flag(
    situation, coordinator, prefecture, client_for
):
    transmission = transmit(situation, by=coordinator)
    Transmission.objects.filter(pk=transmission.pk).update(
        feedback_due_on=timezone.localdate() - timezone.timedelta(days=1)
    )
    page = text(client_for(coordinator).get(reverse("exchanges:list")))
    assert transmission.reference in page and "Retour en retard" in page
    home = text(client_for(coordinator).get(reverse("core:home")))
    assert "1 signalement transmis en attente du retour de la préfecture" in home
    assert "1 dont le délai est dépassé" in home
