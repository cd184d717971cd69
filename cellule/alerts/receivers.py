"""Account-security notifications, from the signals of the accounts app.

- a login from a new device: the login's browser (its user agent, version numbers ignored) and
  network (IPv4 /24, IPv6 /48) never seen for this account, neither in its known devices nor in
  its other open sessions. The very first login of an account only records the device.
- the second factor changed: TOTP application enrolled or removed, recovery codes regenerated;
- the password changed, by the user or through a reset link.
"""

import ipaddress
import re

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from cellule.accounts.security import UserSession, digest
from cellule.accounts.signals import password_changed, second_factor_changed
from cellule.alerts.models import KnownDevice
from cellule.alerts.services import notify

_VERSION = re.compile(r"\d+")


def network(ip: str | None) -> str:
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def fingerprint(ip: str | None, user_agent: str) -> str:
    """A keyed hash of (network, browser): the devices table holds no address nor user agent."""
    browser = _VERSION.sub("", (user_agent or "")[:300])
    return digest(f"{network(ip)}|{browser}", purpose="device")


def _session_tag(request) -> str:
    """A stable reference to the request's session, for idempotency keys (never the key)."""
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None) or ""
    return digest(session_key, purpose="notification")[:32] if session_key else ""


@receiver(user_logged_in, dispatch_uid="alerts_new_device")
def watch_new_device(sender, request, user, **kwargs):
    if request is None:
        return
    current = fingerprint(request.META.get("REMOTE_ADDR"), request.META.get("HTTP_USER_AGENT", ""))
    known = set(KnownDevice.objects.filter(user=user).values_list("fingerprint", flat=True))
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    for ip, user_agent in (
        UserSession.objects.filter(user=user)
        .exclude(session_key=session_key)
        .values_list("ip", "user_agent")
    ):
        known.add(fingerprint(ip, user_agent))
    now = timezone.now()
    device, created = KnownDevice.objects.get_or_create(
        user=user, fingerprint=current, defaults={"first_seen": now, "last_seen": now}
    )
    if not created:
        KnownDevice.objects.filter(pk=device.pk).update(last_seen=now)
    if known and current not in known:
        notify(
            kind="new_login",
            recipients=[user],
            target=user,
            key=_session_tag(request) or f"{current}:{now.isoformat()}",
        )


@receiver(second_factor_changed, dispatch_uid="alerts_second_factor")
def second_factor(sender, user, request=None, change="totp", **kwargs):
    # One notification per session and change: replacing the application (removal, then the
    # enrolment it forces) is one event.
    tag = _session_tag(request) or timezone.now().isoformat()
    notify(kind="two_factor_changed", recipients=[user], target=user, key=f"{change}:{tag}")


@receiver(password_changed, dispatch_uid="alerts_password")
def password(sender, user, request=None, **kwargs):
    # Each change gives a new salted hash: firing twice for one change makes one notification.
    notify(
        kind="password_changed",
        recipients=[user],
        target=user,
        key=digest(user.password, purpose="notification")[:32],
    )
