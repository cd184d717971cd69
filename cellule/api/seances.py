"""Séances: the cell's calendar, and an agenda redacted for its reader exactly as on the page.

The agenda comes from ``cellule.meetings.agenda.agenda_rows``: a reader who may not see an item's
situation (or who has not acknowledged the séance's confidentiality) reads « Situation n° …
(restreinte) », without name nor decision; a guest reads only the items they are invited to,
during the séance window.
"""

from datetime import datetime
from uuid import UUID

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cellule import access
from cellule.access.roles import SITTING
from cellule.accounts.enums import Role
from cellule.api.cells import working_cell
from cellule.api.pagination import JournaledPagination, Listing
from cellule.api.schemas import ERRORS, DateFilters, PersonName, date_range, local
from cellule.meetings.agenda import agenda_rows
from cellule.meetings.enums import DecisionKind, ItemOrigin, SeanceFormat, SeanceStatus
from cellule.meetings.models import Seance

router = Router(tags=["Séances"])

NO_SEANCE = "Votre habilitation ne donne accès à aucune séance."
ATTENDING = frozenset({*SITTING, Role.GUEST})


class SeanceItem(Schema):
    id: UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    format: SeanceFormat
    status: SeanceStatus
    status_label: str


class SeanceFilters(DateFilters):
    status: SeanceStatus | None = Field(
        None, description="planned (prévue), held (tenue) ou minutes_validated."
    )


class Decision(Schema):
    kind: DecisionKind
    kind_label: str
    text: str
    taken_by: list[str]


class AgendaEntry(Schema):
    position: int
    label: str = Field(description="« Situation n° … », suivi de « (restreinte) » si masqué.")
    restricted: bool = Field(description="true : ni nom ni décision pour vous.")
    origin: ItemOrigin
    situation_id: UUID | None
    person: PersonName | None
    decision: Decision | None


class Agenda(Schema):
    seance: SeanceItem
    agenda_visible: bool = Field(
        description="false : l'ordre du jour s'affiche une fois la confidentialité de la séance "
        "acceptée dans Cellule."
    )
    items: list[AgendaEntry]


def seance_item(seance) -> dict:
    return {
        "id": seance.pk,
        "title": seance.title,
        "starts_at": local(seance.starts_at),
        "ends_at": local(seance.ends_at),
        "place": seance.place,
        "format": seance.format,
        "status": seance.status,
        "status_label": seance.get_status_display(),
    }


def _entry(row) -> dict:
    item = row.item
    decision = None
    if row.visible and row.decision is not None:
        decision = {
            "kind": row.decision.kind,
            "kind_label": row.decision.get_kind_display(),
            "text": row.decision_text,
            "taken_by": row.taken_by,
        }
    identity = row.identity if row.visible else None
    return {
        "position": item.position,
        "label": row.label,
        "restricted": not row.visible,
        "origin": item.origin,
        "situation_id": item.situation_id if row.visible else None,
        "person": (
            {"last_name": identity.last_name, "first_name": identity.first_name}
            if identity
            else None
        ),
        "decision": decision,
    }


@router.get(
    "/seances",
    response={200: list[SeanceItem], **ERRORS},
    url_name="seances",
    summary="Séances de la cellule",
)
@paginate(JournaledPagination)
def list_seances(request, filters: Query[SeanceFilters], cell: UUID | None = None) -> Listing:
    """Les séances que je vois dans la cellule (toutes pour le président et le coordonnateur ;
    celles où je suis convoqué(e) ou invité(e) sinon), les plus récentes d'abord."""
    cell, _ = working_cell(request.auth, cell, roles=ATTENDING, refusal=NO_SEANCE)
    queryset = (
        Seance.objects.visible_to(request.auth)
        .filter(cell=cell)
        .filter(date_range("starts_at__date", filters))
        .order_by("-starts_at", "pk")
    )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return Listing(queryset, seance_item, cell=cell)


@router.get(
    "/seances/{seance_id}/ordre-du-jour",
    response={200: Agenda, **ERRORS},
    url_name="seance_agenda",
    summary="Ordre du jour d'une séance, tel que vous pouvez le lire",
)
def seance_agenda(request, seance_id: UUID):
    """Les points de l'ordre du jour : les noms et décisions de ceux dont vous pouvez voir la
    situation, les autres masqués (« restreinte »)."""
    user = request.auth
    seance = access.get_seance(user, seance_id)
    abilities = seance.abilities(user)
    rows = agenda_rows(seance, user, abilities, reason=f"ordre du jour (API) : {seance}")
    return {
        "seance": seance_item(seance),
        "agenda_visible": abilities["see_agenda"],
        "items": [_entry(row) for row in rows],
    }
