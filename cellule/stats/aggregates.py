"""Counts of facts over a period, as tables with small counts suppressed.

Small-count suppression (secret statistique): a count from 1 to ``threshold - 1`` could single a
person out in a small commune, so it is shown as « < 5 ». Hiding it alone is not enough: a row
total minus the other cells of the row would give it back. So the margins are part of the table
(totals computed from the full data, hidden too when small), and each line — a row or a column,
with its total — must hide either nothing or at least two of its entries: a line with exactly one
hidden entry gets its smallest visible entry hidden as well (complementary suppression), until
no such line remains. Every hidden entry shows the same mark, so that one cannot tell the small
counts from the entries hidden to protect them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count

from cellule.stats.models import Fact

DEFAULT_MIN_COUNT = 5


def min_count() -> int:
    return getattr(settings, "CELLULE_STATS_MIN_COUNT", DEFAULT_MIN_COUNT)


# --- Periods ------------------------------------------------------------------------------------


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


MONTH_NAMES = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip


def month_label(month: date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


@dataclass(frozen=True)
class Period:
    """Whole months, from ``first`` to ``last`` included (both first days of their month)."""

    first: date
    last: date

    @classmethod
    def last_months(cls, count: int, *, today: date) -> "Period":
        last = first_of_month(today)
        return cls(first=add_months(last, -(count - 1)), last=last)

    @property
    def label(self) -> str:
        if self.first == self.last:
            return month_label(self.first)
        return f"de {month_label(self.first)} à {month_label(self.last)}"


# --- Suppression --------------------------------------------------------------------------------


def suppress(counts: list[list[int]], threshold: int) -> tuple[list[list[int]], set]:
    """Adds the margins to ``counts`` (R rows × C columns) and chooses what to hide.

    Returns the (R+1) × (C+1) grid — row totals in the last column, column totals in the last row,
    the grand total in the corner — and the set of hidden (row, column) positions of that grid.
    """
    rows = len(counts)
    columns = len(counts[0]) if rows else 0
    grid = [[*row, sum(row)] for row in counts]
    grid.append([sum(grid[i][j] for i in range(rows)) for j in range(columns + 1)])
    hidden = {
        (i, j) for i in range(rows + 1) for j in range(columns + 1) if 0 < grid[i][j] < threshold
    }
    lines = [[(i, j) for j in range(columns + 1)] for i in range(rows + 1)]
    lines += [[(i, j) for i in range(rows + 1)] for j in range(columns + 1)]

    def cost(position):
        # Inner cells before totals; a zero only when nothing else is left (a zero is often
        # guessable, and would then give the small count back); then the smallest, the first.
        i, j = position
        return (i == rows or j == columns, grid[i][j] == 0, grid[i][j], position)

    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(position in hidden for position in line) == 1:
                visible = [position for position in line if position not in hidden]
                if visible:
                    hidden.add(min(visible, key=cost))
                    changed = True
    return grid, hidden


# --- Tables -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    value: int
    hidden: bool
    threshold: int

    @property
    def display(self) -> str:
        return f"< {self.threshold}" if self.hidden else str(self.value)

    @property
    def shown(self) -> int | None:
        """The value a reader may see, or None when hidden."""
        return None if self.hidden else self.value


@dataclass
class Row:
    key: str
    label: str
    cells: list[Entry]
    total: Entry


@dataclass
class Table:
    title: str
    row_header: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[Row]
    column_totals: list[Entry]
    total: Entry
    threshold: int
    total_label: str = "Total"
    hidden_count: int = field(default=0)

    @property
    def is_empty(self) -> bool:
        return self.total.value == 0


def build_table(
    *,
    title: str,
    row_header: str,
    rows: list[tuple[str, str]],
    columns: list[tuple[str, str]],
    counts: dict[tuple[str, str], int],
    threshold: int | None = None,
    total_label: str = "Total",
) -> Table:
    """A table of ``counts`` keyed by (row key, column key), with small counts suppressed.

    Keys found in ``counts`` but not in ``rows`` / ``columns`` are appended with their raw key as
    label, so that no fact is silently left out of the totals.
    """
    threshold = min_count() if threshold is None else threshold
    rows, columns = list(rows), list(columns)
    known_rows = {key for key, _ in rows}
    known_columns = {key for key, _ in columns}
    for row_key, column_key in sorted(counts):
        if row_key not in known_rows:
            rows.append((row_key, row_key or "Non renseigné"))
            known_rows.add(row_key)
        if column_key not in known_columns:
            columns.append((column_key, column_key or "Non renseigné"))
            known_columns.add(column_key)
    matrix = [[counts.get((r, c), 0) for c, _ in columns] for r, _ in rows]
    grid, hidden = suppress(matrix, threshold)

    def entry(i, j):
        return Entry(grid[i][j], (i, j) in hidden, threshold)

    n, m = len(rows), len(columns)
    return Table(
        title=title,
        row_header=row_header,
        columns=columns,
        rows=[
            Row(key, label, [entry(i, j) for j in range(m)], entry(i, m))
            for i, (key, label) in enumerate(rows)
        ],
        column_totals=[entry(n, j) for j in range(m)],
        total=entry(n, m),
        threshold=threshold,
        total_label=total_label,
        hidden_count=len(hidden),
    )


# --- Reading facts ------------------------------------------------------------------------------


def grouped_counts(facts, *dimensions: str) -> dict[tuple, int]:
    """{(kind, *dimension values): count} in one query."""
    fields = ["kind", *dimensions]
    rows = facts.values(*fields).annotate(n=Count("pk")).order_by()
    return {tuple(row[name] for name in fields): row["n"] for row in rows}


def slice_counts(grouped: dict[tuple, int], kind: str) -> dict[tuple, int]:
    """The (row, column) counts of one kind, from ``grouped_counts(facts, row, column)``."""
    counts: dict[tuple, int] = defaultdict(int)
    for (fact_kind, *key), n in grouped.items():
        if fact_kind == kind:
            counts[tuple(key)] += n
    return dict(counts)


def cell_facts(cell, period: Period):
    return Fact.objects.for_cell(cell).between(period.first, period.last)


def departement_facts(code: str, period: Period):
    return Fact.objects.for_departement(code).between(period.first, period.last)


def commune_facts(code: str, period: Period):
    return Fact.objects.filter(commune_code=code).between(period.first, period.last)
