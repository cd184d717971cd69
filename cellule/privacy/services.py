"""Writes of the privacy app: delays, legal holds, rights requests. Keyword-only, ``by=``,
atomic, journaled; French ValidationErrors by field for the forms to show.

A rights request is handled by the DPO and the cell's coordinator together: either records it,
finds the person, prepares the access export; the *other* one reviews it before it may be
released; the coordinator alone changes the file (rectification, erasure, hold), through the
services that always do so. Every step is a ``RightsRequestStep`` and a journal event.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cellule.access import abilities as access_abilities
from cellule.access.journaling import Action, journal_event
from cellule.privacy import rules
from cellule.privacy.enums import (
    HoldGround,
    RequestKind,
    RequestOutcome,
    RequestStatus,
    StepKind,
)
from cellule.privacy.models import (
    DETAIL_MAX_LENGTH,
    REQUEST_DEADLINE_MONTHS,
    REQUEST_EXTENSION_MONTHS,
    LegalHold,
    RetentionSetting,
    RightsExport,
    RightsRequest,
    RightsRequestStep,
    add_months,
)

TEXT_MAX_LENGTH = 1000


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _text(value, *, field: str, label: str, required: bool, limit=TEXT_MAX_LENGTH) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise ValidationError({field: f"Indiquez {label}."})
    if len(value) > limit:
        raise ValidationError({field: f"Le texte ne doit pas dépasser {limit} caractères."})
    return value


# --- Delays -------------------------------------------------------------------------------------


def set_retention(*, cell, rule: str, days: int, by) -> RetentionSetting:
    """The cell's own delay for a rule, within the rule's legal bounds (the coordinator)."""
    _require(
        access_abilities.for_privacy(cell, by)["edit_retention"],
        "Seul le coordonnateur de la cellule règle les durées de conservation.",
    )
    definition = rules.get_rule(rule)
    if not definition.configurable:
        raise ValidationError({"days": "Cette durée n'est pas réglable par la cellule."})
    if not isinstance(days, int) or not definition.min_days <= days <= definition.max_days:
        raise ValidationError(
            {
                "days": f"Pour « {definition.label} », la durée doit être comprise entre "
                f"{definition.min_days} et {definition.max_days} jours ({definition.bounds_label})."
            }
        )
    with transaction.atomic():
        setting, _ = RetentionSetting.objects.update_or_create(
            cell=cell,
            rule=rule,
            defaults={"days": days, "updated_at": timezone.now(), "updated_by": by},
        )
        journal_event(
            by,
            Action.RECORD_UPDATED,
            target=setting,
            cell=cell,
            reason=f"durée de conservation « {definition.code} » : {days} jours",
        )
    return setting


# --- Legal holds --------------------------------------------------------------------------------


def place_hold(*, situation=None, signalement=None, ground: str, detail: str = "", by) -> LegalHold:
    """Keeps a situation or a signalement (and what follows it) past its retention rule."""
    target = situation if situation is not None else signalement
    if target is None or (situation is not None and signalement is not None):
        raise ValidationError("Choisissez une situation ou un signalement à geler.")
    _require(
        access_abilities.for_privacy(target.cell, by)["place_hold"],
        "Seul le coordonnateur de la cellule pose un gel juridique.",
    )
    if ground not in HoldGround.values:
        raise ValidationError({"ground": "Choisissez le motif du gel dans la liste."})
    detail = _text(
        detail,
        field="detail",
        label="la référence de la procédure",
        required=ground == HoldGround.OTHER,
        limit=DETAIL_MAX_LENGTH,
    )
    with transaction.atomic():
        hold = LegalHold(
            cell_id=target.cell_id,
            situation=situation,
            signalement=signalement,
            ground=ground,
            placed_by=by,
        )
        hold.seal(target.person.cipher(), {"detail": detail})
        hold.save(force_insert=True)
        journal_event(
            by,
            Action.RECORD_CREATED,
            target=hold,
            reason=f"gel juridique de {hold.target_label} : {HoldGround(ground).label.lower()}",
        )
    return hold


def lift_hold(*, hold: LegalHold, by) -> LegalHold:
    _require(hold.abilities(by)["lift"], "Vous ne pouvez pas lever ce gel.")
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.lifted_at is not None:
            raise ValidationError("Ce gel a déjà été levé.")
        hold.lifted_at = timezone.now()
        hold.lifted_by = by
        hold.save(update_fields=["lifted_at", "lifted_by"])
        journal_event(
            by, Action.RECORD_UPDATED, target=hold, reason=f"gel levé : {hold.target_label}"
        )
    return hold


# --- Rights requests ----------------------------------------------------------------------------


def _step(request: RightsRequest, kind: str, *, by, comment: str = "") -> RightsRequestStep:
    step = RightsRequestStep(request=request, kind=kind, by=by)
    step.seal(request.cipher(), {"comment": comment})
    step.save(force_insert=True)
    journal_event(
        by, Action.RECORD_UPDATED, target=request, reason=f"étape : {step.get_kind_display()}"
    )
    return step


def _locked(request: RightsRequest) -> RightsRequest:
    return (
        RightsRequest.objects.select_for_update(of=("self",))
        .select_related("cell", "person__key")
        .get(pk=request.pk)
    )


def _started(request: RightsRequest) -> None:
    if request.status == RequestStatus.RECEIVED:
        request.status = RequestStatus.IN_PROGRESS
        request.save(update_fields=["status"])


def record_request(
    *,
    cell,
    kind: str,
    received_on: date,
    last_name: str,
    first_name: str,
    birth_date: date | None = None,
    contact: str,
    by,
) -> RightsRequest:
    """Records a request as received (letter, e-mail, at the desk): the one-month clock starts
    on the day of receipt."""
    _require(
        access_abilities.for_privacy(cell, by)["handle_requests"],
        "Les demandes d'exercice des droits sont enregistrées par le DPO ou le coordonnateur.",
    )
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = "Choisissez le droit exercé dans la liste."
    today = timezone.localdate()
    if received_on is None:
        errors["received_on"] = "Indiquez la date de réception de la demande."
    elif received_on > today:
        errors["received_on"] = "La date de réception ne peut pas être dans le futur."
    if birth_date is not None and birth_date > today:
        errors["birth_date"] = "La date de naissance ne peut pas être dans le futur."
    for field, value, label in (
        ("last_name", last_name, "le nom du demandeur"),
        ("first_name", first_name, "le prénom du demandeur"),
        ("contact", contact, "l'adresse où répondre"),
    ):
        try:
            _text(value, field=field, label=label, required=True, limit=300)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = RightsRequest(
            cell=cell,
            kind=kind,
            received_on=received_on,
            deadline=add_months(received_on, REQUEST_DEADLINE_MONTHS),
            created_by=by,
        )
        cipher = request.new_key()
        request.seal(
            cipher,
            {
                "last_name": last_name.strip(),
                "first_name": first_name.strip(),
                "birth_date": birth_date,
                "contact": contact.strip(),
            },
        )
        request.save(force_insert=True)
        journal_event(by, Action.RECORD_CREATED, target=request, reason=RequestKind(kind).label)
        _step(request, StepKind.RECEIVED, by=by)
    return request


def possible_persons(request: RightsRequest):
    """Persons of the cell who may be the requester: blind indexes, then decrypted candidates
    only (``people.duplicates``). The caller journals the list it shows."""
    from cellule.people.duplicates import find_possible_duplicates
    from cellule.people.identity import Identity

    requester = request.requester
    identity = Identity(
        last_name=requester["last_name"],
        first_name=requester["first_name"],
        birth_date=requester["birth_date"],
    )
    return find_possible_duplicates(cell=request.cell, identity=identity)


def link_person(*, request: RightsRequest, person, by) -> RightsRequest:
    """The person of the file the request concerns, or None: nothing is held on the requester."""
    _require(request.abilities(by)["search_person"], "Vous ne pouvez pas traiter cette demande.")
    if person is not None and person.cell_id != request.cell_id:
        raise ValidationError("Cette personne n'appartient pas à la cellule de la demande.")
    with transaction.atomic():
        request = _locked(request)
        request.person = person
        request.person_checked_at = timezone.now()
        request.save(update_fields=["person", "person_checked_at"])
        _started(request)
        _step(request, StepKind.PERSON_LINKED if person else StepKind.NO_PERSON, by=by)
    return request


def prepare_export(*, request: RightsRequest, by) -> RightsExport:
    """Everything held about the person, for an access request, encrypted under the person's
    key: the reporters' identities and the State's information are removed (``exports``)."""
    from cellule.privacy.exports import build_export

    _require(request.abilities(by)["prepare_export"], "Vous ne pouvez pas préparer cet export.")
    with transaction.atomic():
        request = _locked(request)
        person = request.person
        content = build_export(request=request, person=person)
        export = RightsExport(request=request, person=person, generated_by=by)
        export.seal(person.cipher(), {"content": json.dumps(content, ensure_ascii=False)})
        export.save(force_insert=True)
        _started(request)
        _step(request, StepKind.EXPORT_GENERATED, by=by)
    return export


def review_export(*, export: RightsExport, by, comment: str = "") -> RightsExport:
    """A second person reads the export and validates it for release."""
    request = export.request
    _require(request.abilities(by)["review_export"], "Vous ne pouvez pas relire cet export.")
    if export.generated_by_id == by.pk:
        raise ValidationError(
            "La relecture doit être faite par une autre personne que celle qui a préparé "
            "l'export (le DPO et le coordonnateur se relisent l'un l'autre)."
        )
    comment = _text(comment, field="comment", label="un commentaire", required=False)
    with transaction.atomic():
        locked = RightsExport.objects.select_for_update().get(pk=export.pk)
        if locked.reviewed_at is not None:
            raise ValidationError("Cet export a déjà été relu.")
        if request.exports.filter(generated_at__gt=locked.generated_at).exists():
            raise ValidationError("Un export plus récent a été préparé : relisez celui-là.")
        locked.reviewed_at = timezone.now()
        locked.reviewed_by = by
        locked.save(update_fields=["reviewed_at", "reviewed_by"])
        _step(request, StepKind.EXPORT_REVIEWED, by=by, comment=comment)
    return locked


def release_export(*, request: RightsRequest, by, fmt: str) -> RightsExport:
    """The reviewed export, for download: journaled as an export, and a step of the request."""
    _require(request.abilities(by)["download_export"], "Vous ne pouvez pas télécharger cet export.")
    export = request.exports.select_related("person__key").first()
    if export is None or not export.is_reviewed:
        raise ValidationError("L'export doit être relu et validé avant d'être remis.")
    with transaction.atomic():
        journal_event(by, Action.EXPORT, target=request, reason=f"export des données ({fmt}) remis")
        _step(request, StepKind.EXPORT_RELEASED, by=by, comment=fmt)
    return export


def rectify_identity(*, request: RightsRequest, identity, by) -> RightsRequest:
    """Rectification of the person's identity through the people service (which checks the
    coordinator's ability and journals the change)."""
    from cellule.people.services import update_person

    _require(request.abilities(by)["rectify"], "Vous ne pouvez pas rectifier ces données.")
    with transaction.atomic():
        update_person(person=request.person, identity=identity, by=by)
        request = _locked(request)
        _started(request)
        _step(request, StepKind.RECTIFIED, by=by, comment="identité rectifiée")
    return request


