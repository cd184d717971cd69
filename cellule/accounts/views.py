import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from cellule import access
from cellule.access.journaling import Action, journal_event
from cellule.accounts import invitations, services, signals
from cellule.accounts.decorators import charter_exempt, otp_exempt
from cellule.accounts.enums import Role
from cellule.accounts.forms import (
    AcceptInvitationForm,
    BulkInvitationForm,
    CellulePasswordChangeForm,
    CellulePasswordResetForm,
    CelluleSetPasswordForm,
    CharterEditForm,
    CharterSignForm,
    InvitationForm,
    LoginForm,
    MembershipForm,
    ReauthenticationForm,
    RecoveryCodeForm,
    TOTPCodeForm,
)
from cellule.accounts.models import Invitation, Membership, User
from cellule.accounts.security import RecoveryCodeDevice, UserSession
from cellule.accounts.sessions import (
    end_session,
    mark_reauthenticated,
    reauthentication_required,
)
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
            mark_reauthenticated(request)
            journal_event(request.user, Action.OTP_VERIFIED, target=request.user)
            return redirect(_next_url(request))
        else:
            journal_event(request.user, Action.OTP_FAILED, target=request.user)
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
            mark_reauthenticated(request)
            journal_event(
                request.user,
                Action.DEVICE_CHANGED,
                target=request.user,
                reason="application enregistrée",
            )
            signals.second_factor_changed.send(
                sender=User, user=request.user, request=request, change="totp"
            )
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

    def form_valid(self, form):
        response = super().form_valid(form)
        journal_event(
            None, Action.PASSWORD_CHANGED, target=form.user, reason="lien de réinitialisation"
        )
        signals.password_changed.send(sender=User, user=form.user, request=self.request)
        UserSession.objects.filter(
            user=form.user
        ).delete()  # the old sessions died with the old hash
        return response


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
    recovery = RecoveryCodeDevice.objects.filter(user=request.user, confirmed=True).first()
    context = {
        "memberships": memberships,
        "recovery_remaining": recovery.remaining() if recovery else None,
        "session_count": UserSession.objects.filter(user=request.user).count(),
        "title": "Mon profil",
    }
    return render(request, "accounts/profile.html", context)


# --- Cells and their members ------------------------------------------------------------------


