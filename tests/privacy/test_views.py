"""The RGPD pages: delays form, holds, certificates, register and DPIA generated from the
configuration (so that they never drift), information notices, dashboard panels."""

import io
from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from cellule.journal.models import AuditEvent
from cellule.privacy import register, services
from cellule.privacy.models import LegalHold, RetentionSetting
from cellule.privacy.purge import run_purge
from tests.accounts.factories import CellFactory
from tests.cases.factories import archived_situation, closed_situation
from tests.conftest import text
from tests.privacy.factories import qualified_signalement, rights_request

pytestmark = pytest.mark.django_db


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


# --- Delays -------------------------------------------------------------------------------------


def test_the_coordinator_sets_the_cells_delays_on_the_page(cell, coordinator, client_for):
    client = client_for(coordinator)
    page = text(client.get(reverse("privacy:retention")))
    assert "Régler les durées de la cellule" in page and "3 ans après la clôture" in page
    data = {
        "signalement_unfounded": 60,
        "signalement_closed": 365,
        "situation": 730,
        "rights_request": 1095,
    }
    response = client.post(reverse("privacy:retention"), data)
    assert response.status_code == 302
    assert dict(RetentionSetting.objects.values_list("rule", "days")) == {
        "signalement_unfounded": 60,
        "situation": 730,
    }
    page = text(client.get(reverse("privacy:retention")))
    assert "2 ans après la clôture" in page and "choisie par la cellule" in page


def test_a_delay_beyond_its_bounds_is_refused_on_the_form(cell, coordinator, client_for):
    response = client_for(coordinator).post(
        reverse("privacy:retention"),
        {
            "signalement_unfounded": 200,
            "signalement_closed": 365,
            "situation": 1095,
            "rights_request": 1095,
        },
    )
    assert response.status_code == 200
    assert "inférieure ou égale à 90" in text(response)
    assert not RetentionSetting.objects.exists()


def test_the_president_and_the_dpo_read_the_delays_but_cannot_change_them(
    cell, president, dpo, client_for
):
    for user in (president, dpo):
        client = client_for(user)
        url = reverse("privacy:retention") + (f"?cellule={cell.pk}" if user == dpo else "")
        page = text(client.get(url))
        assert "Durées de conservation" in page and "Régler les durées" not in page
        assert client.post(url, {"situation": 400}).status_code == 403


def test_the_dpo_switches_between_the_cells_of_their_controller(cell, dpo, client_for):
    second = CellFactory(name="CMER intercommunale", organisation=cell.organisation)
    foreign = CellFactory(name="CMER étrangère")
    client = client_for(dpo)
    page = text(client.get(reverse("privacy:retention"), {"cellule": str(second.pk)}))
    assert "CMER intercommunale" in page and "CMER étrangère" not in page
    page = text(client.get(reverse("privacy:retention"), {"cellule": str(foreign.pk)}))
    assert "CMER étrangère" not in page  # back to one of their own


# --- Holds and what is due ----------------------------------------------------------------------


def test_the_coordinator_holds_a_record_from_the_list_of_what_is_due(cell, coordinator, client_for):
    situation = archived_situation(cell, by=coordinator)
    services.set_retention(cell=cell, rule="situation", days=365, by=coordinator)
    from cellule.cases.models import Situation

    Situation.objects.filter(pk=situation.pk).update(
        closed_at=situation.closed_at.replace(year=situation.closed_at.year - 1)
    )
    client = client_for(coordinator)
    page = text(client.get(reverse("privacy:upcoming")))
    assert f"Situation n° {situation.reference}" in page and "Geler" in page
    url = reverse("privacy:hold_new", kwargs={"kind": "situation", "pk": situation.pk})
    response = client.post(url, {"ground": "", "detail": ""})
    assert response.status_code == 200 and "Ce champ est obligatoire" in text(response)
    response = client.post(url, {"ground": "litigation", "detail": "TA Marseille n° 25-1"})
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    page = text(client.get(reverse("privacy:holds")))
    assert "Contentieux en cours" in page and "TA Marseille n° 25-1" in page
    response = client.post(reverse("privacy:hold_lift", kwargs={"pk": hold.pk}))
    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_by == coordinator


def test_the_dpo_sees_the_holds_ground_but_not_their_detail(cell, coordinator, dpo, client_for):
    situation = closed_situation(cell, by=coordinator)
    services.place_hold(situation=situation, ground="litigation", detail="TA n° 77", by=coordinator)
    page = text(client_for(dpo).get(reverse("privacy:holds")))
    assert "Contentieux en cours" in page and "TA n° 77" not in page


def test_lists_have_a_query_bound(cell, coordinator, client_for, django_assert_max_num_queries):
    for n in range(4):
        situation = closed_situation(cell, by=coordinator, last_name=f"Nom{n}")
        services.place_hold(situation=situation, ground="cnil", by=coordinator)
        qualified_signalement(cell, by=coordinator, last_name=f"Autre{n}")
    run_purge()
    client = client_for(coordinator)
    for name in ("privacy:holds", "privacy:upcoming", "privacy:certificates", "privacy:index"):
        with django_assert_max_num_queries(25):
            assert client.get(reverse(name)).status_code == 200, name


# --- Certificates -------------------------------------------------------------------------------


