"""The notification centre: list, open, mark read, and « Gestion de vos alertes ».

Every page shows the user's own notifications only (``Notification.objects.visible_to``).
Notifications carry no personal data, so reading them is not journaled; opening one leads to its
object's page, which applies its own access rule and journals the read there.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cellule.access.roles import roles_by_cell
from cellule.accounts.decorators import charter_exempt
from cellule.alerts import services
from cellule.alerts.forms import KindFilterForm, PreferencesForm
from cellule.alerts.kinds import KINDS, destination, kinds_for
from cellule.alerts.models import Notification
from cellule.core.http import posted

PAGE_SIZE = 20


def _user_kinds(user, also=()) -> list:
    """The kinds this user may receive, plus those of notifications they already have."""
    mine = kinds_for(user, roles_by_cell(user).values())
    codes = {kind.code for kind in mine} | set(also)
    return [kind for code, kind in KINDS.items() if code in codes]


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("alerts:list")


@charter_exempt
@require_GET
def notification_list(request):
    mine = Notification.objects.visible_to(request.user)
    present = mine.order_by().values_list("kind", flat=True).distinct()
    kinds = _user_kinds(request.user, also=present)
    form = KindFilterForm(request.GET, kinds=kinds)
    selected = form.cleaned_data["kind"] if form.is_valid() else ""
    listed = mine.filter(kind=selected) if selected else mine
    page = Paginator(
        listed.only("id", "kind", "text", "created_at", "read_at"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "kinds": kinds,
        "page": page,
        "notifications": list(page.object_list),
        "selected": selected,
        "query": f"kind={selected}&" if selected else "",
        "title": "Notifications",
    }
    return render(request, "alerts/notification_list.html", context)


@charter_exempt
@require_GET
def notification_open(request, pk):
    """Marks the notification read and goes to its object's page, whose own rule applies."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.mark_read(notification=notification, by=request.user)
    url = destination(notification)
    if url is None:
        raise Http404("Cet objet n'a pas de page.")
    return redirect(url)


@charter_exempt
@require_POST
def notification_mark_read(request, pk):
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.mark_read(notification=notification, by=request.user)
    return redirect(_back(request))


@charter_exempt
@require_POST
def notification_mark_all_read(request):
    count = services.mark_all_read(by=request.user, kind=request.POST.get("kind") or None)
    if count:
        plural = "s" if count > 1 else ""
        messages.success(
            request, f"{count} notification{plural} marquée{plural} comme lue{plural}."
        )
    return redirect(_back(request))


@charter_exempt
@require_http_methods(["GET", "POST"])
def preferences(request):
    kinds = _user_kinds(request.user)
    current = dict(request.user.notification_preferences.values_list("kind", "delivery"))
    form = PreferencesForm(posted(request), kinds=kinds, current=current)
    if request.method == "POST" and form.is_valid():
        services.set_preferences(by=request.user, choices=form.cleaned_data)
        messages.success(request, "Vos préférences d'alerte sont enregistrées.")
        return redirect("alerts:preferences")
    context = {
        "form": form,
        "fixed": [kind for kind in kinds if not kind.optional],
        "title": "Gestion de vos alertes",
    }
    return render(request, "alerts/preferences.html", context)
