"""A reporter files a report; the coordinator finds the person already known and decides."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cellule.accounts.enums import Role
from cellule.reports import services
from cellule.reports.models import Signalement
from tests.accounts.factories import MembershipFactory
from tests.browser.test_invitation_journey import log_in
from tests.reports.factories import file_signalement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_then_duplicate_attached_then_agenda(browser, live_server, cell):
    reporter = MembershipFactory(cell=cell, role=Role.REPORTER).user
    coordinator = MembershipFactory(cell=cell, role=Role.COORDINATOR).user
    known = file_signalement(
        cell, by=reporter, last_name="Lefèvre", first_name="Benoît", birth_date=date(2009, 3, 12)
    )
    services.confirm_new_person(signalement=known, by=coordinator)
    day = (timezone.localdate() - timedelta(days=1)).isoformat()

    page = browser.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, reporter)
    page.get_by_role("link", name="Signaler").click()
    page.wait_for_url("**/signalements/nouveau/")  # loaded, with its script
    page.locator("#id_last_name").fill("LEFEBVRE")
    page.locator("#id_first_name").fill("Benoit")
    page.locator("#id_birth_date").fill("2009-03-12")
    page.locator("#id_observed_on").fill(day)
    page.locator("#id_source_category").select_option(label="Club sportif ou association")
    # An imminent-danger item shows the 17 / 112 warning at once, before submitting.
    alert = page.locator("#imminent-danger-alert")
    expect(alert).to_be_hidden()
    attack_plan = page.locator(
        ".cellule-indicator", has_text="Projet déclaré de passage à l'acte violent"
    )
    attack_plan.locator("label.fr-label").first.click()
    expect(alert).to_be_visible()
    attack_plan.locator("label.fr-label").first.click()
    expect(alert).to_be_hidden()
    for label in (
        "Abandon d'activités pratiquées jusque-là (sport, loisirs)",
        "Repli sur soi, isolement marqué",
    ):
        item = page.locator(".cellule-indicator", has_text=label)
        item.locator("label.fr-label").first.click()
        item.locator("input[type=date]").fill(day)
    page.locator("#id_text").fill("Ne vient plus à l'entraînement depuis un mois ; reste seul.")
    page.get_by_role("button", name="Envoyer le signalement").click()
    assert page.locator("h1").inner_text() == "Mes signalements"
    assert "reçu" in page.locator("table").inner_text().lower()
    assert "LEFEBVRE" not in page.content()

    page = browser.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, coordinator)
    page.get_by_role("link", name="Signalements à qualifier").click()
    page.locator("tr", has_text="LEFEBVRE").get_by_role("link", name="Examiner").click()
    assert "Personnes peut-être déjà connues de la cellule" in page.locator("main").inner_text()
    assert "même date de naissance" in page.locator("main").inner_text()
    page.get_by_role("button", name="C'est la même personne : rattacher").click()
    assert "Signalement rattaché à la personne déjà connue" in page.locator("main").inner_text()

    page.locator("label[for=id_agenda]").click()
    page.locator("#id_reason").fill("Abandon du sport et isolement : examen en séance.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    assert page.locator("h1").inner_text() == "Signalements à qualifier"
    filed = Signalement.objects.exclude(pk=known.pk).get()
    assert (filed.person_id, filed.status, filed.outcome_agenda) == (
        known.person_id,
        "qualified",
        True,
    )
