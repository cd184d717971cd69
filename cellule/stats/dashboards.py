"""The tables of the two dashboards, built from facts in one query each (plus commune names)."""

from dataclasses import dataclass

from cellule.stats import aggregates
from cellule.stats.aggregates import Period, Table
from cellule.stats.charts import BarChart, bar_chart
from cellule.stats.sections import SECTIONS, Section
from cellule.territory.models import Commune

NO_COMMUNE = "Commune non renseignée"


@dataclass
class Block:
    section: Section
    table: Table | None = None  # None while the section's events are not recorded yet
    chart: BarChart | None = None


def _block(section: Section, table: Table) -> Block:
    return Block(section=section, table=table, chart=bar_chart(table))


def for_cell(cell, period: Period) -> list[Block]:
    """Per section: categories × age bands (or durations) of the cell's facts."""
    facts = aggregates.cell_facts(cell, period)
    by_age = aggregates.grouped_counts(facts, "category", "age_band")
    by_duration = aggregates.grouped_counts(facts, "category", "duration")
    blocks = []
    for section in SECTIONS:
        if not section.recorded:
            blocks.append(Block(section=section))
            continue
        grouped = by_duration if section.column == "duration" else by_age
        table = aggregates.build_table(
            title=section.title,
            row_header=section.category_header,
            rows=section.categories,
            columns=section.columns,
            counts=aggregates.slice_counts(grouped, section.kind),
            total_label=section.total_label,
        )
        blocks.append(_block(section, table))
    return blocks


def for_departement(code: str, period: Period) -> list[Block]:
    """Per section: communes × categories, across every cell of the département."""
    grouped = aggregates.grouped_counts(
        aggregates.departement_facts(code, period), "commune_code", "category"
    )
    codes = {key[1] for key in grouped}
    names = dict(Commune.objects.filter(code__in=codes).values_list("code", "name"))
    communes = sorted(
        ((code_, names.get(code_, code_) if code_ else NO_COMMUNE) for code_ in codes),
        key=lambda item: (not item[0], item[1]),
    )
    blocks = []
    for section in SECTIONS:
        if not section.recorded:
            blocks.append(Block(section=section))
            continue
        table = aggregates.build_table(
            title=f"{section.title}, par commune",
            row_header="Commune",
            rows=communes,
            columns=section.categories,
            counts=aggregates.slice_counts(grouped, section.kind),
            total_label=section.total_label,
        )
        blocks.append(_block(section, table))
    return blocks
