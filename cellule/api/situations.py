"""Situations and their measures: lists of the cell, one situation, its chronology, its measures.

As on the pages: the president and coordinator see every situation of their cell; a member or
state delegate, those they follow as référent, and the measures their organisation provides
(the provider's restricted view). An archived situation is read only with a stated reason
(``motif``), which the journal keeps.
"""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cellule import access
from cellule.access.roles import CELL_WIDE, SITTING
from cellule.api.cells import working_cell
from cellule.api.pagination import JournaledPagination, Listing
from cellule.api.schemas import (
    ERRORS,
    DateFilters,
    Named,
    PersonName,
    PersonOut,
    date_range,
    local,
    named,
    person_name,
    person_out,
)
from cellule.cases.enums import ClosureReason, MeasureKind, MeasureStatus, SituationStatus
from cellule.cases.models import Situation
from cellule.cases.timeline import timeline

router = Router(tags=["Situations et mesures"])

NO_SITUATION = "Votre habilitation ne donne accès à aucune situation."
ARCHIVED_NEEDS_REASON = (
    "Situation archivée : indiquez le motif de la consultation (paramètre « motif »), "
    "il sera inscrit au journal des accès."
)
MOTIF = Query(
    None,
    max_length=500,
    description="Motif de la consultation, obligatoire pour une situation archivée "
    "(président et coordonnateur seulement).",
)


# --- Schemas ------------------------------------------------------------------------------------


class SituationItem(Schema):
    id: UUID
    reference: str
    status: SituationStatus
    status_label: str
    opened_at: datetime
    next_review_on: date | None
    is_review_overdue: bool
    referent: Named | None
    person: PersonName
    view: Literal["full", "provider"] = Field(
        description="full : la situation se lit en entier ; provider : seulement les mesures "
        "de votre organisation."
    )


class Abilities(Schema):
    view: bool
    view_archived: bool
    view_reports: bool
    view_provider: bool
    manage_measures: bool


class OriginReport(Schema):
    id: UUID
    reference: str
    created_at: datetime


class SituationOut(Schema):
    id: UUID
    reference: str
    cell: Named
    status: SituationStatus
    status_label: str
    opened_at: datetime
    next_review_on: date | None
    referent: Named | None
    person: PersonOut
    closed_at: datetime | None
    closure_reason: ClosureReason | Literal[""]
    closure_text: str
    archived_at: datetime | None
    origin_reports: list[OriginReport]
    abilities: Abilities


class TimelineEntry(Schema):
    at: datetime
    title: str
    text: str
    by: str


class MeasureOut(Schema):
    id: UUID
    situation_id: UUID
    situation_reference: str
    kind: MeasureKind
    kind_label: str
    provider: Named
    referent: Named | None
    status: MeasureStatus
    status_label: str
    proposed_on: date
    consent_on: date | None
    parental_consent_on: date | None
    started_on: date | None
    ended_on: date | None
    outcome: str


ListedStatus = Literal["assessment", "support", "watch", "closed"]


class SituationFilters(DateFilters):
    status: ListedStatus | None = Field(
        None, description="assessment, support, watch ou closed (les archives sont à part)."
    )
    referent: Literal["me", "none"] | None = Field(
        None, description="me : celles dont je suis le référent ; none : sans référent."
    )


# --- Serialisation ------------------------------------------------------------------------------


def _item(user, role):
    def serialize(situation) -> dict:
        full = role in CELL_WIDE or situation.referent_id == user.pk
        return {
            "id": situation.pk,
            "reference": situation.reference,
            "status": situation.status,
            "status_label": situation.get_status_display(),
            "opened_at": local(situation.opened_at),
            "next_review_on": situation.next_review_on,
            "is_review_overdue": situation.is_review_overdue,
            "referent": named(situation.referent),
            "person": person_name(situation.person),
            "view": "full" if full else "provider",
        }

    return serialize


def situation_out(situation, abilities) -> dict:
    reports = situation.origin_reports.order_by("created_at") if abilities["view_reports"] else []
    return {
        "id": situation.pk,
        "reference": situation.reference,
        "cell": {"id": situation.cell.pk, "name": situation.cell.name},
        "status": situation.status,
        "status_label": situation.get_status_display(),
        "opened_at": local(situation.opened_at),
        "next_review_on": situation.next_review_on,
        "referent": named(situation.referent),
        "person": person_out(situation.person),
        "closed_at": local(situation.closed_at),
        "closure_reason": situation.closure_reason,
        "closure_text": situation.closure_text,
        "archived_at": local(situation.archived_at),
        "origin_reports": [
            {"id": r.pk, "reference": r.reference, "created_at": local(r.created_at)}
            for r in reports
        ],
        "abilities": {name: abilities[name] for name in Abilities.model_fields},
    }


