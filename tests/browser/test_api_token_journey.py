"""A coordinator makes an API token in their profile, a program uses it, the coordinator revokes it."""

import json
import urllib.error
import urllib.request

import pytest

from cellule.accounts.enums import Role
from tests.accounts.factories import MembershipFactory
from tests.browser.test_invitation_journey import log_in
from tests.reports.factories import file_signalement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def api_get(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_token_made_shown_once_used_then_revoked(page, live_server, cell):
    coordinator = MembershipFactory(cell=cell, role=Role.COORDINATOR).user
    file_signalement(cell, last_name="Lefèvre")
    log_in(page, live_server.url, coordinator)

    page.goto(f"{live_server.url}/profil/")
    page.get_by_role("link", name="Créer un jeton d'API").click()
    page.get_by_label("Nom du jeton").fill("Logiciel de vie scolaire")
    page.get_by_label("Durée de validité").select_option(label="30 jours")
    page.get_by_role("button", name="Créer le jeton").click()
    assert page.locator("h1").inner_text() == "Votre jeton d'API"
    token = page.locator("#api-token").input_value()
    assert token.startswith("cel_")

    status, payload = api_get(f"{live_server.url}/api/v1/signalements", token)
    assert status == 200 and payload["items"][0]["person"]["last_name"] == "Lefèvre"

    page.get_by_role("link", name="J'ai copié le jeton").click()
    section = page.locator("table", has_text="Logiciel de vie scolaire")
    assert token not in page.content()
    assert "actif" in section.inner_text().lower()
    section.get_by_role("button", name="Révoquer").click()
    assert (
        "révoqué" in page.locator("table", has_text="Logiciel de vie scolaire").inner_text().lower()
    )

    status, payload = api_get(f"{live_server.url}/api/v1/signalements", token)
    assert (status, payload["code"]) == (401, "token_revoked")

    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=10_000)
    assert "API Cellule" in page.locator(".swagger-ui .info").inner_text()
    assert page.console_errors == [], "CSP or script errors on the pages"
