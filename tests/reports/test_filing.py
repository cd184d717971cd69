"""The fiche de signalement, as a reporter fills it in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cellule.journal import Action
from cellule.journal.models import AuditEvent
from cellule.people.models import Person
from cellule.reports.models import Indicator, Signalement
from tests.conftest import text

pytestmark = pytest.mark.django_db


def valid_data(**overrides):
    day = (timezone.localdate() - timedelta(days=2)).isoformat()
    school = Indicator.objects.get(code="school-dropout", is_current=True)
    withdrawal = Indicator.objects.get(code="withdrawal", is_current=True)
    data = {
        "last_name": "Lefèvre",
        "first_name": "Benoît",
        "birth_date": "2010-03-12",
        "approximate_age": "",
        "commune": "",
        "address": "",
        "phone": "",
        "observed_on": day,
        "source_category": "school",
        "indicators": [str(school.pk), str(withdrawal.pk)],
        f"date_{school.pk}": day,
        f"date_{withdrawal.pk}": day,
        "text": "Absent depuis trois semaines, ne vient plus à l'entraînement.",
        "rep1_last_name": "Lefèvre",
        "rep1_first_name": "Anne",
        "rep1_relationship": "mother",
        "rep1_phone": "06 12 34 56 78",
    }
    data.update(overrides)
    return data


def test_the_form_is_french_with_the_reminders(client_for, reporter):
    page = text(client_for(reporter).get(reverse("reports:new")))
    assert "Fiche de signalement" in page
    assert "appelez le 17 ou le 112" in page
    assert "pas des croyances ou des pratiques" in page
    assert "Signes de danger imminent" in page


def test_a_reporter_files_and_sees_only_a_minimal_status(client_for, reporter, cell):
    client = client_for(reporter)
    response = client.post(reverse("reports:new"), valid_data())
    assert response.url == reverse("reports:mine")
    signalement = Signalement.objects.get()
    assert (signalement.cell, signalement.reporter, signalement.status) == (
        cell,
        reporter,
        "received",
    )
    assert signalement.person.identity.last_name == "Lefèvre"
    assert signalement.person.is_minor
    assert [r.identity.first_name for r in signalement.person.legal_representatives.all()] == [
        "Anne"
    ]
    assert signalement.text.startswith("Absent depuis")
    assert signalement.indicators.count() == 2
    assert signalement.due_on == timezone.localdate() + timedelta(
        days=cell.qualification_delay_days
    )
    assert AuditEvent.objects.filter(
        action=Action.RECORD_CREATED, target_id=str(signalement.pk)
    ).exists()

    mine = client.get(reverse("reports:mine"))
    page = text(mine)
    assert signalement.reference in page and "Reçu" in page
    assert "Lefèvre" not in page and "Absent depuis" not in page
    # The reporter cannot open the report itself, nor the person.
    assert client.get(reverse("reports:detail", kwargs={"pk": signalement.pk})).status_code == 404


def test_the_reporter_never_learns_the_outcome(client_for, reporter, coordinator, cell):
    from cellule.reports import services
    from tests.reports.factories import file_signalement

    signalement = file_signalement(cell, by=reporter)
    services.confirm_new_person(signalement=signalement, by=coordinator)
    services.qualify_signalement(
        signalement=signalement,
        decision=services.Qualification(
            closed=True, closure_reason="malicious", reason="Aucun fait avéré."
        ),
        by=coordinator,
    )
    page = text(client_for(reporter).get(reverse("reports:mine")))
    assert "Pris en compte" in page
    assert "Malveillant" not in page and "Classé" not in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"text": "x" * 1001},
            "text",
            "Assurez-vous que cette valeur comporte au plus 1000 caractères",
        ),
        ({"observed_on": "2999-01-01"}, "observed_on", "La date ne peut pas être dans le futur."),
        (
            {"birth_date": "2999-01-01"},
            "birth_date",
            "La date de naissance ne peut pas être dans le futur.",
        ),
        (
            {"birth_date": "", "approximate_age": ""},
            "birth_date",
            "Indiquez la date de naissance ou, à défaut, un âge approximatif.",
        ),
        (
            {"birth_date": "2010-03-12", "approximate_age": "15"},
            "approximate_age",
            "soit la date de naissance, soit un âge approximatif",
        ),
        ({"indicators": ["999999"]}, "indicators", "Sélectionnez un choix valide."),
        ({"indicators": []}, "indicators", "Cochez au moins un indicateur observé"),
        ({"last_name": "   "}, "last_name", "Ce champ est obligatoire."),
        ({"source_category": "rumeur"}, "source_category", "Sélectionnez un choix valide."),
        ({"rep1_relationship": "voisin"}, "rep1_relationship", "Sélectionnez un choix valide."),
    ],
)
def test_bad_input_gets_a_french_error_keeps_the_typing_and_creates_nothing(
    client_for, reporter, overrides, field, message
):
    response = client_for(reporter).post(reverse("reports:new"), valid_data(**overrides))
    assert response.status_code == 200
    assert message in text(response)
    assert field in response.context["form"].errors
    assert 'value="Benoît"' in response.content.decode() or field == "first_name"
    assert not Signalement.objects.exists()
    assert not Person.objects.exists()


def test_a_ticked_indicator_needs_its_date(client_for, reporter):
    data = valid_data()
    school = data["indicators"][0]
    data[f"date_{school}"] = ""
    response = client_for(reporter).post(reverse("reports:new"), data)
    assert "Indiquez la date à laquelle ce comportement a été observé." in text(response)
    assert not Signalement.objects.exists()


def test_a_retired_indicator_cannot_be_ticked(client_for, reporter):
    data = valid_data()
    Indicator.objects.filter(pk=data["indicators"][0]).update(is_current=False)
    response = client_for(reporter).post(reverse("reports:new"), data)
    assert "Sélectionnez un choix valide." in text(response)
    assert not Signalement.objects.exists()


def test_a_guest_cannot_file(client_for, guest):
    assert client_for(guest).post(reverse("reports:new"), valid_data()).status_code == 403
    assert not Signalement.objects.exists()


def test_the_report_goes_to_the_cell_the_user_works_in(client_for, reporter, other_cell):
    from cellule.accounts.enums import Role
    from tests.accounts.factories import MembershipFactory

    MembershipFactory(user=reporter, cell=other_cell, role=Role.REPORTER)
    client = client_for(reporter)
    client.post(reverse("core:switch_cell"), {"cell": str(other_cell.pk)})
    client.post(reverse("reports:new"), valid_data())
    assert Signalement.objects.get().cell == other_cell
