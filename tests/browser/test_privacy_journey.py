"""The DPO records an access request, finds the person and prepares the export; the coordinator
reviews it; only then can the DPO download it."""

from datetime import date

import pytest
from playwright.sync_api import expect

from cellule.privacy.models import RightsRequest
from tests.browser.test_invitation_journey import log_in
from tests.cases.factories import open_situation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_access_request_from_receipt_to_the_reviewed_export(
    browser, live_server, cell, coordinator, dpo
):
    open_situation(
        cell, by=coordinator, last_name="Lefèvre", first_name="Benoît", birth_date=date(2009, 3, 12)
    )

    page = browser.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, dpo)
    page.get_by_role("link", name="Protection des données", exact=True).first.click()
    page.get_by_role("link", name="Demandes d'exercice des droits").first.click()
    page.get_by_role("link", name="Enregistrer une demande").click()
    page.locator("#id_kind").select_option(label="Droit d'accès (art. 15)")
    page.locator("#id_last_name").fill("LEFEVRE")
    page.locator("#id_first_name").fill("Benoit")
    page.locator("#id_birth_date").fill("2009-03-12")
    page.locator("#id_contact").fill("3 rue des Lilas, 13140 Miramas")
    page.get_by_role("button", name="Enregistrer la demande").click()
    assert "Demande enregistrée : réponse due le" in page.locator("main").inner_text()

    page.get_by_role("link", name="Rechercher la personne").click()
    page.get_by_text("Lefèvre Benoît", exact=False).first.click()
    page.get_by_role("button", name="Enregistrer").click()
    assert "Personne retrouvée" in page.locator("main").inner_text()
    page.get_by_role("button", name="Préparer l'export").click()
    main = page.locator("main").inner_text()
    assert "En attente de relecture" in main and "autre personne" in main
    assert page.get_by_role("link", name="Télécharger l'export (PDF)").count() == 0
    request_url = page.url

    reviewer = browser.new_page()
    reviewer.set_default_timeout(10_000)
    log_in(reviewer, live_server.url, coordinator)
    reviewer.goto(request_url)
    # The report's facts, in the export to review (the DSFR accordion opens once its script ran).
    expect(reviewer.locator("#export-preview")).to_be_visible()
    expect(reviewer.locator("#export-preview")).to_contain_text("Absent du collège")
    reviewer.locator("#id_comment").first.fill("Relu : rien à retirer.")
    reviewer.get_by_role("button", name="J'ai relu l'export : il peut être remis").click()
    assert "Export relu et validé" in reviewer.locator("main").inner_text()

    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger l'export (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    request = RightsRequest.objects.get()
    assert list(request.steps.values_list("kind", flat=True)) == [
        "received",
        "person_linked",
        "export_generated",
        "export_reviewed",
        "export_released",
    ]
