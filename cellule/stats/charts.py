"""Horizontal bar charts drawn on the server as SVG geometry for the template (no script, no
inline style: the strict CSP holds). They show only what the table below them shows: a hidden
total gets no bar, just its mark."""

from dataclasses import dataclass

from cellule.stats.aggregates import Table

LABEL_WIDTH = 260
BAR_AREA = 360
VALUE_WIDTH = 60
BAR_HEIGHT = 22
GAP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    display: str
    y: int
    width: int
    text_y: int
    value_x: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def bar_chart(table: Table) -> BarChart:
    shown = [row.total.shown for row in table.rows]
    largest = max((value for value in shown if value), default=0)
    bars = []
    for index, (row, value) in enumerate(zip(table.rows, shown, strict=True)):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = round(BAR_AREA * value / largest) if value and largest else 0
        bars.append(
            Bar(
                label=row.label,
                display=row.total.display,
                y=y,
                width=width,
                text_y=y + BAR_HEIGHT // 2 + 5,
                value_x=LABEL_WIDTH + width + 6,
            )
        )
    return BarChart(
        title=f"{table.title} (total par ligne ; les valeurs masquées n'ont pas de barre)",
        bars=bars,
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=GAP + len(bars) * (BAR_HEIGHT + GAP),
        label_width=LABEL_WIDTH,
    )
