from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.text import slugify

from cellule import access
from cellule.access.current import current_membership
from cellule.stats import dashboards
from cellule.stats.aggregates import min_count
from cellule.stats.exports import blocks_to_csv
from cellule.stats.forms import PeriodForm


def _current_cell(request, ability: str):
    """The cell the user works in, if their role there opens its statistics."""
    membership = current_membership(request)
    if membership is None:
        raise PermissionDenied("Les statistiques sont réservées au président et au coordonnateur.")
    return access.get_cell(request.user, membership.cell_id, ability=ability)


def _page(request, *, cell, blocks, form, title, scope, export_url, departemental):
    context = {
        "cell": cell,
        "blocks": blocks,
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
    return _page(
        request,
        cell=cell,
        blocks=dashboards.for_cell(cell, form.period),
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
    return _page(
        request,
        cell=cell,
        blocks=dashboards.for_departement(departement.code, form.period),
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
