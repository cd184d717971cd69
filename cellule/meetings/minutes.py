"""The relevé de décisions as a PDF (WeasyPrint): one copy per download, for one reader.

Each copy holds only the items its reader may see (``agenda.visible_items``: the others are
counted, never named) and carries its reader's name and the date on every page, so that a copy
that leaks says whose it was. The caller journals the download.
"""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from cellule.meetings.agenda import agenda_rows
from cellule.meetings.enums import AttendeeKind, SeanceStatus


def css_string(text: str) -> str:
    """A CSS string literal's content: quotes, backslashes and angle brackets escaped, so that a
    name cannot end the string nor the <style> element."""
    escaped = "".join(f"\\{ord(char):x} " if char in '"\\<>\n' else char for char in str(text))
    return mark_safe(escaped)  # noqa: S308 - every special character is escaped above


def _font(name: str) -> str:
    found = finders.find(f"dsfr/dist/fonts/{name}")
    return Path(found).as_uri() if found else ""


def minutes_context(seance, reader, abilities, *, now=None) -> dict:
    now = timezone.localtime(now or timezone.now())
    rows = agenda_rows(seance, reader, abilities, reason="relevé de décisions")
    shown = [row for row in rows if row.visible]
    attendees = list(
        seance.attendees.filter(kind=AttendeeKind.MEMBER).select_related(
            "user__organisation", "acknowledged_by"
        )
    )
    guests = list(seance.attendees.filter(kind=AttendeeKind.GUEST).select_related("user"))
    return {
        "header_css": css_string(f"Confidentiel — {seance.cell.name}"),
        "footer_css": css_string(
            f"Exemplaire de {reader.get_full_name()}, téléchargé le {now:%d/%m/%Y à %H:%M}"
        ),
        "seance": seance,
        "rows": shown,
        "omitted": len(rows) - len(shown),
        "attendees": attendees,
        "guests": guests,
        "reader": reader,
        "now": now,
        "draft": seance.status != SeanceStatus.MINUTES_VALIDATED,
        "font_regular": _font("Marianne-Regular.woff2"),
        "font_bold": _font("Marianne-Bold.woff2"),
    }


def render_minutes(seance, reader, abilities, *, now=None) -> bytes:
    from weasyprint import HTML  # imported on first use: ~1 s, only for the PDF

    html = render_to_string(
        "meetings/minutes_pdf.html", minutes_context(seance, reader, abilities, now=now)
    )
    return HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf()