def test_a_certificate_shows_each_reader_their_cells_lines(
    cell, coordinator, dpo, other_cell, outsider, client_for
):
    from datetime import timedelta

    from django.utils import timezone

    from cellule.reports.models import Signalement

    ours = qualified_signalement(cell, by=coordinator)
    theirs = qualified_signalement(other_cell, by=outsider)
    Signalement.objects.filter(pk__in=[ours.pk, theirs.pk]).update(
        qualified_at=timezone.now() - timedelta(days=100)
    )
    certificate = run_purge().certificate
    url = reverse("privacy:certificate", kwargs={"pk": certificate.pk})
    page = text(client_for(dpo).get(url))
    assert "CMER de Miramas" in page and "CMER d'Istres" not in page
    assert "Signalements classés sans suite comme infondés" in page
    page = text(client_for(outsider).get(url))
    assert "CMER d'Istres" in page and "CMER de Miramas" not in page
    response = client_for(dpo).get(
        reverse("privacy:certificate_pdf", kwargs={"pk": certificate.pk})
    )
    content = pdf_text(response)
    assert "Certificat de purge" in content and "CMER de Miramas" in content
    assert AuditEvent.objects.filter(action="print", target_id=str(certificate.pk)).exists()


# --- Register, DPIA, notices --------------------------------------------------------------------


def test_the_register_is_generated_from_the_configuration(
    cell, coordinator, president, dpo, member, client_for
):
    services.set_retention(cell=cell, rule="situation", days=730, by=coordinator)
    page = text(client_for(dpo).get(reverse("privacy:register")))
    assert cell.organisation.name in page and president.get_full_name() in page
    assert dpo.email in page  # the DPO's contact
    assert member.organisation.name in page  # a recipient: a partner with a member
    assert "2 ans après la clôture" in page  # the delay as configured, not the default
    assert "Aucun transfert hors de l'Union européenne" in page
    assert "AES-256-GCM" in page and "second facteur TOTP" in page


@override_settings(AXES_FAILURE_LIMIT=7, CELLULE_JOURNAL_RETENTION_MONTHS=9)
def test_the_security_measures_read_the_running_settings():
    texts = " ".join(m.text for m in register.security_measures())
    assert "après 7 échecs" in texts and "conservé 9 mois" in texts


def test_the_dpia_measures_are_those_of_the_register():
    codes = {measure.code for measure in register.security_measures()}
    for item in register.risks():
        assert item["measures"], item["risk"].code
        assert {measure.code for measure in item["measures"]} <= codes


def test_register_and_dpia_download_as_pdf_and_are_journaled(cell, dpo, client_for):
    client = client_for(dpo)
    content = pdf_text(client.get(reverse("privacy:register_pdf")))
    assert "Registre des activités de traitement" in content and cell.organisation.name in content
    content = pdf_text(client.get(reverse("privacy:dpia_pdf")))
    assert "Accès illégitime aux données" in content
    reasons = set(AuditEvent.objects.filter(action="export").values_list("reason", flat=True))
    assert {
        "registre des activités de traitement (PDF)",
        "support d'analyse d'impact (PDF)",
    } <= reasons


def test_the_notices_are_filled_from_the_configuration(cell, coordinator, dpo, client_for):
    services.set_retention(cell=cell, rule="signalement_closed", days=180, by=coordinator)
    client = client_for(coordinator)
    notice = text(client.get(reverse("privacy:notice")))
    assert cell.organisation.name in notice and dpo.email in notice
    assert "6 mois après la qualification" in notice and "www.cnil.fr" in notice
    letter = text(client.get(reverse("privacy:letter")))
    assert "[Nom et prénom de la personne]" in letter and cell.name in letter
    assert "au plus tard 6 mois après la qualification" in letter
    content = pdf_text(client.get(reverse("privacy:letter_pdf")))
    assert "Objet : information sur le traitement de vos données personnelles" in content


# --- Dashboard ----------------------------------------------------------------------------------


def test_the_dpo_dashboard_shows_requests_certificates_and_holds(
    cell, coordinator, dpo, client_for
):
    rights_request(cell, by=dpo, received_on=date(2020, 1, 1))
    run_purge()
    page = text(client_for(dpo).get(reverse("core:home")))
    assert "1 demande en cours" in page and "1 en retard" in page
    assert "Aucun gel juridique en cours" in page
    assert "Dernière purge le" in page
    assert "arriveront ici avec le module RGPD" not in page


def test_the_coordinator_dashboard_counts_what_is_due(cell, coordinator, president, client_for):
    from datetime import timedelta

    from django.utils import timezone

    from cellule.reports.models import Signalement

    report = qualified_signalement(cell, by=coordinator)
    Signalement.objects.filter(pk=report.pk).update(
        qualified_at=timezone.now() - timedelta(days=80)
    )
    page = text(client_for(coordinator).get(reverse("core:home")))
    assert "1 dossier arrive au terme de sa conservation dans les 30 jours" in page
    page = text(client_for(president).get(reverse("core:home")))
    assert "Voir les échéances" in page


def test_the_coordinator_looks_further_ahead_to_hold_a_record_early(cell, coordinator, client_for):
    situation = closed_situation(cell, by=coordinator)
    client = client_for(coordinator)
    assert situation.reference not in text(client.get(reverse("privacy:upcoming")))
    page = text(client.get(reverse("privacy:upcoming"), {"jours": "1095"}))
    assert f"Situation n° {situation.reference}" in page
    # Any other horizon falls back to the 30 days of the warning.
    assert situation.reference not in text(
        client.get(reverse("privacy:upcoming"), {"jours": "9999"})
    )


def test_a_hold_shows_in_the_situation_chronology_for_the_cell_managers(
    cell, coordinator, client_for
):
    situation = closed_situation(cell, by=coordinator)
    hold = services.place_hold(situation=situation, ground="judicial", by=coordinator)
    services.lift_hold(hold=hold, by=coordinator)
    page = text(client_for(coordinator).get(reverse("cases:detail", kwargs={"pk": situation.pk})))
    assert "Gel juridique de la conservation : réquisition ou procédure judiciaire" in page
    assert "Gel juridique levé" in page
