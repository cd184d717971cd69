"""Recovery codes, re-authentication, sessions and lockout (ASVS V6 and V7)."""

import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from cellule.accounts.security import RecoveryCodeDevice, UserSession
from cellule.accounts.sessions import REAUTH_AT
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.test_login import current_code
from tests.conftest import text

pytestmark = pytest.mark.django_db


def password_login(client, user, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": password})


def full_login(client, user):
    password_login(client, user)
    # Two logins within one 30-second step would be a replay: forget the last code used.
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("accounts:otp_verify"), {"code": current_code(device)})
    assert response.status_code == 302
    return client


# --- Recovery codes ----------------------------------------------------------------------------


def test_recovery_codes_are_shown_once_and_work_once(client_for, member, client):
    page = client_for(member).post(reverse("accounts:recovery_codes"))
    codes = page.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert page["Cache-Control"] == "no-store"
    stored = RecoveryCodeDevice.objects.get(user=member).codes.values_list("code_hash", flat=True)
    assert not set(codes) & set(stored)

    password_login(client, member)
    response = client.post(reverse("accounts:recovery_login"), {"code": codes[0].lower()})
    assert response.status_code == 302
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert "il vous en reste 9" in text(home)

    other = Client()
    password_login(other, member)
    RecoveryCodeDevice.objects.get(user=member).throttle_reset()
    reused = other.post(reverse("accounts:recovery_login"), {"code": codes[0]})
    assert "Code de secours non valable ou déjà utilisé." in text(reused)


def test_regenerating_recovery_codes_invalidates_the_old_ones(client_for, member, client):
    member_client = client_for(member)
    old = member_client.post(reverse("accounts:recovery_codes")).context["codes"]
    member_client.post(reverse("accounts:recovery_codes"))
    password_login(client, member)
    response = client.post(reverse("accounts:recovery_login"), {"code": old[1]})
    assert "non valable" in text(response)


def test_recovery_page_without_codes_gets_a_clear_answer(client, member):
    password_login(client, member)
    response = client.post(reverse("accounts:recovery_login"), {"code": "ABCDE-FGH23"})
    assert "Code de secours non valable" in text(response)
    assert client.get(reverse("core:home")).status_code == 302


# --- Re-authentication -------------------------------------------------------------------------


def test_sensitive_action_asks_to_confirm_identity_after_ten_minutes(client_for, member):
    client = client_for(member)
    session = client.session
    session[REAUTH_AT] = time.time() - 11 * 60
    session.save()

    response = client.get(reverse("accounts:recovery_codes"))
    assert response.url.startswith(reverse("accounts:reauthenticate"))

    refused = client.post(reverse("accounts:reauthenticate"), {"password": "faux mot de passe"})
    assert "Mot de passe ou code non valable." in text(refused)
    empty = client.post(reverse("accounts:reauthenticate"), {})
    assert "Saisissez votre mot de passe ou un code" in text(empty)

    done = client.post(
        reverse("accounts:reauthenticate"),
        {"password": PASSWORD, "next": reverse("accounts:recovery_codes")},
    )
    assert done.url == reverse("accounts:recovery_codes")
    assert client.get(reverse("accounts:recovery_codes")).status_code == 200


def test_reauthentication_accepts_a_totp_code(client_for, member):
    client = client_for(member)
    session = client.session
    session[REAUTH_AT] = 0
    session.save()
    device = TOTPDevice.objects.get(user=member)
    response = client.post(reverse("accounts:reauthenticate"), {"code": current_code(device)})
    assert response.status_code == 302


def test_replacing_the_totp_device_goes_straight_to_enrolment(client_for, member):
    client = client_for(member)
    response = client.post(reverse("accounts:totp_replace"))
    assert response.url == reverse("accounts:otp_setup")
    assert not TOTPDevice.objects.filter(user=member, confirmed=True).exists()
    assert client.get(reverse("core:home")).url.startswith(reverse("accounts:otp_setup"))


# --- Sessions ----------------------------------------------------------------------------------


