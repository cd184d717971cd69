"""CSV export of exactly what a dashboard shows: hidden values as « < 5 », never the count."""

import csv
import io

from cellule.stats.dashboards import Block

HEADER = ["Période", "Tableau", "Ligne", "Colonne", "Effectif"]


def blocks_to_csv(blocks: list[Block], *, period_label: str) -> bytes:
    """UTF-8 with a BOM and « ; » separators, as spreadsheet software in France expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for block in blocks:
        table = block.table
        if table is None:
            continue
        labels = [label for _, label in table.columns]
        for row in table.rows:
            for label, entry in zip(labels, row.cells, strict=True):
                writer.writerow([period_label, table.title, row.label, label, entry.display])
            writer.writerow(
                [period_label, table.title, row.label, table.total_label, row.total.display]
            )
        for label, entry in zip(labels, table.column_totals, strict=True):
            writer.writerow([period_label, table.title, table.total_label, label, entry.display])
        writer.writerow(
            [period_label, table.title, table.total_label, table.total_label, table.total.display]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
