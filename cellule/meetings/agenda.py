"""The agenda as one reader may see it: the same rule for the page, the room and the relevé.

An item shows its person's name and its decision's text only to a reader who may see its
situation (``Situation.objects.visible_to``: the president and coordinator; a member convened to a
restreinte séance, in the window; the référent; the provider's members) and who has acknowledged
the séance's confidentiality; anyone else reads « Situation n° … (restreinte) ». A guest sees only
the items they are invited to, during the séance window. Names are decrypted only for the rows
shown, after the list was journaled.
"""

from dataclasses import dataclass, field

from cellule.access.journaling import Action, journal_event
from cellule.access.roles import CELL_WIDE, role_in
from cellule.cases.models import Situation


@dataclass
class Row:
    item: object
    visible: bool
    identity: object = None
    decision: object = None
    decision_text: str = ""
    taken_by: list = field(default_factory=list)
    can: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.item.label if self.visible else f"{self.item.label} (restreinte)"


def _items(seance):
    items = list(
        seance.items.select_related(
            "situation__person__key",
            "situation__referent",
            "signalement__person__key",
            "decision__measure__provider",
            "decision__referent",
        )
        .prefetch_related("decision__taken_by")
        .order_by("position", "added_at")
    )
    for item in items:
        item.seance = seance  # one attendee lookup for the whole agenda
    return items


def visible_items(seance, user, abilities) -> tuple[list, set]:
    """(the items the reader gets a row for, the ids of those whose names they may see)."""
    if not abilities["view"]:
        return [], set()
    items = _items(seance)
    if abilities["is_guest"]:
        if not abilities["see_agenda"] or not seance.in_guest_window():
            return [], set()
        attendee = seance.attendee_for(user)
        invited = set(attendee.items.values_list("pk", flat=True))
        items = [item for item in items if item.pk in invited]
        return items, {item.pk for item in items}
    if role_in(user, seance.cell_id) in CELL_WIDE:
        return items, {item.pk for item in items}
    if not abilities["see_agenda"]:
        return items, set()
    situation_ids = [item.situation_id for item in items if item.situation_id]
    seen = set(
        Situation.objects.visible_to(user).filter(pk__in=situation_ids).values_list("pk", flat=True)
    )
    return items, {item.pk for item in items if item.situation_id in seen}


def agenda_rows(seance, user, abilities, *, reason: str = "") -> list[Row]:
    items, visible = visible_items(seance, user, abilities)
    shown = [item for item in items if item.pk in visible]
    if shown:
        journal_event(
            user,
            Action.LIST_VIEWED,
            target_type="cases.situation",
            target_ids=[item.situation_id or item.signalement_id for item in shown],
            cell=seance.cell_id,
            reason=reason or f"ordre du jour : {seance}",
        )
    rows = []
    for item in items:
        decision = getattr(item, "decision", None) if hasattr(item, "decision") else None
        row = Row(item=item, visible=item.pk in visible, decision=decision)
        if row.visible:
            cipher = item.person.cipher()
            row.identity = item.person.identity
            if decision is not None:
                row.decision_text = decision.unseal(cipher)["text"]
                row.taken_by = [user.get_full_name() for user in decision.taken_by.all()]
        row.can = item.abilities(user)
        rows.append(row)
    return rows
