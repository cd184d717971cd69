"""Session lifetime: 30 minutes idle, 12 hours at most; an index of open sessions; re-authentication."""

import time
from functools import wraps
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from cellule.accounts.security import UserSession

LOGIN_AT = "cellule_login_at"
LAST_SEEN = "cellule_last_seen"
REAUTH_AT = "cellule_reauth_at"
INDEX_SAVED_AT = "cellule_index_saved_at"
REAUTH_SECONDS = 10 * 60


def idle_seconds() -> int:
    return getattr(settings, "CELLULE_SESSION_IDLE_SECONDS", 30 * 60)


def absolute_seconds() -> int:
    return settings.SESSION_COOKIE_AGE


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@receiver(user_logged_in)
def index_new_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now
    request.session[INDEX_SAVED_AT] = now
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "created_at": timezone.now(),
            "last_activity": timezone.now(),
            "ip": _client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        },
    )


@receiver(user_logged_out)
def unindex_session(sender, request, user, **kwargs):
    if (
        request is not None
        and getattr(request, "session", None) is not None
        and request.session.session_key
    ):
        UserSession.objects.filter(session_key=request.session.session_key).delete()


def end_session(user_session: UserSession) -> None:
    """Closes another open session: its cookie no longer opens anything."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore(session_key=user_session.session_key).delete()
    user_session.delete()


class SessionTimeoutMiddleware:
    """Logs out a session idle for 30 minutes or opened more than 12 hours ago."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault(LOGIN_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            if now - last_seen > idle_seconds() or now - started > absolute_seconds():
                logout(request)
                messages.info(request, "Votre session a expiré : reconnectez-vous pour continuer.")
                return redirect(
                    f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
                )
            if now - last_seen > 10:  # no session write on every single request
                session[LAST_SEEN] = now
            if now - session.get(INDEX_SAVED_AT, 0) > 60:
                session[INDEX_SAVED_AT] = now
                UserSession.objects.filter(session_key=session.session_key).update(
                    last_activity=timezone.now()
                )
        return self.get_response(request)


def mark_reauthenticated(request) -> None:
    request.session[REAUTH_AT] = time.time()


def recently_authenticated(request) -> bool:
    return time.time() - request.session.get(REAUTH_AT, 0) <= REAUTH_SECONDS


def reauthentication_required(view):
    """For sensitive actions (export, transmission to the State, erasure, 2FA changes):
    the password or a TOTP code must have been given in the last 10 minutes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if recently_authenticated(request):
            return view(request, *args, **kwargs)
        target = (
            request.get_full_path()
            if request.method == "GET"
            else request.headers.get("Referer", "/")
        )
        return redirect(f"{reverse('accounts:reauthenticate')}?{urlencode({'next': target})}")

    return wrapper


class PrivatePagesMiddleware:
    """What a logged-in user is shown is not kept by the browser: no copy of a file in the disk
    cache of a shared office PC, and the back button asks the server again (after a logout it
    leads to the login page, not to the file)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
