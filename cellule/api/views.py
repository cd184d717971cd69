"""The « Jetons d'API » section of the profile: create (after re-authentication), list, revoke."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cellule.accounts.decorators import charter_exempt
from cellule.accounts.sessions import reauthentication_required
from cellule.api import tokens
from cellule.api.forms import TokenForm
from cellule.api.models import ApiToken
from cellule.core.http import add_service_errors, posted


@require_http_methods(["GET", "POST"])
@reauthentication_required
def token_new(request):
    """Creates a token and shows it once (never stored in clear, never shown again)."""
    form = TokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = tokens.create_token(
                user=request.user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            context = {"token": token, "raw": raw, "title": "Votre jeton d'API"}
            response = render(request, "api/token_created.html", context)
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "api/token_new.html", {"form": form, "title": "Créer un jeton d'API"})


@charter_exempt
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.of(request.user), pk=pk)
    tokens.revoke_token(token=token, by=request.user)
    messages.success(request, f"Jeton « {token.name} » révoqué : il ne fonctionne plus.")
    return redirect("accounts:profile")
