"""Transmissions between a commune and the State: the cell's inbox, one transmission, its
acknowledgement and the retour d'information, through ``cellule.exchanges.services``.

The content of a transmission is its sealed copy (the fields its sender chose), given only to who
may read it (``read_content``), and never for a transmission marked « ni exportable ni
imprimable »: that one is read in Cellule only.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from cellule import access
from cellule.access.abilities import EXCHANGE_FOLLOWERS
from cellule.api.cells import working_cell
from cellule.api.errors import ApiValidationError, django_errors
from cellule.api.pagination import JournaledPagination, Listing
from cellule.api.schemas import ERRORS, DateFilters, Named, date_range, local
from cellule.exchanges import services
from cellule.exchanges.enums import FeedbackOutcome, TransmissionKind, TransmissionStatus
from cellule.exchanges.models import Transmission
from cellule.people.crypto import CryptoError

router = Router(tags=["Transmissions"])

NO_EXCHANGE = "Votre habilitation ne donne accès à aucun échange avec l'État."
K = TransmissionKind


class TransmissionItem(Schema):
    id: UUID
    reference: str
    kind: TransmissionKind
    kind_label: str
    from_cell: Named
    to_cell: Named
    sent_at: datetime | None
    status: TransmissionStatus
    status_label: str
    acknowledged_at: datetime | None
    feedback_due_on: date | None
    feedback_given_at: datetime | None
    confidential: bool
    not_exportable: bool


class Reply(Schema):
    id: UUID
    sent_at: datetime | None
    outcome: FeedbackOutcome | None
    outcome_label: str


class TransmissionOut(TransmissionItem):
    legal_basis: str
    legal_basis_label: str
    fields: list[str]
    content: dict[str, Any] | None = Field(
        description="La copie scellée (les champs choisis par l'émetteur) ; null si elle est "
        "effacée, expirée, ou réservée à une lecture dans Cellule (ni exportable ni imprimable)."
    )
    content_note: str
    replies: list[Reply]
    abilities: dict[str, bool]


class InboxFilters(DateFilters):
    kind: TransmissionKind | None = Field(None, description="Nature de la transmission.")
    awaiting_feedback: bool | None = Field(
        None, description="true : les signalements à l'État encore sans retour d'information."
    )


class FeedbackIn(Schema):
    outcome: FeedbackOutcome


def _named(cell) -> dict:
    return {"id": cell.pk, "name": cell.name}


def item(transmission) -> dict:
    return {
        "id": transmission.pk,
        "reference": transmission.reference,
        "kind": transmission.kind,
        "kind_label": transmission.get_kind_display(),
        "from_cell": _named(transmission.from_cell),
        "to_cell": _named(transmission.to_cell),
        "sent_at": local(transmission.sent_at),
        "status": transmission.status,
        "status_label": transmission.status_label,
        "acknowledged_at": local(transmission.acknowledged_at),
        "feedback_due_on": transmission.feedback_due_on,
        "feedback_given_at": local(transmission.feedback_given_at),
        "confidential": transmission.confidential,
        "not_exportable": transmission.not_exportable,
    }


def full(transmission, user) -> dict:
    abilities = transmission.abilities(user)
    content, note = None, ""
    if not abilities["read_content"]:
        note = "Contenu effacé ou expiré." if abilities["view"] else ""
    elif not abilities["export"]:
        note = "Transmission ni exportable ni imprimable : son contenu se lit dans Cellule."
    else:
        try:
            content = transmission.snapshot
        except CryptoError:
            note = "Contenu effacé définitivement."
    replies = (
        transmission.replies.visible_to(user).filter(kind=K.FEEDBACK).order_by("sent_at", "pk")
    )
    return {
        **item(transmission),
        "legal_basis": transmission.legal_basis,
        "legal_basis_label": transmission.get_legal_basis_display(),
        "fields": list(transmission.fields or []),
        "content": content,
        "content_note": note,
        "replies": [
            {
                "id": reply.pk,
                "sent_at": local(reply.sent_at),
                "outcome": reply.feedback_outcome or None,
                "outcome_label": reply.get_feedback_outcome_display(),
            }
            for reply in replies
        ],
        "abilities": abilities,
    }


@router.get(
    "/transmissions",
    response={200: list[TransmissionItem], **ERRORS},
    url_name="transmissions",
    summary="Transmissions reçues par la cellule (boîte de réception)",
)
@paginate(JournaledPagination)
def inbox(request, filters: Query[InboxFilters], cell: UUID | None = None) -> Listing:
    """Ce que la cellule a reçu : pour la préfecture, les signalements des communes ; pour une
    commune, les retours d'information et les informations nominatives qui lui sont adressées.
    Les plus récentes d'abord."""
    cell, _ = working_cell(request.auth, cell, roles=EXCHANGE_FOLLOWERS, refusal=NO_EXCHANGE)
    queryset = (
        Transmission.objects.visible_to(request.auth)
        .sent()
        .filter(to_cell=cell)
        .filter(date_range("sent_at__date", filters))
        .select_related("from_cell", "to_cell", "key")
        .order_by("-sent_at", "pk")
    )
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.awaiting_feedback is not None:
        waiting = queryset.awaiting_feedback()
        queryset = waiting if filters.awaiting_feedback else queryset.exclude(pk__in=waiting)
    return Listing(queryset, item, cell=cell)


@router.get(
    "/transmissions/{transmission_id}",
    response={200: TransmissionOut, **ERRORS},
    url_name="transmission",
    summary="Lire une transmission",
)
def read_transmission(request, transmission_id: UUID):
    """La transmission, sa copie scellée (quand elle peut sortir de Cellule) et ses retours."""
    user = request.auth
    transmission = access.get_transmission(user, transmission_id)
    if transmission.abilities(user)["is_named_recipient"]:
        services.mark_read(transmission=transmission, by=user)
    return full(transmission, user)


@router.post(
    "/transmissions/{transmission_id}/accuse-reception",
    response={200: TransmissionItem, **ERRORS},
    url_name="transmission_acknowledge",
    summary="Accuser réception d'un signalement à l'État",
)
def acknowledge(request, transmission_id: UUID):
    """La préfecture accuse réception ; la commune le voit. Sans effet s'il l'est déjà."""
    transmission = access.get_transmission(request.auth, transmission_id, ability="acknowledge")
    return item(services.acknowledge_transmission(transmission=transmission, by=request.auth))


@router.post(
    "/transmissions/{transmission_id}/retour",
    response={201: Reply, **ERRORS},
    url_name="transmission_feedback",
    summary="Donner le retour d'information sur un signalement à l'État",
)
def give_feedback(request, transmission_id: UUID, payload: FeedbackIn):
    """Le retour d'information, choisi dans la liste : rien de nominatif (une information sur la
    personne passe par une information nominative du préfet, avec ses accords)."""
    transmission = access.get_transmission(request.auth, transmission_id, ability="give_feedback")
    try:
        reply = services.give_feedback(
            transmission=transmission, outcome=payload.outcome, by=request.auth
        )
    except ValidationError as error:
        raise ApiValidationError(django_errors(error, prefix="body.")) from error
    return Status(
        201,
        {
            "id": reply.pk,
            "sent_at": local(reply.sent_at),
            "outcome": reply.feedback_outcome,
            "outcome_label": reply.get_feedback_outcome_display(),
        },
    )
