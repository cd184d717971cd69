import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from cellule import access
from cellule.accounts import services
from cellule.accounts.decorators import charter_exempt, otp_exempt
from cellule.accounts.forms import (
    CellulePasswordResetForm,
    CelluleSetPasswordForm,
    CharterEditForm,
    CharterSignForm,
    LoginForm,
    MembershipForm,
    TOTPCodeForm,
)
from cellule.accounts.models import Membership
from cellule.core.http import posted

THROTTLED = "Trop d'essais : patientez quelques secondes avant de réessayer."


def _next_url(request, default="core:home") -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


# --- Login, second factor, password reset ------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": "Connexion"}


@method_decorator([otp_exempt, charter_exempt], name="dispatch")
class LogoutView(auth_views.LogoutView):
    pass


@otp_exempt
@charter_exempt
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect(f"{reverse('accounts:otp_setup')}?{request.GET.urlencode()}")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = TOTPCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            form.add_error(
                "code", "Trop d'essais : patientez quelques secondes avant de réessayer."
            )
        elif device.verify_token(form.cleaned_data["code"]):
            django_otp.login(request, device)
            return redirect(_next_url(request))
        else:
            form.add_error("code", "Code non valable, expiré ou déjà utilisé.")
    return render(
        request, "accounts/otp_verify.html", {"form": form, "title": "Code à usage unique"}
    )


@otp_exempt
@charter_exempt
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """First TOTP enrolment, right after the first password login (no device yet)."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"{reverse('accounts:otp_verify')}?{request.GET.urlencode()}")
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Application d'authentification"}
    )
    form = TOTPCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("code", THROTTLED)
        elif device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            django_otp.login(request, device)
            messages.success(request, "Votre application d'authentification est enregistrée.")
            return redirect(_next_url(request))
        form.add_error(
            "code", "Code non valable : vérifiez l'heure de votre téléphone et réessayez."
        )
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "title": "Activer la double authentification",
        "qr_svg": qr.svg_inline(scale=5, title="QR code à scanner avec l'application"),
        "secret": _group(device.bin_key),
    }
    return render(request, "accounts/otp_setup.html", context)


def _group(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = CellulePasswordResetForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {"title": "Mot de passe oublié"}


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"title": "Mot de passe oublié"}


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = CelluleSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"title": "Nouveau mot de passe"}


@method_decorator(login_not_required, name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = {"title": "Mot de passe modifié"}


# --- Charter ----------------------------------------------------------------------------------


@charter_exempt
@require_http_methods(["GET", "POST"])
def charter_sign(request, pk):
    membership = access.get_membership(request.user, pk, ability="sign_charter")
    if membership.charter_is_signed:
        messages.info(
            request, f"Vous avez déjà signé la charte en vigueur de « {membership.cell} »."
        )
        return redirect("core:home")
    form = CharterSignForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.sign_charter(membership=membership, by=request.user)
        messages.success(request, f"Charte de « {membership.cell} » signée. Bienvenue.")
        return redirect("core:home")
    context = {
        "form": form,
        "membership": membership,
        "cell": membership.cell,
        "title": "Charte de confidentialité",
    }
    return render(request, "accounts/charter_sign.html", context)


# --- Profile ----------------------------------------------------------------------------------


@charter_exempt
def profile(request):
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("cell")
        .order_by("cell__name", "-valid_from")
    )
    return render(
        request, "accounts/profile.html", {"memberships": memberships, "title": "Mon profil"}
    )


# --- Cells and their members ------------------------------------------------------------------


def cell_detail(request, pk):
    cell = access.get_cell(request.user, pk, ability="view_members")
    memberships = (
        Membership.objects.visible_to(request.user)
        .filter(cell=cell)
        .select_related("user", "user__organisation", "cell")
        .order_by("user__last_name", "user__first_name")
    )
    current = [m for m in memberships if m.is_current()]
    past = [m for m in memberships if not m.is_current()]
    context = {
        "cell": cell,
        "abilities": cell.abilities(request.user),
        "current_memberships": current,
        "past_memberships": past,
        "communes": cell.communes.all(),
        "title": cell.name,
    }
    return render(request, "accounts/cell_detail.html", context)


@require_http_methods(["GET", "POST"])
def charter_edit(request, pk):
    cell = access.get_cell(request.user, pk, ability="edit_charter")
    form = CharterEditForm(posted(request), instance=cell)
    if request.method == "POST" and form.is_valid():
        cell = services.update_charter(
            cell=cell, text=form.cleaned_data["charter_text"], by=request.user
        )
        messages.success(
            request,
            f"Charte enregistrée (version {cell.charter_version}). Chaque membre devra la signer.",
        )
        return redirect("accounts:charter_sign_own", pk=cell.pk)
    return render(
        request,
        "accounts/charter_edit.html",
        {"form": form, "cell": cell, "title": "Modifier la charte"},
    )


@charter_exempt
def charter_sign_own(request, pk):
    """After editing a charter, its author signs the new version like everybody else."""
    membership = access.get_own_membership(request.user, cell_id=pk)
    return redirect("accounts:charter_sign", pk=membership.pk)


@require_http_methods(["GET", "POST"])
def membership_edit(request, pk):
    membership = access.get_membership(request.user, pk, ability="edit")
    form = MembershipForm(posted(request), instance=membership)
    if request.method == "POST" and form.is_valid():
        services.update_membership(
            membership=membership,
            role=form.cleaned_data["role"],
            valid_until=form.cleaned_data["valid_until"],
            by=request.user,
        )
        messages.success(request, f"Habilitation de {membership.user} mise à jour.")
        return redirect("accounts:cell_detail", pk=membership.cell_id)
    context = {"form": form, "membership": membership, "title": "Modifier une habilitation"}
    return render(request, "accounts/membership_edit.html", context)


@require_http_methods(["GET", "POST"])
def membership_end(request, pk):
    membership = access.get_membership(request.user, pk, ability="end")
    if request.method == "POST":
        services.end_membership(membership=membership, by=request.user)
        messages.success(
            request, f"Habilitation de {membership.user} retirée : son accès est fermé."
        )
        return redirect("accounts:cell_detail", pk=membership.cell_id)
    context = {"membership": membership, "title": "Retirer une habilitation"}
    return render(request, "accounts/membership_end.html", context)
