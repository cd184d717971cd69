"""A coordinator's first minutes, in a real browser: login, second factor, dashboard, cell."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cellule.accounts.enums import Role
from tests.accounts.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_logs_in_with_totp_and_sees_the_cell_without_csp_violation(
    page, live_server, cell
):
    coordinator = MembershipFactory(cell=cell, role=Role.COORDINATOR).user
    newcomer = MembershipFactory(cell=cell, role=Role.MEMBER, unsigned=True).user
    device = TOTPDevice.objects.get(user=coordinator)

    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Connexion à Cellule"
    page.get_by_label("Adresse électronique").fill(coordinator.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.get_by_label("Code à usage unique").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Valider").click()

    assert page.locator("h1").inner_text() == f"Bonjour {coordinator.first_name}"
    assert newcomer.get_full_name() in page.locator("main").inner_text()

    page.get_by_role("link", name="Ma cellule").click()
    assert page.locator("h1").inner_text() == cell.name
    assert page.evaluate("!!window.dsfr"), "the DSFR script did not start"
    assert page.console_errors == []
