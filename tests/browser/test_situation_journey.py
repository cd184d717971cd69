"""The coordinator opens a situation, builds the plan, reviews it, closes it, and finds it in the
archive after the delay, stating why."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from cellule.accounts.enums import Role
from cellule.cases.models import Situation
from cellule.journal.models import AuditEvent
from tests.accounts.factories import MembershipFactory, OrganisationFactory
from tests.browser.test_invitation_journey import log_in
from tests.reports.factories import file_signalement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_situation_from_opening_to_archive(browser, live_server, cell):
    coordinator = MembershipFactory(cell=cell, role=Role.COORDINATOR).user
    ccas = OrganisationFactory(name="CCAS de Miramas", departement=cell.departement)
    MembershipFactory(cell=cell, role=Role.MEMBER, user__organisation=ccas)
    signalement = file_signalement(cell, last_name="Garnier", first_name="Théo")  # a minor
    today = timezone.localdate().isoformat()

    page = browser.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, coordinator)
    page.get_by_role("link", name="Signalements à qualifier").click()
    page.locator("tr", has_text="Garnier").get_by_role("link", name="Examiner").click()
    page.locator("label[for=id_agenda]").click()
    page.locator("#id_reason").fill("Décrochage scolaire : examen en séance.")
    page.get_by_role("button", name="Enregistrer la décision").click()

    page.get_by_role("link", name="Situations", exact=True).first.click()
    page.locator("tr", has_text="Garnier").get_by_role("link", name="Ouvrir").click()
    assert page.locator("h1").inner_text().startswith("Situation n°")
    assert f"Signalement n° {signalement.reference}" in page.locator("main").inner_text()

    for kind, provider in (
        ("Scolarité", "CCAS de Miramas"),
        ("Sport et citoyenneté", coordinator.organisation.name),
    ):
        page.get_by_role("link", name="Proposer une mesure").click()
        page.locator("#id_kind").select_option(label=kind)
        page.locator("#id_provider").select_option(label=provider)
        page.get_by_role("button", name="Proposer la mesure").click()
        card = page.locator(".cellule-measure", has_text=kind)
        card.locator("input[name=answered_on]").fill(today)
        card.locator("input[name=parental_consent_on]").fill(today)
        card.get_by_role("button", name="Enregistrer la réponse").click()
        assert "Réponse de la personne enregistrée" in page.locator("main").inner_text()
    assert page.locator(".cellule-measure", has_text="Acceptée").count() == 2

    page.locator("#id_changes").fill("Reprise du collège trois jours par semaine.")
    page.get_by_role("button", name="Enregistrer la revue").click()
    assert "Revue enregistrée" in page.locator("main").inner_text()

    page.get_by_role("link", name="Clôturer la situation").click()
    page.locator("#id_reason").select_option(label="Objectifs atteints")
    page.locator("#id_text").fill("Scolarité reprise, la famille ne souhaite pas d'autre suivi.")
    assert "Reprise du collège trois jours par semaine." in page.locator("main").inner_text()
    page.get_by_role("button", name="Clôturer la situation").click()
    assert "Situation clôturée" in page.locator("main").inner_text()
    situation = Situation.objects.get()
    assert (situation.status, situation.closure_reason) == ("closed", "goals_met")

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        call_command("archive_situations")
        page = browser.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server.url, coordinator)
        page.goto(f"{live_server.url}/situations/")
        page.get_by_role("link", name="Archives").click()
        page.locator("tr", has_text=situation.reference).get_by_role(
            "link", name="Consulter"
        ).click()
        assert "Garnier" not in page.locator("main").inner_text()
        page.locator("#id_reason").fill("Demande du procureur")
        page.get_by_role("button", name="Consulter la situation").click()
        assert "Garnier" in page.locator("main").inner_text()
        assert "Situation archivée" in page.locator("main").inner_text()
    assert AuditEvent.objects.filter(
        actor_id=coordinator.pk, target_id=str(situation.pk), reason="Demande du procureur"
    ).exists()