def test_session_ends_after_thirty_minutes_idle(client, member):
    full_login(client, member)
    with time_machine.travel(time.time() + 29 * 60, tick=False):
        assert client.get(reverse("core:home")).status_code == 200
    with time_machine.travel(time.time() + 29 * 60 + 31 * 60, tick=False):
        response = client.get(reverse("core:home"))
        assert response.url.startswith(reverse("accounts:login"))
        login_page = client.get(response.url)
        assert "Votre session a expiré" in text(login_page)


def test_session_ends_after_twelve_hours_even_when_active(client, member):
    full_login(client, member)
    start = time.time()
    for hours in range(1, 12):
        with time_machine.travel(start + hours * 3600 - 60, tick=False):
            for minutes in (0, 20, 40):
                with time_machine.travel(start + hours * 3600 - 60 + minutes * 60, tick=False):
                    client.get(reverse("core:home"))
    with time_machine.travel(start + 12 * 3600 + 60, tick=False):
        assert client.get(reverse("core:home")).url.startswith(reverse("accounts:login"))


def test_login_gives_a_new_session_id(client, member):
    client.get(reverse("accounts:login"))
    client.cookies["sessionid"] = "ancienne-session-fixee-par-un-tiers"
    password_login(client, member)
    assert client.cookies["sessionid"].value != "ancienne-session-fixee-par-un-tiers"


def test_user_sees_and_ends_their_other_sessions(member):
    laptop, phone = full_login(Client(), member), full_login(Client(), member)
    assert UserSession.objects.filter(user=member).count() == 2
    page = laptop.get(reverse("accounts:sessions"))
    assert len(page.context["open_sessions"]) == 2
    other = next(
        s for s in page.context["open_sessions"] if s.session_key != laptop.session.session_key
    )

    laptop.post(reverse("accounts:session_end", kwargs={"pk": other.pk}))
    assert phone.get(reverse("core:home")).url.startswith(reverse("accounts:login"))
    assert laptop.get(reverse("core:home")).status_code == 200


def test_nobody_ends_another_users_session(member, coordinator):
    full_login(Client(), coordinator)
    theirs = UserSession.objects.get(user=coordinator)
    response = full_login(Client(), member).post(
        reverse("accounts:session_end", kwargs={"pk": theirs.pk})
    )
    assert response.status_code == 404
    assert UserSession.objects.filter(pk=theirs.pk).exists()


def test_password_change_closes_every_other_session(member):
    laptop, phone = full_login(Client(), member), full_login(Client(), member)
    new = "un nouveau mot de passe solide"
    response = laptop.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.url == reverse("accounts:profile")
    assert laptop.get(reverse("core:home")).status_code == 200
    assert phone.get(reverse("core:home")).url.startswith(reverse("accounts:login"))
    assert UserSession.objects.filter(user=member).count() == 1


def test_password_change_refuses_a_weak_password(client_for, member):
    response = client_for(member).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "court", "new_password2": "court"},
    )
    assert "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères." in text(
        response
    )


def test_deactivated_account_is_logged_out_everywhere(member):
    client = full_login(Client(), member)
    member.is_active = False
    member.save()
    assert client.get(reverse("core:home")).url.startswith(reverse("accounts:login"))


def test_keepalive_answers_no_content(client_for, member):
    assert client_for(member).post(reverse("accounts:session_keepalive")).status_code == 204


# --- Lockout -------------------------------------------------------------------------------------


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    from axes.utils import reset

    reset()
    yield
    reset()


def test_ten_failures_lock_the_account_for_fifteen_minutes(client, axes_on):
    user = UserFactory()
    for _ in range(9):
        response = password_login(client, user, password="mauvais mot de passe")
        assert response.status_code == 200
    locked = password_login(client, user, password="mauvais mot de passe")
    assert locked.status_code == 429
    assert "Connexion temporairement bloquée" in text(locked)
    # Even the right password is refused while locked, from another address too.
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert password_login(elsewhere, user).status_code == 429

    with time_machine.travel(time.time() + 16 * 60, tick=False):
        response = password_login(elsewhere, user)
        assert response.status_code == 302


def test_failures_from_one_address_lock_that_address(client, axes_on):
    users = UserFactory.create_batch(10)
    for user in users:
        password_login(client, user, password="mauvais mot de passe")
    victim = UserFactory()
    assert password_login(client, victim).status_code == 429
    assert password_login(Client(REMOTE_ADDR="10.0.0.7"), victim).status_code == 302
