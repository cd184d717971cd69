import os
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cellule.access.current import current_membership, set_current_cell
from cellule.access.roles import CELL_WIDE, MANAGERS, SITTING
from cellule.accounts.decorators import charter_exempt, otp_exempt
from cellule.accounts.models import Cell, Membership, User
from cellule.core.dashboard import panels_context
from cellule.core.health import readiness
from cellule.reports.models import Signalement


def home(request):
    """The dashboard: what this user must do now, in the cell they work in."""
    membership = current_membership(request)
    context = {"title": "Tableau de bord", "membership": membership}
    if membership is not None and membership.role in CELL_WIDE:
        context["pending_charters"] = list(
            Membership.objects.visible_to(request.user)
            .filter(cell_id=membership.cell_id)
            .current()
            .charter_unsigned()
            .select_related("user")
            .order_by("user__last_name")
        )
        context["can_manage"] = membership.role in MANAGERS
        queue = (
            Signalement.objects.visible_to(request.user)
            .filter(cell_id=membership.cell_id)
            .to_qualify()
        )
        context["to_qualify"] = list(queue.values_list("due_on", "urgent"))
        today = timezone.localdate()
        context["overdue_count"] = sum(1 for due_on, _ in context["to_qualify"] if due_on < today)
        context["urgent_count"] = sum(1 for _, urgent in context["to_qualify"] if urgent)
    if membership is not None and membership.role in SITTING:
        from cellule.cases.models import Situation

        soon = timezone.localdate() + timedelta(days=14)  # overdue, or due within two weeks
        due = (
            Situation.objects.visible_to(request.user)
            .filter(cell_id=membership.cell_id, next_review_on__lte=soon)
            .to_review()
            .values_list("next_review_on", flat=True)
        )
        review_dates = list(due)
        context["review_count"] = len(review_dates)
        context["review_overdue_count"] = sum(
            1 for day in review_dates if day < timezone.localdate()
        )
    if request.user.is_admin:
        context["admin_cells"] = list(
            Cell.objects.visible_to(request.user).select_related("departement")
        )
        context["admin_counts"] = {
            "cells": Cell.objects.count(),
            "users": User.objects.filter(is_active=True).count(),
        }
    if request.user.is_dpo:
        context["dpo_cells"] = list(Cell.objects.visible_to(request.user))
    context.update(panels_context(request, membership))
    return render(request, "core/home.html", context)


@require_POST
def switch_cell(request):
    try:
        cell_id = Cell._meta.pk.to_python(request.POST.get("cell", ""))
    except Exception:
        return HttpResponseBadRequest("Cellule inconnue.")
    if not set_current_cell(request, cell_id):
        return HttpResponseBadRequest("Vous n'êtes pas habilité dans cette cellule.")
    membership = current_membership(request)
    messages.info(request, f"Vous travaillez maintenant dans « {membership.cell} ».")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "core:home"
    return redirect(target)


def _public(view):
    return login_not_required(otp_exempt(charter_exempt(view)))


@_public
def accessibility(request):
    return render(request, "core/accessibility.html", {"title": "Accessibilité"})


@_public
def legal_notice(request):
    return render(request, "core/legal_notice.html", {"title": "Mentions légales"})


@_public
def personal_data(request):
    return render(request, "core/personal_data.html", {"title": "Données personnelles"})


@_public
@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@_public
@never_cache
@require_GET
def readyz(request):
    databases = readiness()
    ready = all(databases.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "databases": databases},
        status=200 if ready else 503,
    )


# --- Benchmark (make bench, docs/bench.md) ------------------------------------------------------


def bench_floor_enabled() -> bool:
    """The floor page is routed only in a server started by the bench (CELLULE_BENCH=1)."""
    return os.environ.get("CELLULE_BENCH") == "1"


def bench_floor(request):
    """The bench's floor page: logged in, second factor and charter checked, the site's layout
    and nothing else. Every page's throughput is compared with this one's, in the same run."""
    return render(request, "core/bench_floor.html", {"title": "Plancher du banc d'essai"})