def cell_detail(request, pk):
    cell = access.get_cell(request.user, pk, ability="view_members")
    memberships = (
        Membership.objects.visible_to(request.user)
        .filter(cell=cell)
        .select_related("user", "user__organisation", "cell")
        .order_by("user__last_name", "user__first_name")
    )
    journal_event(
        request.user, Action.MEMBER_LIST_VIEWED, target=cell, target_ids=[m.pk for m in memberships]
    )
    current = [m for m in memberships if m.is_current()]
    past = [m for m in memberships if not m.is_current()]
    abilities = cell.abilities(request.user)
    pending = []
    if abilities["invite"]:
        pending = list(
            Invitation.objects.visible_to(request.user)
            .filter(cell=cell)
            .open()
            .select_related("organisation")
        )
    context = {
        "cell": cell,
        "abilities": abilities,
        "invitations": pending,
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


# --- Invitations ------------------------------------------------------------------------------


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@require_http_methods(["GET", "POST"])
def invitation_create(request, pk):
    cell = access.get_cell(request.user, pk, ability="send_invitations")
    abilities = cell.abilities(request.user)
    roles = invitations.INVITABLE_ROLES if abilities["invite"] else [Role.COORDINATOR]
    form = InvitationForm(posted(request), cell=cell, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invite(
                cell=cell, by=request.user, base_url=_base_url(request), **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Invitation envoyée à {invitation.email}. Le lien est valable {Invitation.VALIDITY_HOURS} heures.",
            )
            if abilities["invite"]:
                return redirect("accounts:cell_detail", pk=cell.pk)
            return redirect("core:home")
    context = {"form": form, "cell": cell, "title": "Inviter une personne"}
    return render(request, "accounts/invitation_create.html", context)


@require_http_methods(["GET", "POST"])
def invitation_bulk(request, pk):
    cell = access.get_cell(request.user, pk, ability="invite")
    form = BulkInvitationForm(posted(request), request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = invitations.bulk_invite(
            cell=cell,
            content=form.cleaned_data["file"],
            by=request.user,
            base_url=_base_url(request),
        )
        if report.ok:
            count = len(report.invitations)
            messages.success(
                request,
                f"{count} invitation{'s' if count > 1 else ''} envoyée{'s' if count > 1 else ''}.",
            )
            return redirect("accounts:cell_detail", pk=cell.pk)
    context = {
        "form": form,
        "cell": cell,
        "report": report,
        "roles": invitations.INVITABLE_ROLES,
        "title": "Inviter depuis un fichier",
    }
    return render(request, "accounts/invitation_bulk.html", context)


@require_http_methods(["POST"])
def invitation_resend(request, pk):
    invitation = access.get_invitation(request.user, pk, ability="resend")
    invitations.resend_invitation(
        invitation=invitation, by=request.user, base_url=_base_url(request)
    )
    messages.success(
        request,
        f"Nouvelle invitation envoyée à {invitation.email} : l'ancien lien ne fonctionne plus.",
    )
    return redirect("accounts:cell_detail", pk=invitation.cell_id)


@require_http_methods(["GET", "POST"])
def invitation_revoke(request, pk):
    invitation = access.get_invitation(request.user, pk, ability="revoke")
    if request.method == "POST":
        invitations.revoke_invitation(invitation=invitation, by=request.user)
        messages.success(
            request, f"Invitation de {invitation.email} annulée : son lien ne fonctionne plus."
        )
        return redirect("accounts:cell_detail", pk=invitation.cell_id)
    return render(
        request,
        "accounts/invitation_revoke.html",
        {"invitation": invitation, "title": "Annuler une invitation"},
    )


@login_not_required
@otp_exempt
@charter_exempt
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    check = invitations.check_token(token)
    if not check.valid:
        context = {"check": check, "token": token, "title": "Invitation non valable"}
        return render(
            request,
            "accounts/invitation_invalid.html",
            context,
            status=410 if check.invitation else 404,
        )
    invitation = check.invitation
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        return _accept_as_existing_user(request, invitation, existing)
    form = AcceptInvitationForm(invitation, posted(request))
    if request.method == "POST" and form.is_valid():
        user = invitations.accept_invitation(invitation=invitation, password=form.save())
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, "Votre compte est créé. Activez maintenant la double authentification."
        )
        return redirect("accounts:otp_setup")
    context = {"form": form, "invitation": invitation, "title": "Créer votre accès"}
    return render(request, "accounts/invitation_accept.html", context)


def _accept_as_existing_user(request, invitation, existing):
    """The person already has an account: they accept once logged in as themselves."""
    logged_in_as_invitee = request.user.is_authenticated and request.user.pk == existing.pk
    if request.method == "POST" and logged_in_as_invitee and request.user.is_verified():
        invitations.accept_invitation(invitation=invitation, user=request.user)
        messages.success(request, f"Vous êtes maintenant habilité(e) dans « {invitation.cell} ».")
        return redirect("core:home")
    context = {
        "invitation": invitation,
        "logged_in_as_invitee": logged_in_as_invitee,
        "logged_in_as_other": request.user.is_authenticated and not logged_in_as_invitee,
        "title": "Accepter l'invitation",
    }
    return render(request, "accounts/invitation_existing.html", context)


@login_not_required
@otp_exempt
@charter_exempt
@require_http_methods(["POST"])
def invitation_renewal(request, token):
    check = invitations.check_token(token)
    if check.state != "expired":
        raise Http404
    invitations.request_renewal(invitation=check.invitation, base_url=_base_url(request))
    context = {"title": "Demande transmise"}
    return render(request, "accounts/invitation_renewal_sent.html", context)


# --- Second factor: recovery codes and re-authentication ---------------------------------------


@otp_exempt
@charter_exempt
@require_http_methods(["GET", "POST"])
def recovery_login(request):
    """Second step with a recovery code, when the phone is lost."""
    device = RecoveryCodeDevice.objects.filter(user=request.user, confirmed=True).first()
    form = RecoveryCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        if device is not None and not device.verify_is_allowed()[0]:
            form.add_error("code", THROTTLED)
        elif device is not None and device.verify_token(form.cleaned_data["code"]):
            django_otp.login(request, device)
            mark_reauthenticated(request)
            journal_event(request.user, Action.RECOVERY_CODE_USED, target=request.user)
            left = device.remaining()
            messages.warning(
                request,
                f"Code de secours utilisé : il vous en reste {left}. "
                "Dans votre profil, remplacez votre application d'authentification et vos codes.",
            )
            return redirect(_next_url(request))
        else:
            journal_event(
                request.user, Action.OTP_FAILED, target=request.user, reason="code de secours"
            )
            form.add_error("code", "Code de secours non valable ou déjà utilisé.")
    return render(
        request, "accounts/recovery_login.html", {"form": form, "title": "Code de secours"}
    )


@charter_exempt
@require_http_methods(["GET", "POST"])
def reauthenticate(request):
    form = ReauthenticationForm(request.user, posted(request))
    if request.method == "POST" and form.is_valid():
        mark_reauthenticated(request)
        journal_event(
            request.user, Action.OTP_VERIFIED, target=request.user, reason="confirmation d'identité"
        )
        return redirect(_next_url(request))
    return render(
        request, "accounts/reauthenticate.html", {"form": form, "title": "Confirmer votre identité"}
    )


@charter_exempt
@require_http_methods(["GET", "POST"])
@reauthentication_required
def recovery_codes(request):
    """Generates 10 new codes (the old ones stop working) and shows them once."""
    if request.method == "POST":
        device, _ = RecoveryCodeDevice.objects.get_or_create(
            user=request.user, defaults={"name": "Codes de secours", "confirmed": True}
        )
        codes = device.regenerate()
        journal_event(
            request.user,
            Action.DEVICE_CHANGED,
            target=request.user,
            reason="codes de secours renouvelés",
        )
        signals.second_factor_changed.send(
            sender=User, user=request.user, request=request, change="recovery_codes"
        )
        context = {"codes": codes, "title": "Vos codes de secours"}
        response = render(request, "accounts/recovery_codes_shown.html", context)
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "accounts/recovery_codes.html", {"title": "Codes de secours"})


@charter_exempt
@require_http_methods(["GET", "POST"])
@reauthentication_required
def totp_replace(request):
    """A new phone: the current TOTP device is removed and a new one enrolled right away."""
    if request.method == "POST":
        TOTPDevice.objects.filter(user=request.user).delete()
        journal_event(
            request.user, Action.DEVICE_CHANGED, target=request.user, reason="application retirée"
        )
        signals.second_factor_changed.send(
            sender=User, user=request.user, request=request, change="totp"
        )
        request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
        messages.info(request, "Ancienne application retirée : enregistrez la nouvelle.")
        return redirect("accounts:otp_setup")
    return render(
        request, "accounts/totp_replace.html", {"title": "Changer d'application d'authentification"}
    )


# --- Password and sessions --------------------------------------------------------------------


@method_decorator([charter_exempt], name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = CellulePasswordChangeForm
    success_url = reverse_lazy("accounts:profile")
    extra_context = {"title": "Changer de mot de passe"}

    def form_valid(self, form):
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # keeps this session, under a new key
        current_key = self.request.session.session_key
        UserSession.objects.filter(session_key=old_key).update(session_key=current_key)
        for other in UserSession.objects.filter(user=self.request.user).exclude(
            session_key=current_key
        ):
            end_session(other)
        journal_event(self.request.user, Action.PASSWORD_CHANGED, target=self.request.user)
        signals.password_changed.send(sender=User, user=self.request.user, request=self.request)
        messages.success(self.request, "Mot de passe modifié. Vos autres sessions ont été fermées.")
        return response


@charter_exempt
@require_http_methods(["GET"])
def sessions(request):
    open_sessions = UserSession.objects.filter(user=request.user)
    context = {
        "open_sessions": open_sessions,
        "current_key": request.session.session_key,
        "title": "Mes sessions",
    }
    return render(request, "accounts/sessions.html", context)


@charter_exempt
@require_http_methods(["POST"])
def session_end(request, pk):
    user_session = get_object_or_404(UserSession, pk=pk, user=request.user)
    if user_session.session_key == request.session.session_key:
        messages.info(request, "Pour fermer la session en cours, utilisez « Se déconnecter ».")
    else:
        end_session(user_session)
        journal_event(request.user, Action.SESSION_ENDED, target=request.user)
        messages.success(request, "Session fermée.")
    return redirect("accounts:sessions")


@login_not_required
@otp_exempt
@charter_exempt
@require_http_methods(["GET"])
def session_status(request):
    """Asked by a page before it sends a form (session.js): is the session still open, and the
    CSRF token to send with it (a login in another tab has renewed it). Answers JSON, never a
    redirect, so that the page can keep what was typed."""
    user = request.user
    if not (user.is_authenticated and user.is_verified()):
        return JsonResponse({"active": False})
    return JsonResponse({"active": True, "csrf": get_token(request)})


@otp_exempt
@charter_exempt
@require_http_methods(["POST"])
def session_keepalive(request):
    """Called by the page's idle warning: the activity itself extends the session."""
    return HttpResponse(status=204)
