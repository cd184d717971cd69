"""Signalements: file one (the fiche's own validation), list one's own, list the cell's, read one.

Filing goes through the fiche de signalement's form and ``reports.services.file_signalement``:
the same checks, the same French messages, the same journal event as the page.
"""

from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictBool, StrictInt

from cellule import access
from cellule.access.abilities import PERSON_RECORDERS
from cellule.access.roles import CELL_WIDE
from cellule.api.cells import asked_cell_ids, working_cell
from cellule.api.errors import ApiValidationError, django_errors
from cellule.api.pagination import JournaledPagination, Listing
from cellule.api.schemas import (
    ERRORS,
    DateFilters,
    IsoDate,
    Named,
    PersonName,
    PersonOut,
    date_range,
    local,
    named,
    person_name,
    person_out,
)
from cellule.people.enums import Relationship
from cellule.people.identity import ADDRESS_MAX_LENGTH, MAX_AGE, NAME_MAX_LENGTH, PHONE_MAX_LENGTH
from cellule.reports import services
from cellule.reports.enums import SignalementStatus, SourceCategory
from cellule.reports.forms import REPRESENTATIVES, SignalementForm
from cellule.reports.models import TEXT_MAX_LENGTH, Indicator, Signalement

router = Router(tags=["Signalements"])

CANNOT_FILE = "Votre habilitation ne permet pas de faire un signalement dans cette cellule."
CANNOT_QUALIFY = (
    "La qualification des signalements revient au coordonnateur et au président de la cellule."
)


# --- Schemas ------------------------------------------------------------------------------------


class PersonIn(Schema):
    last_name: str = Field(min_length=1, max_length=NAME_MAX_LENGTH)
    first_name: str = Field(min_length=1, max_length=NAME_MAX_LENGTH)
    birth_date: IsoDate | None = Field(None, description="Ou, à défaut, approximate_age.")
    approximate_age: StrictInt | None = Field(None, ge=0, le=MAX_AGE)
    commune: str | None = Field(
        None, pattern=r"^[0-9][0-9AB][0-9]{3}$", description="Code INSEE de la commune."
    )
    address: str = Field("", max_length=ADDRESS_MAX_LENGTH)
    phone: str = Field("", max_length=PHONE_MAX_LENGTH)


class RepresentativeIn(Schema):
    last_name: str = Field(min_length=1, max_length=NAME_MAX_LENGTH)
    first_name: str = Field(min_length=1, max_length=NAME_MAX_LENGTH)
    relationship: Relationship
    phone: str = Field("", max_length=PHONE_MAX_LENGTH)


class ObservedIndicatorIn(Schema):
    code: str = Field(
        pattern=r"^[-a-zA-Z0-9_]{1,60}$",
        description="Code d'un indicateur de la grille en vigueur.",
    )
    observed_on: IsoDate


class SignalementIn(Schema):
    person: PersonIn
    legal_representatives: list[RepresentativeIn] = Field(
        [], max_length=len(REPRESENTATIVES), description="Pour un mineur : jusqu'à deux."
    )
    observed_on: IsoDate = Field(description="Date des faits observés (pas dans le futur).")
    source_category: SourceCategory
    indicators: list[ObservedIndicatorIn] = Field(min_length=1, max_length=60)
    text: str = Field(
        min_length=1,
        max_length=TEXT_MAX_LENGTH,
        description="Faits et comportements datés, pas des croyances ni des pratiques.",
    )
    urgent: StrictBool = False


class OwnSignalement(Schema):
    """What the person who filed a signalement learns of it: received, or taken into account."""

    id: UUID
    reference: str
    cell: Named
    created_at: datetime
    status: SignalementStatus
    status_label: str


class SignalementItem(Schema):
    id: UUID
    reference: str
    created_at: datetime
    observed_on: date
    due_on: date
    is_overdue: bool
    urgent: bool
    source_category: SourceCategory
    status: SignalementStatus
    person: PersonName
    qualified_at: datetime | None
    outcomes: list[str]


class ObservedIndicator(Schema):
    code: str
    label: str
    domain: str
    strength: str
    observed_on: date


class Qualification(Schema):
    qualified_at: datetime
    qualified_by: Named | None
    outcomes: list[str]
    closure_reason: str
    redirect_service: str
    reason: str