def measure_out(measure) -> dict:
    situation = measure.situation
    return {
        "id": measure.pk,
        "situation_id": situation.pk,
        "situation_reference": situation.reference,
        "kind": measure.kind,
        "kind_label": measure.get_kind_display(),
        "provider": {"id": measure.provider.pk, "name": measure.provider.name},
        "referent": named(measure.referent),
        "status": measure.status,
        "status_label": measure.get_status_display(),
        "proposed_on": measure.proposed_on,
        "consent_on": measure.consent_on,
        "parental_consent_on": measure.parental_consent_on,
        "started_on": measure.started_on,
        "ended_on": measure.ended_on,
        "outcome": measure.outcome,
    }


# --- Fetching one situation ---------------------------------------------------------------------


def _situation(user, pk, *, motif: str | None, provider_view: bool = False):
    """The situation through ``access.get_situation`` (404 outside the scope, journaled), with
    the ability its state asks: ``view``; ``view_archived`` and a reason for the archive; for
    the measures, the provider's ``view_provider`` when that is all the user has."""
    scoped = get_object_or_404(Situation.objects.visible_to(user), pk=pk)
    abilities = scoped.abilities(user)
    motif = (motif or "").strip()
    if scoped.status == SituationStatus.ARCHIVED:
        if abilities["view_archived"] and not motif:
            raise PermissionDenied(ARCHIVED_NEEDS_REASON)
        ability = "view_archived"
    elif provider_view and not abilities["view"] and abilities["view_provider"]:
        ability = "view_provider"
    else:
        ability = "view"
    situation = access.get_situation(user, pk, ability=ability, reason=motif or None)
    return situation, situation.abilities(user)


# --- Operations ---------------------------------------------------------------------------------


@router.get(
    "/situations",
    response={200: list[SituationItem], **ERRORS},
    url_name="situations",
    summary="Situations de la cellule",
)
@paginate(JournaledPagination)
def list_situations(request, filters: Query[SituationFilters], cell: UUID | None = None) -> Listing:
    """Les situations en cours ou clôturées que je peux voir dans la cellule, les plus récentes
    d'abord (les archives n'y figurent pas)."""
    user = request.auth
    cell, role = working_cell(user, cell, roles=SITTING, refusal=NO_SITUATION)
    queryset = (
        Situation.objects.visible_to(user)
        .filter(cell=cell)
        .current()
        .filter(date_range("opened_at__date", filters))
        .select_related("person__key", "referent")
        .order_by("-opened_at", "pk")
    )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.referent == "me":
        queryset = queryset.filter(referent=user)
    elif filters.referent == "none":
        queryset = queryset.filter(referent__isnull=True)
    return Listing(queryset, _item(user, role), cell=cell)


@router.get(
    "/situations/{situation_id}",
    response={200: SituationOut, **ERRORS},
    url_name="situation",
    summary="Lire une situation",
)
def read_situation(request, situation_id: UUID, motif: str | None = MOTIF):
    situation, abilities = _situation(request.auth, situation_id, motif=motif)
    return situation_out(situation, abilities)


@router.get(
    "/situations/{situation_id}/chronologie",
    response={200: list[TimelineEntry], **ERRORS},
    url_name="situation_timeline",
    summary="Chronologie d'une situation",
)
def situation_timeline(request, situation_id: UUID, motif: str | None = MOTIF):
    """Signalements et décisions (président et coordonnateur), changements d'état, mesures,
    revues, notes, et ce que les autres modules y ajoutent, du plus ancien au plus récent."""
    situation, abilities = _situation(request.auth, situation_id, motif=motif)
    entries = timeline(
        situation,
        with_reports=abilities["view_reports"],
        reader=request.auth,
        abilities=abilities,
    )
    return [
        {"at": local(entry.at), "title": entry.title, "text": entry.text, "by": entry.by}
        for entry in entries
    ]


@router.get(
    "/situations/{situation_id}/mesures",
    response={200: list[MeasureOut], **ERRORS},
    url_name="situation_measures",
    summary="Mesures d'une situation (plan d'accompagnement)",
)
def situation_measures(request, situation_id: UUID, motif: str | None = MOTIF):
    """Toutes les mesures pour qui suit la situation ; pour l'organisme porteur, seulement les
    siennes (vue partenaire)."""
    user = request.auth
    situation, abilities = _situation(user, situation_id, motif=motif, provider_view=True)
    measures = situation.measures.select_related("provider", "referent")
    if not (abilities["view"] or abilities["view_archived"]):
        measures = measures.filter(provider_id=user.organisation_id).exclude(status="refused")
    rows = []
    for measure in measures:
        measure.situation = situation  # its person's key is already unwrapped
        rows.append(measure_out(measure))
    return rows


@router.get(
    "/mesures/{measure_id}",
    response={200: MeasureOut, **ERRORS},
    url_name="measure",
    summary="Lire une mesure",
)
def read_measure(request, measure_id: UUID):
    return measure_out(access.get_measure(request.auth, measure_id))
