from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_otp.admin import OTPAdminSite


class CelluleAdminSite(OTPAdminSite):
    """The Django admin, for the technical administrator only, behind Cellule's own login + TOTP."""

    site_header = "Cellule — administration technique"
    site_title = "Cellule — administration"
    index_title = "Référentiels, organisations, cellules et comptes"

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            # Logged in but not an administrator (or second factor missing): no admin for them.
            raise PermissionDenied("Cette partie est réservée à l'administrateur technique.")
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