class SignalementOut(Schema):
    id: UUID
    reference: str
    cell: Named
    created_at: datetime
    observed_on: date
    source_category: SourceCategory
    source_category_label: str
    urgent: bool
    due_on: date
    is_overdue: bool
    status: SignalementStatus
    text: str
    person: PersonOut
    indicators: list[ObservedIndicator]
    qualification: Qualification | None
    situation_id: UUID | None


class SignalementFilters(DateFilters):
    status: SignalementStatus | None = Field(None, description="received (reçu) ou qualified.")


# --- Serialisation ------------------------------------------------------------------------------


def _cell(signalement) -> dict:
    return {"id": signalement.cell.pk, "name": signalement.cell.name}


def own_item(signalement: Signalement) -> dict:
    return {
        "id": signalement.pk,
        "reference": signalement.reference,
        "cell": _cell(signalement),
        "created_at": local(signalement.created_at),
        "status": signalement.status,
        "status_label": signalement.reporter_status,
    }


def cell_item(signalement: Signalement) -> dict:
    return {
        "id": signalement.pk,
        "reference": signalement.reference,
        "created_at": local(signalement.created_at),
        "observed_on": signalement.observed_on,
        "due_on": signalement.due_on,
        "is_overdue": signalement.is_overdue,
        "urgent": signalement.urgent,
        "source_category": signalement.source_category,
        "status": signalement.status,
        "person": person_name(signalement.person),
        "qualified_at": local(signalement.qualified_at),
        "outcomes": signalement.outcomes,
    }


def full(signalement: Signalement) -> dict:
    qualification = None
    if signalement.qualified_at:
        qualification = {
            "qualified_at": local(signalement.qualified_at),
            "qualified_by": named(signalement.qualified_by),
            "outcomes": signalement.outcomes,
            "closure_reason": signalement.closure_reason,
            "redirect_service": signalement.redirect_service,
            "reason": signalement.qualification_reason,
        }
    return {
        "id": signalement.pk,
        "reference": signalement.reference,
        "cell": _cell(signalement),
        "created_at": local(signalement.created_at),
        "observed_on": signalement.observed_on,
        "source_category": signalement.source_category,
        "source_category_label": signalement.get_source_category_display(),
        "urgent": signalement.urgent,
        "due_on": signalement.due_on,
        "is_overdue": signalement.is_overdue,
        "status": signalement.status,
        "text": signalement.text,
        "person": person_out(signalement.person),
        "indicators": [
            {
                "code": item.indicator.code,
                "label": item.indicator.label,
                "domain": item.indicator.domain,
                "strength": item.indicator.strength,
                "observed_on": item.observed_on,
            }
            for item in signalement.indicators.select_related("indicator")
        ],
        "qualification": qualification,
        "situation_id": signalement.situation_id,
    }


# --- The fiche's form, fed from JSON ------------------------------------------------------------


def _form_data(payload: SignalementIn, grid: dict) -> tuple[dict, dict, list]:
    """(form data, form field → API field, errors found before the form) for a payload."""
    person = payload.person
    data = {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "approximate_age": "" if person.approximate_age is None else str(person.approximate_age),
        "commune": person.commune or "",
        "address": person.address,
        "phone": person.phone,
        "observed_on": payload.observed_on.isoformat(),
        "source_category": payload.source_category,
        "text": payload.text,
        "urgent": payload.urgent,
        "indicators": [],
    }
    fields = {name: f"person.{name}" for name in ("last_name", "first_name", "address", "phone")}
    fields |= {name: f"person.{name}" for name in ("birth_date", "approximate_age", "commune")}
    errors = []
    for index, observed in enumerate(payload.indicators):
        indicator = grid.get(observed.code)
        if indicator is None:
            errors.append(
                {
                    "field": f"body.indicators[{index}].code",
                    "message": "Indicateur inconnu ou qui n'est plus en vigueur.",
                }
            )
        elif str(indicator.pk) in data["indicators"]:
            errors.append(
                {"field": f"body.indicators[{index}].code", "message": "Indicateur en double."}
            )
        else:
            data["indicators"].append(str(indicator.pk))
            data[f"date_{indicator.pk}"] = observed.observed_on.isoformat()
            fields[f"date_{indicator.pk}"] = f"indicators[{index}].observed_on"
    for number, representative in zip(REPRESENTATIVES, payload.legal_representatives, strict=False):
        for name in ("last_name", "first_name", "relationship", "phone"):
            data[f"rep{number}_{name}"] = getattr(representative, name)
            fields[f"rep{number}_{name}"] = f"legal_representatives[{number - 1}].{name}"
    return data, fields, errors


