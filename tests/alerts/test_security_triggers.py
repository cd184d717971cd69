"""Account-security notifications, fired through the real account pages."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from cellule.alerts.emails import send_due_emails
from cellule.alerts.models import KnownDevice, Notification
from cellule.alerts.receivers import fingerprint, network
from tests.accounts.factories import PASSWORD
from tests.accounts.test_login import current_code

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
FIREFOX_UPDATED = "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 Safari/604.1"


def login(user, *, ip="192.0.2.10", agent=FIREFOX) -> Client:
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def kinds_of(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_networks_are_compared_by_ipv4_24_and_ipv6_48():
    assert network("192.0.2.10") == network("192.0.2.250") == "192.0.2.0/24"
    assert network("192.0.3.10") != network("192.0.2.10")
    assert network("2001:db8:1:aa::1") == network("2001:db8:1:bb::2") == "2001:db8:1::/48"
    assert network("2001:db8:2::1") != network("2001:db8:1::1")
    assert network("pas une adresse") == ""
    # A browser update is not a new device; another browser is.
    assert fingerprint("192.0.2.10", FIREFOX) == fingerprint("192.0.2.99", FIREFOX_UPDATED)
    assert fingerprint("192.0.2.10", FIREFOX) != fingerprint("192.0.2.10", PHONE)


def test_first_login_only_records_the_device(member):
    login(member)
    assert kinds_of(member) == []
    assert KnownDevice.objects.filter(user=member).count() == 1


def test_login_from_a_known_device_and_network_notifies_nobody(member):
    login(member)
    login(member, ip="192.0.2.77", agent=FIREFOX_UPDATED)
    assert kinds_of(member) == []


@pytest.mark.parametrize(
    ("ip", "agent"),
    [("192.0.2.10", PHONE), ("198.51.100.4", FIREFOX), ("2001:db8:9::1", FIREFOX)],
    ids=["other-browser", "other-network", "ipv6"],
)
def test_login_from_a_new_device_or_network_notifies_the_owner_only(
    member, coordinator, ip, agent, mailoutbox
):
    login(member)
    login(coordinator)
    login(member, ip=ip, agent=agent)
    assert kinds_of(member) == ["new_login"]
    assert kinds_of(coordinator) == []
    send_due_emails()
    (email,) = mailoutbox
    assert email.to == [member.email]
    assert ip not in email.body and "iPhone" not in email.body
    assert "changez sans attendre votre mot de passe" in email.body


def test_an_open_session_counts_as_a_known_device(member):
    """Accounts that logged in before this feature existed: their open sessions are the history."""
    login(member)
    KnownDevice.objects.all().delete()
    login(member)
    assert kinds_of(member) == []
    login(member, agent=PHONE)
    assert kinds_of(member) == ["new_login"]


def test_opening_a_new_login_notification_leads_to_the_sessions(member):
    login(member)
    login(member, agent=PHONE)
    notification = Notification.objects.get(recipient=member)
    from tests.conftest import verified_client

    response = verified_client(member).get(reverse("alerts:open", kwargs={"pk": notification.pk}))
    assert response.url == reverse("accounts:sessions")


def test_regenerating_recovery_codes_notifies_once_per_session(client_for, member, coordinator):
    client = client_for(member)
    client.post(reverse("accounts:recovery_codes"))
    client.post(reverse("accounts:recovery_codes"))
    assert kinds_of(member) == ["two_factor_changed"]
    assert kinds_of(coordinator) == []
    client_for(member).post(reverse("accounts:recovery_codes"))  # another session
    assert kinds_of(member) == ["two_factor_changed", "two_factor_changed"]


def test_replacing_the_authenticator_app_notifies_once(client_for, member, mailoutbox):
    client = client_for(member)
    client.post(reverse("accounts:totp_replace"))
    client.get(reverse("accounts:otp_setup"))
    device = TOTPDevice.objects.get(user=member, confirmed=False)
    response = client.post(reverse("accounts:otp_setup"), {"code": current_code(device)})
    assert response.status_code == 302
    assert kinds_of(member) == ["two_factor_changed"]
    send_due_emails()
    assert [email.to for email in mailoutbox] == [[member.email]]


def test_changing_the_password_notifies_the_owner(client_for, member, coordinator, mailoutbox):
    new = "un nouveau mot de passe solide"
    client_for(member).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert kinds_of(member) == ["password_changed"]
    assert kinds_of(coordinator) == []
    send_due_emails()
    assert mailoutbox[0].subject == "Cellule : sécurité de votre compte"
    assert "Le mot de passe de votre compte a été modifié." in mailoutbox[0].body


def test_a_password_reset_notifies_the_owner(client, member):
    uid = urlsafe_base64_encode(force_bytes(member.pk))
    token = default_token_generator.make_token(member)
    url = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    form_url = client.get(url).url  # Django swaps the token for a session marker
    new = "un nouveau mot de passe solide"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert kinds_of(member) == ["password_changed"]
