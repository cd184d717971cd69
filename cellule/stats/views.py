import hashlib

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from cellule import access
from cellule.access.current import current_membership
from cellule.stats import aggregates, dashboards
from cellule.stats.aggregates import min_count
from cellule.stats.exports import blocks_to_csv
from cellule.stats.forms import PeriodForm


def _current_cell(request, ability: str):
    """The cell the user works in, if their role there opens its statistics."""
    membership = current_membership(request)
    if membership is None:
        raise PermissionDenied("Les statistiques sont réservées au président et au coordonnateur.")
    return access.get_cell(request.user, membership.cell_id, ability=ability)


# Rendered sections are kept this long at most (per process); any new fact renews them at once.
BLOCKS_SECONDS = 3600


def _blocks_html(facts, build, *, scope_key: str, period, departemental: bool):
    """The sections' tables and charts, computed and rendered once per state of the facts: facts
    are only ever added, so their count and last id over the scope and period tell whether
    anything changed. The HTML holds counts and names of communes, nothing personal; the
    access check is made before, by the view."""
    state = facts.aggregate(count=Count("id"), last=Max("id"))
    parts = (scope_key, period.first, period.last, min_count(), state["count"], state["last"])
    key = "stats:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        context = {"blocks": build(), "period": period, "departemental": departemental}
        html = render_to_string("stats/_blocks.html", context)
        cache.set(key, html, BLOCKS_SECONDS)
    return mark_safe(html)  # noqa: S308 — rendered by our own template, autoescaped


def _page(request, *, cell, blocks_html, form, title, scope, export_url, departemental):
    context = {
        "cell": cell,
        "blocks_html": blocks_html,
        "form": form,
        "period": form.period,
        "threshold": min_count(),
        "title": title,
        "scope": scope,
        "export_url": export_url,
        "query": request.GET.urlencode(),
        "departemental": departemental,
        "departement_abilities": cell.abilities(request.user),
    }
    return render(request, "stats/dashboard.html", context)


def _csv(blocks, form, name: str):
    response = HttpResponse(
        blocks_to_csv(blocks, period_label=form.period.label),
        content_type="text/csv; charset=utf-8",
    )
    period = form.period
    filename = f"statistiques-{slugify(name)}-{period.first:%Y-%m}-{period.last:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _invalid(form):
    errors = " ".join(error for errors in form.errors.values() for error in errors)
    return HttpResponseBadRequest(
        f"Période invalide : {errors}", content_type="text/plain; charset=utf-8"
    )


def cell_dashboard(request):
    cell = _current_cell(request, "view_stats")
    form = PeriodForm(request.GET)
    period = form.period
    return _page(
        request,
        cell=cell,
        blocks_html=_blocks_html(
            aggregates.cell_facts(cell, period),
            lambda: dashboards.for_cell(cell, period),
            scope_key=f"cell:{cell.pk}",
            period=period,
            departemental=False,
        ),
        form=form,
        title="Statistiques de la cellule",
        scope=cell.name,
        export_url="stats:cell_export",
        departemental=False,
    )


def cell_export(request):
    cell = _current_cell(request, "view_stats")
    form = PeriodForm(request.GET)
    if form.is_bound and not form.is_valid():
        return _invalid(form)
    return _csv(dashboards.for_cell(cell, form.period), form, cell.name)


def departement_dashboard(request):
    cell = _current_cell(request, "view_departement_stats")
    form = PeriodForm(request.GET)
    departement = cell.departement
    period = form.period
    return _page(
        request,
        cell=cell,
        blocks_html=_blocks_html(
            aggregates.departement_facts(departement.code, period),
            lambda: dashboards.for_departement(departement.code, period),
            scope_key=f"departement:{departement.code}",
            period=period,
            departemental=True,
        ),
        form=form,
        title="Statistiques du département",
        scope=str(departement),
        export_url="stats:departement_export",
        departemental=True,
    )


def departement_export(request):
    cell = _current_cell(request, "view_departement_stats")
    form = PeriodForm(request.GET)
    if form.is_bound and not form.is_valid():
        return _invalid(form)
    departement = cell.departement
    blocks = dashboards.for_departement(departement.code, form.period)
    return _csv(blocks, form, f"departement-{departement.code}")
