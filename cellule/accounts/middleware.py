from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from cellule.accounts.models import Membership
from cellule.accounts.proconnect import count_as_second_factor


def _gated(view_func, request, marker: str) -> bool:
    """Whether a login-required view, reached by a logged-in user, is subject to this gate."""
    if not getattr(view_func, "login_required", True) or getattr(view_func, marker, False):
        return False
    return request.user.is_authenticated


def waive_for_administrator(request) -> None:
    """The technical administrator sees no personal data: the second factor may be waived for
    that role alone (CELLULE_ADMIN_OTP_REQUIRED=false). Every other account always needs it."""
    if settings.CELLULE_ADMIN_OTP_REQUIRED:
        return
    user = request.user
    if user.is_authenticated and user.is_admin and not user.memberships.exists():
        user.is_verified = lambda: True


class OTPRequiredMiddleware:
    """Second factor: a logged-in user reaches nothing before their TOTP code is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count_as_second_factor(request)  # a ProConnect login whose acr proves two factors
        waive_for_administrator(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _gated(view_func, request, "otp_exempt") or request.user.is_verified():
            return None
        from django_otp.plugins.otp_totp.models import TOTPDevice

        has_device = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
        target = "accounts:otp_verify" if has_device else "accounts:otp_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class CharterMiddleware:
    """No page of Cellule before the confidentiality charter of every cell of the user is signed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _gated(view_func, request, "charter_exempt"):
            return None
        pending = (
            Membership.objects.filter(user=request.user)
            .current()
            .charter_unsigned()
            .values_list("pk", flat=True)
        ).first()
        if pending is None:
            return None
        return redirect("accounts:charter_sign", pk=pending)