# --- Operations ---------------------------------------------------------------------------------


@router.post(
    "/signalements",
    response={201: OwnSignalement, **ERRORS},
    url_name="signalements",
    summary="Déposer un signalement (fiche de signalement)",
)
def file_signalement(request, payload: SignalementIn, cell: UUID | None = None):
    """Les mêmes contrôles que la fiche de signalement de Cellule. La personne concernée est
    enregistrée (chiffrée) ; le coordonnateur vérifiera si elle est déjà connue de la cellule.
    Réponse : le statut minimal que voit l'auteur d'un signalement."""
    cell, _ = working_cell(request.auth, cell, roles=PERSON_RECORDERS, refusal=CANNOT_FILE)
    grid = {indicator.code: indicator for indicator in Indicator.objects.current()}
    data, fields, errors = _form_data(payload, grid)
    form = SignalementForm(data, cell=cell)
    valid = form.is_valid()
    if not valid:
        errors += django_errors(ValidationError(form.errors.as_data()), fields=fields)
        for error in errors:
            if error["field"] and not error["field"].startswith("body."):
                error["field"] = "body." + error["field"]
    if errors:
        raise ApiValidationError(errors)
    cleaned = form.cleaned_data
    try:
        signalement = services.file_signalement(
            cell=cell,
            identity=form.identity,
            commune=cleaned["commune"],
            legal_representatives=form.representatives,
            observed_on=cleaned["observed_on"],
            source_category=cleaned["source_category"],
            indicators=form.observed_indicators(),
            text=cleaned["text"],
            urgent=cleaned["urgent"],
            by=request.auth,
        )
    except ValidationError as error:
        raise ApiValidationError(django_errors(error, prefix="body.", fields=fields)) from error
    return Status(201, own_item(signalement))


@router.get(
    "/signalements/mine",
    response={200: list[OwnSignalement], **ERRORS},
    url_name="signalements_mine",
    summary="Mes signalements (statut minimal)",
)
@paginate(JournaledPagination)
def my_signalements(
    request, filters: Query[SignalementFilters], cell: UUID | None = None
) -> Listing:
    """Les signalements que j'ai déposés, dans les cellules où je suis habilité(e) : leur
    référence et leur statut minimal (« Reçu », « Pris en compte »), rien d'autre."""
    queryset = (
        Signalement.objects.filed_by(request.auth)
        .filter(cell_id__in=asked_cell_ids(request.auth, cell))
        .filter(date_range("created_at__date", filters))
        .select_related("cell")
        .order_by("-created_at", "pk")
    )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return Listing(queryset, own_item)


@router.get(
    "/signalements",
    response={200: list[SignalementItem], **ERRORS},
    url_name="signalements_list",
    summary="Signalements de la cellule (président, coordonnateur)",
)
@paginate(JournaledPagination)
def cell_signalements(
    request, filters: Query[SignalementFilters], cell: UUID | None = None
) -> Listing:
    """Les signalements de la cellule, les plus récents d'abord, pour qui les qualifie."""
    cell, _ = working_cell(request.auth, cell, roles=CELL_WIDE, refusal=CANNOT_QUALIFY)
    queryset = (
        Signalement.objects.visible_to(request.auth)
        .filter(cell=cell)
        .filter(date_range("created_at__date", filters))
        .select_related("person__key")
        .order_by("-created_at", "pk")
    )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return Listing(queryset, cell_item, cell=cell)


@router.get(
    "/signalements/{signalement_id}",
    response={200: SignalementOut, **ERRORS},
    url_name="signalement",
    summary="Lire un signalement",
)
def read_signalement(request, signalement_id: UUID):
    """Le signalement complet : personne concernée, faits, indicateurs, qualification."""
    signalement = access.get_signalement(request.auth, signalement_id)
    return full(signalement)
