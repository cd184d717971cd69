"""The duplicate check and the qualification (the queue itself: test_queue.py)."""

from datetime import date

import pytest
from django.urls import reverse

from cellule.journal import Action
from cellule.journal.models import AuditEvent
from cellule.people.crypto import DataKeyDestroyed
from cellule.reports import services
from cellule.reports.models import Signalement
from tests.conftest import text
from tests.reports.factories import file_signalement

pytestmark = pytest.mark.django_db

BIRTH = date(2004, 3, 12)


def test_known_person_is_proposed_and_the_report_attached(client_for, coordinator, cell):
    known = file_signalement(cell, last_name="Lefèvre", first_name="Benoît", birth_date=BIRTH)
    services.confirm_new_person(signalement=known, by=coordinator)
    new = file_signalement(
        cell, last_name="LEFEBVRE", first_name="Benoit", birth_date=BIRTH, text="Nouveaux faits."
    )
    client = client_for(coordinator)

    page = client.get(reverse("reports:detail", kwargs={"pk": new.pk}))
    candidates = page.context["candidates"]
    assert [c.person.pk for c in candidates] == [known.person_id]
    assert "même date de naissance" in text(page)

    # Qualifying before the check is refused.
    refused = client.post(
        reverse("reports:qualify", kwargs={"pk": new.pk}),
        {"agenda": "on", "reason": "Faits répétés."},
    )
    assert "Vérifiez d'abord si la personne est déjà connue" in text(refused)

    intake = new.person
    client.post(
        reverse("reports:check_person", kwargs={"pk": new.pk}), {"person": str(known.person_id)}
    )
    new.refresh_from_db()
    assert new.person_id == known.person_id
    assert new.text == "Nouveaux faits."  # re-encrypted under the known person's key
    intake.refresh_from_db()
    with pytest.raises(DataKeyDestroyed):
        intake.identity  # noqa: B018
    assert AuditEvent.objects.filter(action=Action.RECORD_ERASED, target_id=str(intake.pk)).exists()


def test_a_person_of_another_cell_cannot_be_attached(client_for, coordinator, cell, other_cell):
    foreign = file_signalement(other_cell, birth_date=BIRTH)
    new = file_signalement(cell, birth_date=BIRTH)
    response = client_for(coordinator).post(
        reverse("reports:check_person", kwargs={"pk": new.pk}), {"person": str(foreign.person_id)}
    )
    assert response.status_code == 404
    new.refresh_from_db()
    assert new.person_checked_at is None


def test_qualification_records_who_when_why(client_for, coordinator, cell):
    signalement = file_signalement(cell)
    client = client_for(coordinator)
    response = client.post(
        reverse("reports:qualify", kwargs={"pk": signalement.pk}),
        {
            "redirect": "on",
            "redirect_service": "pre",
            "agenda": "on",
            "reason": "Décrochage : PRE et examen en séance.",
        },
    )
    assert response.url == reverse("reports:queue")
    signalement = Signalement.objects.get(pk=signalement.pk)
    assert signalement.status == "qualified"
    assert (
        signalement.qualified_by,
        signalement.outcome_redirected,
        signalement.outcome_agenda,
    ) == (coordinator, True, True)
    assert signalement.redirect_service == "pre"
    assert signalement.qualification_reason == "Décrochage : PRE et examen en séance."
    event = AuditEvent.objects.filter(
        action=Action.RECORD_UPDATED, target_id=str(signalement.pk)
    ).last()
    assert "Inscrit à l'ordre du jour" in event.reason and "Décrochage" not in event.reason
    # Nothing more to decide.
    again = client.post(
        reverse("reports:qualify", kwargs={"pk": signalement.pk}),
        {"close": "on", "closure_reason": "other", "reason": "x"},
    )
    assert again.status_code == 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "x"}, "Choisissez au moins une suite à donner."),
        (
            {"close": "on", "closure_reason": "unfounded", "agenda": "on", "reason": "x"},
            "ne se combine avec aucune autre suite",
        ),
        ({"close": "on", "reason": "x"}, "Indiquez le motif du classement."),
        ({"redirect": "on", "reason": "x"}, "Indiquez vers quel service"),
        ({"agenda": "on", "reason": ""}, "Ce champ est obligatoire."),
        (
            {"close": "on", "closure_reason": "vengeance", "reason": "x"},
            "Sélectionnez un choix valide.",
        ),
    ],
)
def test_bad_decisions_are_refused_in_french(client_for, coordinator, cell, data, message):
    signalement = file_signalement(cell)
    services.confirm_new_person(signalement=signalement, by=coordinator)
    response = client_for(coordinator).post(
        reverse("reports:qualify", kwargs={"pk": signalement.pk}), data
    )
    assert response.status_code == 200
    assert message in text(response)
    assert Signalement.objects.get(pk=signalement.pk).status == "received"


def test_the_free_texts_are_encrypted_at_rest(coordinator, cell):
    signalement = file_signalement(cell, text="Texte canari Zorglub observé.")
    services.confirm_new_person(signalement=signalement, by=coordinator)
    services.qualify_signalement(
        signalement=signalement,
        decision=services.Qualification(agenda=True, reason="Motif canari Zorglub."),
        by=coordinator,
    )
    row = Signalement.objects.filter(pk=signalement.pk).values().get()
    assert b"Zorglub" not in bytes(row["text_encrypted"])
    assert b"Zorglub" not in bytes(row["qualification_reason_encrypted"])
    assert not any("Zorglub" in str(value) for value in row.values())


def test_the_dashboard_counts_reports_to_qualify(client_for, coordinator, cell):
    file_signalement(cell, urgent=True)
    file_signalement(cell, last_name="Autre")
    page = text(client_for(coordinator).get(reverse("core:home")))
    assert "2 signalements en attente, dont 1 jugé urgent" in page
