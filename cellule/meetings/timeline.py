"""The séances in a situation's chronology: « Examinée en séance du … » and the decision taken.

The decision's text is shown to the president and coordinator, the référent, and the members who
sat in that séance; other readers of the situation see that it was examined and what was decided,
not the text.
"""

from django.utils import timezone

from cellule.access.roles import CELL_WIDE, role_in
from cellule.cases.timeline import Entry
from cellule.meetings.enums import AttendeeKind, SeanceStatus
from cellule.meetings.models import AgendaItem, Attendee


def seance_entries(situation, reader, abilities) -> list[Entry]:
    if not (abilities.get("view") or abilities.get("view_archived")):
        return []
    items = list(
        AgendaItem.objects.filter(situation=situation)
        .select_related("seance", "decision")
        .order_by("seance__starts_at")
    )
    if not items:
        return []
    full = role_in(reader, situation.cell_id) in CELL_WIDE or situation.referent_id == reader.pk
    sat = set(
        Attendee.objects.filter(
            user=reader, kind=AttendeeKind.MEMBER, seance_id__in=[i.seance_id for i in items]
        ).values_list("seance_id", flat=True)
    )
    cipher = situation.person.cipher()
    entries = []
    for item in items:
        seance = item.seance
        day = timezone.localtime(seance.starts_at)
        decision = getattr(item, "decision", None) if hasattr(item, "decision") else None
        title = f"Examinée en séance du {day:%d/%m/%Y} ({seance.get_format_display().lower()})"
        if decision is None and seance.status == SeanceStatus.PLANNED:
            title = f"Inscrite à l'ordre du jour de la séance du {day:%d/%m/%Y}"
        text = ""
        if decision is not None:
            title += f" : {decision.get_kind_display().lower()}"
            if full or seance.pk in sat:
                text = decision.unseal(cipher)["text"]
        at = decision.recorded_at if decision else seance.starts_at
        entries.append(Entry(at, title, text, "", {"seance": seance}))
    return entries
