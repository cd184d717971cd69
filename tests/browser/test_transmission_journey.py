"""A commune's coordinator sends a signalement à l'État; the préfecture's référent acknowledges
it and gives feedback; the commune reads the feedback in the situation's chronology."""

import pytest

from cellule.accounts.enums import Role
from cellule.exchanges.models import Transmission
from tests.accounts.factories import MembershipFactory
from tests.browser.test_invitation_journey import log_in
from tests.cases.factories import open_situation
from tests.exchanges.factories import departmental_cell

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signalement_a_l_etat_from_the_commune_to_the_prefecture_and_back(
    browser, live_server, cell
):
    coordinator = MembershipFactory(cell=cell, role=Role.COORDINATOR).user
    prefecture = departmental_cell(cell)
    referent = MembershipFactory(cell=prefecture, role=Role.COORDINATOR).user
    situation = open_situation(cell, by=coordinator, last_name="Garnier", first_name="Théo")

    page = browser.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server.url, coordinator)
    page.goto(f"{live_server.url}/situations/{situation.pk}/")
    page.get_by_role("link", name="Transmettre à la préfecture").click()
    # The minimal selection is checked; the phone is not.
    assert page.get_by_label("Nom", exact=True).is_checked()
    assert not page.get_by_label("Téléphone").is_checked()
    page.locator("label", has_text="Texte des signalements").click()  # the DSFR label covers it
    page.locator("#id_legal_basis").select_option(
        label="Article L. 132-5 du code de la sécurité intérieure"
    )
    page.get_by_role("button", name="Voir ce qui sera transmis").click()
    preview = page.locator("main").inner_text()
    assert "Vérifiez ce qui sera transmis" in preview and "Garnier Théo" in preview
    assert "Absent du collège" in preview
    page.get_by_role("button", name="Confirmer et transmettre").click()
    assert "Signalement transmis à la préfecture" in page.locator("main").inner_text()
    transmission = Transmission.objects.get()
    assert transmission.from_cell == cell and transmission.to_cell == prefecture

    prefecture_page = browser.new_page()
    prefecture_page.set_default_timeout(10_000)
    log_in(prefecture_page, live_server.url, referent)
    prefecture_page.get_by_role("link", name="Échanges", exact=True).first.click()
    prefecture_page.locator("tr", has_text=transmission.reference).get_by_role(
        "link", name="Ouvrir"
    ).click()
    copy = prefecture_page.locator("main").inner_text()
    assert "Garnier Théo" in copy and "Absent du collège" in copy
    prefecture_page.get_by_role("button", name="Accuser réception").click()
    assert "Réception accusée" in prefecture_page.locator("main").inner_text()
    prefecture_page.get_by_text("Suivi par les services de l'État").click()
    prefecture_page.get_by_role("button", name="Envoyer le retour d'information").click()
    assert "Retour d'information envoyé" in prefecture_page.locator("main").inner_text()

    page.goto(f"{live_server.url}/situations/{situation.pk}/")
    chronology = page.locator(".cellule-timeline").inner_text()
    assert "Signalement transmis à la préfecture" in chronology
    assert "Réception accusée par la préfecture" in chronology
    assert "Retour d'information de la préfecture : Suivi par les services de l'État" in chronology
    assert not errors, errors
