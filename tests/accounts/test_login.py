"""Login: e-mail and password, then the TOTP code; French messages that reveal nothing."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_login_page_is_french_and_dsfr(client):
    response = client.get(reverse("accounts:login"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr"' in content
    assert "Adresse électronique" in content and "Mot de passe" in content
    assert "dsfr.min.css" in content
    assert "Accès rapide" in content


@pytest.mark.parametrize("email", ["inconnu@exemple.test", "EXISTE"])
def test_failed_login_says_the_same_for_known_and_unknown_emails(client, email):
    user = UserFactory()
    response = client.post(
        reverse("accounts:login"),
        {
            "username": user.email if email == "EXISTE" else email,
            "password": "mauvais mot de passe",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == ["Identifiant et/ou mot de passe non valides."]


def test_inactive_account_gets_the_same_message(client):
    user = UserFactory(is_active=False)
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.context["form"].non_field_errors() == [
        "Identifiant et/ou mot de passe non valides."
    ]


def test_password_then_totp_code_opens_the_dashboard(client, coordinator):
    response = client.post(
        reverse("accounts:login"),
        {"username": coordinator.email.upper(), "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_verify"))

    # Before the code, no page of the cell is reachable.
    assert client.get(reverse("core:home")).url.startswith(reverse("accounts:otp_verify"))

    device = TOTPDevice.objects.get(user=coordinator)
    response = client.post(
        f"{reverse('accounts:otp_verify')}?next=/",
        {"code": current_code(device), "next": "/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "Tableau de bord" in response.content.decode()


def test_wrong_totp_code_is_refused_in_french(client, coordinator):
    client.post(reverse("accounts:login"), {"username": coordinator.email, "password": PASSWORD})
    response = client.post(reverse("accounts:otp_verify"), {"code": "000000"})
    assert response.status_code == 200
    assert "Code non valable, expiré ou déjà utilisé." in response.content.decode()
    assert client.get(reverse("core:home")).status_code == 302


@pytest.mark.parametrize(
    ("code", "message"), [("12ab56", "que des chiffres"), ("123", "6 chiffres"), ("", "Saisissez")]
)
def test_malformed_totp_code_gets_a_clear_error(client, coordinator, code, message):
    client.post(reverse("accounts:login"), {"username": coordinator.email, "password": PASSWORD})
    response = client.post(reverse("accounts:otp_verify"), {"code": code})
    assert message in response.content.decode()


def test_a_totp_code_cannot_be_replayed(client, coordinator):
    device = TOTPDevice.objects.get(user=coordinator)
    code = current_code(device)
    client.post(reverse("accounts:login"), {"username": coordinator.email, "password": PASSWORD})
    assert client.post(reverse("accounts:otp_verify"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))

    client.post(reverse("accounts:login"), {"username": coordinator.email, "password": PASSWORD})
    response = client.post(reverse("accounts:otp_verify"), {"code": code})
    assert response.status_code == 200
    assert "déjà utilisé" in response.content.decode()


def test_first_login_enrols_a_totp_device(client):
    user = UserFactory(totp=False)
    client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    response = client.get(reverse("core:home"))
    assert response.url.startswith(reverse("accounts:otp_setup"))

    page = client.get(response.url)
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    bad = client.post(reverse("accounts:otp_setup"), {"code": "000000"})
    assert "Code non valable" in bad.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    throttled = client.post(reverse("accounts:otp_setup"), {"code": current_code(device)})
    assert "patientez quelques secondes" in throttled.content.decode()

    TOTPDevice.objects.get(pk=device.pk).throttle_reset()
    client.post(reverse("accounts:otp_setup"), {"code": current_code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("core:home")).status_code == 200


def test_next_parameter_cannot_send_the_user_off_site(client, coordinator):
    client.post(reverse("accounts:login"), {"username": coordinator.email, "password": PASSWORD})
    device = TOTPDevice.objects.get(user=coordinator)
    response = client.post(
        reverse("accounts:otp_verify"),
        {"code": current_code(device), "next": "https://exemple.org/"},
    )
    assert response.url == reverse("core:home")


def test_logout_ends_the_session(client_for, coordinator):
    client = client_for(coordinator)
    assert client.get(reverse("core:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302


def test_password_reset_answers_the_same_and_mails_no_personal_data(client, mailoutbox):
    user = UserFactory()
    known = client.post(reverse("accounts:password_reset"), {"email": user.email})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "personne@exemple.test"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert user.first_name not in body and user.last_name not in body
    assert "valable une heure" in body


def test_administrator_second_factor_can_be_waived_but_nobody_elses(
    client, settings, admin_user, coordinator
):
    settings.CELLULE_ADMIN_OTP_REQUIRED = False
    client.post(reverse("accounts:login"), {"username": admin_user.email, "password": PASSWORD})
    assert client.get(reverse("admin:index")).status_code == 200

    other = Client()
    other.post(reverse("accounts:login"), {"username": coordinator.email, "password": PASSWORD})
    assert other.get(reverse("core:home")).url.startswith(reverse("accounts:otp_verify"))


def test_administrator_needs_the_second_factor_by_default(client, admin_user):
    client.post(reverse("accounts:login"), {"username": admin_user.email, "password": PASSWORD})
    assert client.get(reverse("core:home")).url.startswith(reverse("accounts:otp_verify"))
    assert client.get(reverse("admin:index")).status_code in {302, 403}


def test_wrong_then_right_code_is_throttled_with_a_french_message(client, coordinator):
    client.post(reverse("accounts:login"), {"username": coordinator.email, "password": PASSWORD})
    client.post(reverse("accounts:otp_verify"), {"code": "000000"})
    device = TOTPDevice.objects.get(user=coordinator)
    response = client.post(reverse("accounts:otp_verify"), {"code": current_code(device)})
    assert "patientez quelques secondes" in response.content.decode()
