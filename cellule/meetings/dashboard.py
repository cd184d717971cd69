"""The dashboard's « Prochaine séance » card: the next séance the user sits in (or, for the
president and coordinator, the cell's next one), with a countdown; a guest's séance."""

from django.db.models import Count

from cellule.access.roles import CELL_WIDE, SITTING
from cellule.accounts.enums import Role
from cellule.meetings.models import Seance


def next_seance_panel(request, membership) -> dict:
    if membership is None or (membership.role not in SITTING and membership.role != Role.GUEST):
        return {}
    seance = (
        Seance.objects.visible_to(request.user)
        .filter(cell_id=membership.cell_id)
        .upcoming()
        .annotate(item_count=Count("items"))
        .first()
    )
    panel = {"seance_panel": True, "next_seance": seance}
    if seance is not None:
        panel["next_seance_days"] = seance.days_until()
        panel["next_seance_guest"] = membership.role == Role.GUEST
        panel["next_seance_in_window"] = seance.in_guest_window()
        panel["next_seance_convened"] = membership.role in CELL_WIDE or seance.convened_at
    return panel