def record_rectification(*, request: RightsRequest, comment: str, by) -> RightsRequest:
    """A rectification made on the file's own screens (a note, a measure…), recorded here."""
    _require(request.abilities(by)["rectify"], "Vous ne pouvez pas rectifier ces données.")
    comment = _text(comment, field="comment", label="ce qui a été rectifié", required=True)
    with transaction.atomic():
        request = _locked(request)
        _started(request)
        _step(request, StepKind.RECTIFIED, by=by, comment=comment)
    return request


def erase_person_records(*, request: RightsRequest, reason: str, by):
    """Erasure (or an objection upheld): the person's data key is destroyed, then every record
    about them; a certificate proves it. Refused while a legal hold keeps one of the records."""
    from cellule.privacy.purge import erase_person

    _require(request.abilities(by)["erase"], "Seul le coordonnateur efface les données.")
    reason = _text(reason, field="reason", label="le motif de l'effacement", required=True)
    with transaction.atomic():
        request = _locked(request)
        certificate = erase_person(person=request.person, by=by, reason=reason)
        request.refresh_from_db()
        _started(request)
        _step(request, StepKind.ERASED, by=by, comment=reason)
    return certificate


def hold_for_restriction(*, request: RightsRequest, by) -> list[LegalHold]:
    """Restriction: every situation and report of the person is kept from the purge while the
    request is examined (art. 18.1.b and c)."""
    _require(request.abilities(by)["hold"], "Seul le coordonnateur pose un gel.")
    person = request.person
    holds = []
    with transaction.atomic():
        for situation in person.situations.all():
            if not situation.legal_holds.active().exists():
                holds.append(place_hold(situation=situation, ground=HoldGround.RIGHTS, by=by))
        for signalement in person.signalements.filter(situation__isnull=True):
            if not signalement.legal_holds.active().exists():
                holds.append(place_hold(signalement=signalement, ground=HoldGround.RIGHTS, by=by))
        request = _locked(request)
        _started(request)
        _step(
            request,
            StepKind.HOLD_PLACED,
            by=by,
            comment=f"{len(holds)} dossier(s) gelé(s)",
        )
    return holds


