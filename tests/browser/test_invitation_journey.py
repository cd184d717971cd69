"""From the coordinator's invitation to the invitee's first page, in a real browser."""

import base64
import re

import pytest
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cellule.accounts.enums import Role
from tests.accounts.factories import PASSWORD, MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url, user):
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("Code à usage unique").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Valider").click()


def test_invitation_from_email_to_first_login_with_totp(browser, live_server, cell):
    OrganisationFactory(name="CCAS de Miramas", departement=cell.departement)
    coordinator = MembershipFactory(cell=cell, role=Role.COORDINATOR).user
    mail.outbox.clear()

    coordinator_page = browser.new_page()
    coordinator_page.set_default_timeout(10_000)
    log_in(coordinator_page, live_server.url, coordinator)
    coordinator_page.get_by_role("link", name="Ma cellule").click()
    coordinator_page.get_by_role("link", name="Inviter une personne").click()
    coordinator_page.get_by_label("Adresse électronique professionnelle").fill(
        "nadia.martin@ccas-miramas.fr"
    )
    coordinator_page.get_by_label("Prénom").fill("Nadia")
    coordinator_page.locator("#id_last_name").fill("Martin")
    coordinator_page.get_by_label("Organisation").select_option(label="CCAS de Miramas")
    coordinator_page.get_by_label("Rôle dans la cellule").select_option(label="Membre partenaire")
    coordinator_page.get_by_role("button", name="Envoyer l'invitation").click()
    assert (
        "Invitation envoyée à nadia.martin@ccas-miramas.fr"
        in coordinator_page.locator("main").inner_text()
    )
    assert "nadia.martin@ccas-miramas.fr" in coordinator_page.locator("table").last.inner_text()

    assert len(mail.outbox) == 1
    link = re.search(r"http\S+/invitation/\S+/", mail.outbox[0].body).group(0)

    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto(link)
    assert page.locator("h1").inner_text() == "Créer votre accès"
    page.locator("#id_new_password1").fill("un mot de passe bien long")
    page.locator("#id_new_password2").fill("un mot de passe bien long")
    page.get_by_role("button", name="Créer mon accès").click()

    assert page.locator("h1").inner_text() == "Activer la double authentification"
    secret = page.locator(".cellule-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code à usage unique").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Activer").click()

    assert page.locator("h1").inner_text() == f"Charte de confidentialité — {cell.name}"
    page.locator("label[for=id_accept]").click()  # the DSFR label covers its checkbox
    page.get_by_role("button", name="Signer la charte").click()

    assert page.locator("h1").inner_text() == "Bonjour Nadia"
    assert "Membre partenaire" in page.locator("main").inner_text()
