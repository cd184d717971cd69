"""Anonymous statistics: the dashboards' tables, small counts suppressed exactly as on the pages.

A hidden entry has ``value: null`` and ``display: "< 5"``; the raw count never leaves Cellule.
"""

from uuid import UUID

from ninja import Field, Query, Router, Schema

from cellule import access
from cellule.api.cells import working_cell
from cellule.api.errors import ApiValidationError
from cellule.api.schemas import ERRORS
from cellule.stats import dashboards
from cellule.stats.aggregates import min_count
from cellule.stats.forms import PeriodForm

router = Router(tags=["Statistiques"])

MONTH = r"^[0-9]{4}-[0-9]{2}$"
STATS_REFUSED = "Les statistiques sont réservées au président et au coordonnateur."


class PeriodQuery(Schema):
    from_month: str | None = Field(
        None, pattern=MONTH, description="Premier mois (AAAA-MM) ; 12 derniers mois par défaut."
    )
    to_month: str | None = Field(None, pattern=MONTH, description="Dernier mois inclus (AAAA-MM).")


class Value(Schema):
    value: int | None = Field(description="null quand l'effectif est masqué (secret statistique).")
    display: str


class Column(Schema):
    key: str
    label: str


class Row(Schema):
    key: str
    label: str
    cells: list[Value]
    total: Value


class Table(Schema):
    row_header: str
    columns: list[Column]
    rows: list[Row]
    column_totals: list[Value]
    total: Value
    total_label: str


class Section(Schema):
    kind: str
    title: str
    recorded: bool
    pending: str = Field(description="Ce qui apparaîtra, tant que rien n'est compté.")
    table: Table | None


class Period(Schema):
    first: str
    last: str
    label: str


class Statistics(Schema):
    scope: str
    period: Period
    threshold: int = Field(description="Les effectifs de 1 à threshold - 1 sont masqués.")
    sections: list[Section]


def _value(entry) -> dict:
    return {"value": entry.shown, "display": entry.display}


def _table(table) -> dict | None:
    if table is None:
        return None
    return {
        "row_header": table.row_header,
        "columns": [{"key": key, "label": label} for key, label in table.columns],
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "cells": [_value(entry) for entry in row.cells],
                "total": _value(row.total),
            }
            for row in table.rows
        ],
        "column_totals": [_value(entry) for entry in table.column_totals],
        "total": _value(table.total),
        "total_label": table.total_label,
    }


def _period(query: PeriodQuery):
    form = PeriodForm({"du": query.from_month or "", "au": query.to_month or ""})
    if not form.is_valid():
        names = {"du": "query.from_month", "au": "query.to_month", "__all__": ""}
        raise ApiValidationError(
            [
                {"field": names.get(field, field), "message": message}
                for field, messages in form.errors.items()
                for message in messages
            ]
        )
    return form.period


def _statistics(*, scope: str, period, blocks) -> dict:
    return {
        "scope": scope,
        "period": {
            "first": f"{period.first:%Y-%m}",
            "last": f"{period.last:%Y-%m}",
            "label": period.label,
        },
        "threshold": min_count(),
        "sections": [
            {
                "kind": block.section.kind,
                "title": block.section.title,
                "recorded": block.section.recorded,
                "pending": block.section.pending,
                "table": _table(block.table),
            }
            for block in blocks
        ],
    }


def _stats_cell(user, cell_id, ability: str):
    """The cell whose statistics are asked, fetched like the page does (journaled): 404 outside
    the user's scope, 403 without the ability."""
    if cell_id is None:
        cell_id = working_cell(user, None, refusal=STATS_REFUSED)[0].pk
    return access.get_cell(user, cell_id, ability=ability)


@router.get(
    "/statistiques/cellule",
    response={200: Statistics, **ERRORS},
    url_name="stats_cell",
    summary="Statistiques de la cellule",
)
def cell_statistics(request, period: Query[PeriodQuery], cell: UUID | None = None):
    """Comptes de faits anonymes de la cellule, par mois, avec secret statistique."""
    cell = _stats_cell(request.auth, cell, "view_stats")
    dates = _period(period)
    return _statistics(scope=cell.name, period=dates, blocks=dashboards.for_cell(cell, dates))


@router.get(
    "/statistiques/departement",
    response={200: Statistics, **ERRORS},
    url_name="stats_departement",
    summary="Statistiques du département (cellule de la préfecture)",
)
def departement_statistics(request, period: Query[PeriodQuery], cell: UUID | None = None):
    """Les mêmes comptes pour tout le département, par commune ; depuis la cellule
    départementale seulement."""
    cell = _stats_cell(request.auth, cell, "view_departement_stats")
    dates = _period(period)
    departement = cell.departement
    return _statistics(
        scope=str(departement),
        period=dates,
        blocks=dashboards.for_departement(departement.code, dates),
    )