def extend_deadline(*, request: RightsRequest, reason: str, by) -> RightsRequest:
    """Two more months (art. 12.3), when the request is complex; the person is told why."""
    _require(request.abilities(by)["extend"], "Le délai ne peut plus être prolongé.")
    reason = _text(reason, field="comment", label="le motif de la prolongation", required=True)
    with transaction.atomic():
        request = _locked(request)
        request.deadline = add_months(
            request.received_on, REQUEST_DEADLINE_MONTHS + REQUEST_EXTENSION_MONTHS
        )
        request.extended = True
        request.save(update_fields=["deadline", "extended"])
        _started(request)
        _step(request, StepKind.EXTENDED, by=by, comment=reason)
    return request


def add_request_note(*, request: RightsRequest, text: str, by) -> RightsRequestStep:
    _require(request.abilities(by)["note"], "Vous ne pouvez pas annoter cette demande.")
    text = _text(text, field="comment", label="la note", required=True)
    with transaction.atomic():
        request = _locked(request)
        _started(request)
        return _step(request, StepKind.NOTE, by=by, comment=text)


def answer_request(*, request: RightsRequest, outcome: str, comment: str = "", by) -> RightsRequest:
    """Closes the request with the answer sent to the person, and its reasons."""
    _require(request.abilities(by)["answer"], "Cette demande ne peut plus être close.")
    errors = {}
    if outcome not in RequestOutcome.values:
        errors["outcome"] = "Choisissez la réponse donnée dans la liste."
    elif outcome == RequestOutcome.NO_DATA and request.person_id is not None:
        errors["outcome"] = "Une personne du fichier est liée à la demande : des données existent."
    elif outcome != RequestOutcome.NO_DATA and request.person_checked_at is None:
        errors["outcome"] = "Recherchez d'abord la personne dans le fichier."
    needs_reasons = outcome in (RequestOutcome.PARTIAL, RequestOutcome.REFUSED)
    try:
        comment = _text(
            comment, field="comment", label="les motifs de la réponse", required=needs_reasons
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if (
        not errors
        and request.kind == RequestKind.ACCESS
        and outcome in (RequestOutcome.GRANTED, RequestOutcome.PARTIAL)
        and not request.exports.filter(reviewed_at__isnull=False).exists()
    ):
        errors["outcome"] = "L'export des données doit être préparé et relu avant la réponse."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = _locked(request)
        request.status = RequestStatus.ANSWERED
        request.outcome = outcome
        request.answered_on = timezone.localdate()
        request.save(update_fields=["status", "outcome", "answered_on"])
        _step(
            request,
            StepKind.ANSWERED,
            by=by,
            comment=f"{RequestOutcome(outcome).label}. {comment}".strip(),
        )
    return request
