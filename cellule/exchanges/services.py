"""Writes on transmissions. Keyword-only, ``by=``, atomic, journaled on both sides.

Each transmission gets a data key of its own, wrapped by the master key: its copy is readable by
the receiving cell without the sender's person keys, and destroying that key erases the copy
(``erase_transmission``). Every write is journaled in the actor's cell and, when it crosses to
the other cell, in that cell too, so that each side's journal shows what it sent and received.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cellule.access import abilities as access_abilities
from cellule.access.journaling import Action, journal_event
from cellule.accounts.enums import CellKind, Role
from cellule.accounts.models import Cell, Membership
from cellule.exchanges import snapshot as copies
from cellule.exchanges.enums import (
    ApprovalAuthority,
    BriefingChannel,
    FeedbackOutcome,
    InformationCase,
    LegalBasis,
    TransmissionKind,
    TransmittedField,
)
from cellule.exchanges.models import (
    MESSAGE_MAX_LENGTH,
    STATE_INFORMATION_VALIDITY_DAYS,
    Approval,
    Recipient,
    Transmission,
    TransmissionKey,
)
from cellule.exchanges.reminders import (
    notify_feedback_received,
    notify_state_information,
    notify_transmission_received,
)
from cellule.people import crypto
from cellule.people.identity import NAME_MAX_LENGTH
from cellule.stats.enums import FactKind
from cellule.stats.services import age_band_of, record_fact

K = TransmissionKind


def departmental_cell_of(cell) -> Cell | None:
    """The préfecture's cell of the commune cell's département (active), if there is one."""
    return (
        Cell.objects.filter(
            kind=CellKind.DEPARTMENTAL, departement_id=cell.departement_id, is_active=True
        )
        .order_by("created_at")
        .first()
    )


def _require(obj, user, ability: str, message: str) -> None:
    if user is None or not obj.abilities(user).get(ability, False):
        raise PermissionDenied(message)


def _new(**fields) -> tuple[Transmission, object]:
    """An unsaved transmission with its fresh data key; returns (transmission, cipher)."""
    transmission = Transmission(**fields)
    data_key = crypto.new_data_key()
    # The wrapped key is bound to the transmission's id, as a person's is to the person's.
    master_key_id, wrapped = crypto.wrap_data_key(data_key, person_id=transmission.pk)
    transmission._new_key = TransmissionKey(
        transmission=transmission, wrapped_key=wrapped, master_key_id=master_key_id
    )
    return transmission, crypto.data_cipher(data_key)


def _save_new(transmission: Transmission, cipher, copy: dict | None) -> Transmission:
    transmission.seal(cipher, {"snapshot": json.dumps(copy, ensure_ascii=False) if copy else ""})
    transmission.save(force_insert=True)
    key = transmission._new_key
    key.save(force_insert=True)
    transmission.key = key
    del transmission._new_key
    if copy:
        transmission._snapshot = copy
    return transmission


def _journal_both(by, action, transmission, *, reason: str, actor_cell) -> None:
    """One event in the actor's cell, one in the other cell: each side's journal is complete."""
    other = (
        transmission.to_cell_id
        if actor_cell == transmission.from_cell_id
        else transmission.from_cell_id
    )
    journal_event(by, action, target=transmission, cell=actor_cell, reason=reason)
    journal_event(by, action, target=transmission, cell=other, reason=f"{reason} (reçu)")


def _clean_message(text: str, *, field: str, label: str, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: f"Indiquez {label}."})
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {field: f"Le texte ne doit pas dépasser {MESSAGE_MAX_LENGTH} caractères."}
        )
    return text


def _check_legal_basis(legal_basis: str, text: str) -> str:
    if legal_basis not in LegalBasis.values:
        raise ValidationError({"legal_basis": "Choisissez la base légale dans la liste."})
    text = (text or "").strip()
    if legal_basis == LegalBasis.OTHER and not text:
        raise ValidationError({"legal_basis_text": "Précisez le texte qui fonde la transmission."})
    if len(text) > 200:
        raise ValidationError({"legal_basis_text": "Le texte ne doit pas dépasser 200 caractères."})
    return text if legal_basis == LegalBasis.OTHER else ""


# --- Signalement à l'État (commune → préfecture) --------------------------------------------------


def transmit_situation(
    *,
    situation,
    fields,
    legal_basis: str,
    legal_basis_text: str = "",
    signalement=None,
    by,
) -> Transmission:
    """Sends a sealed copy of the chosen fields of a situation (and of one of its signalements,
    when the transmission comes from a qualification) to the préfecture's cell."""
    if by is None or not access_abilities.may_transmit_situation(situation, by):
        raise PermissionDenied("Vous ne pouvez pas transmettre cette situation à l'État.")
    fields = list(dict.fromkeys(fields or []))
    if not fields:
        raise ValidationError({"fields": "Choisissez au moins un élément à transmettre."})
    if any(field not in TransmittedField.values for field in fields):
        raise ValidationError({"fields": "Un élément choisi n'existe pas : rechargez la page."})
    legal_basis_text = _check_legal_basis(legal_basis, legal_basis_text)
    if signalement is not None and signalement.situation_id != situation.pk:
        raise ValidationError("Ce signalement n'appartient pas à la situation.")
    to_cell = departmental_cell_of(situation.cell)
    if to_cell is None:
        raise ValidationError(
            "Aucune cellule départementale n'est ouverte pour ce département : la préfecture "
            "doit d'abord y être habilitée."
        )
    now = timezone.now()
    with transaction.atomic():
        copy = copies.build(situation, fields, signalement=signalement)
        t, cipher = _new(
            kind=K.REPORT_TO_STATE,
            from_cell=situation.cell,
            to_cell=to_cell,
            situation=situation,
            signalement=signalement,
            fields=sorted(fields),
            legal_basis=legal_basis,
            legal_basis_text=legal_basis_text,
            confidential=True,
            created_by=by,
            created_at=now,
            sent_at=now,
            sent_by=by,
            feedback_due_on=timezone.localdate(now)
            + timedelta(days=to_cell.feedback_deadline_days),
        )
        _save_new(t, cipher, copy)
        _journal_both(
            by,
            Action.RECORD_CREATED,
            t,
            reason=f"signalement à l'État : {len(fields)} élément(s)",
            actor_cell=t.from_cell_id,
        )
        journal_event(
            by, Action.RECORD_UPDATED, target=situation, reason="transmission à la préfecture"
        )
        record_fact(
            kind=FactKind.TRANSMISSION_SENT,
            cell=situation.cell,
            commune=situation.person.commune_id,
            category=K.REPORT_TO_STATE,
            age_band=age_band_of(situation.person),
        )
        notify_transmission_received(t)
    return t


def acknowledge_transmission(*, transmission: Transmission, by) -> Transmission:
    _require(transmission, by, "acknowledge", "Vous ne pouvez pas accuser réception ici.")
    with transaction.atomic():
        t = _locked(transmission)
        if t.acknowledged_at is None:
            t.acknowledged_at = timezone.now()
            t.acknowledged_by = by
            t.save(update_fields=["acknowledged_at", "acknowledged_by"])
            _journal_both(
                by, Action.RECORD_UPDATED, t, reason="accusé de réception", actor_cell=t.to_cell_id
            )
    return t


def _locked(transmission: Transmission) -> Transmission:
    return (
        Transmission.objects.select_for_update(of=("self",))
        .select_related("from_cell", "to_cell", "key")
        .get(pk=transmission.pk)
    )


def give_feedback(*, transmission: Transmission, outcome: str, by) -> Transmission:
    """The State's retour d'information on a signalement, from the list. It carries nothing
    nominative: information on the person goes through a state_information, with its approvals.
    The first feedback stops the deadline; later ones tell the commune how things moved on."""
    _require(transmission, by, "give_feedback", "Vous ne pouvez pas répondre à ce signalement.")
    if outcome not in FeedbackOutcome.values:
        raise ValidationError({"outcome": "Choisissez le retour d'information dans la liste."})
    now = timezone.now()
    with transaction.atomic():
        original = _locked(transmission)
        feedback, cipher = _new(
            kind=K.FEEDBACK,
            from_cell=original.to_cell,
            to_cell=original.from_cell,
            reply_to=original,
            situation=original.situation,
            feedback_outcome=outcome,
            legal_basis=LegalBasis.INSTRUCTION_2018,
            created_by=by,
            created_at=now,
            sent_at=now,
            sent_by=by,
        )
        _save_new(feedback, cipher, None)
        first = original.feedback_given_at is None
        changed = []
        if first:
            original.feedback_given_at = now
            changed.append("feedback_given_at")
        if original.acknowledged_at is None:
            original.acknowledged_at, original.acknowledged_by = now, by
            changed += ["acknowledged_at", "acknowledged_by"]
        if changed:
            original.save(update_fields=changed)
        _journal_both(
            by,
            Action.RECORD_CREATED,
            feedback,
            reason=f"retour d'information : {FeedbackOutcome(outcome).label.lower()}",
            actor_cell=feedback.from_cell_id,
        )
        if first:
            record_fact(
                kind=FactKind.FEEDBACK_GIVEN,
                cell=original.from_cell,
                commune=_person_commune(original),
                category=outcome,
                duration=now - original.sent_at,
            )
        notify_feedback_received(original, feedback)
    return feedback


def _person_commune(transmission):
    situation = transmission.situation
    return situation.person.commune_id if situation is not None else None


# --- Information nominative du préfet au maire (préfecture → commune) ----------------------------


@dataclass(frozen=True)
class InformationContent:
    """What the préfet tells the mayor: the person concerned and the information itself."""

    last_name: str
    first_name: str
    text: str
    birth_date: date | None = None


def mayor_and_coordinators(cell) -> tuple[list, list]:
    """(presidents, coordinators) of a commune's cell habilitated today: the only possible
    recipients of a state_information."""
    rows = (
        Membership.objects.filter(cell=cell, role__in=[Role.PRESIDENT, Role.COORDINATOR])
        .granting()
        .select_related("user")
        .order_by("user__last_name")
    )
    presidents = [m.user for m in rows if m.role == Role.PRESIDENT]
    coordinators = [m.user for m in rows if m.role == Role.COORDINATOR]
    return presidents, coordinators


def create_state_information(
    *,
    from_cell,
    to_cell,
    case: str,
    content: InformationContent,
    include_coordinator: bool = False,
    validity_days: int = 90,
    reply_to: Transmission | None = None,
    by,
) -> Transmission:
    """A draft, blocked until the security services and the procureur have agreed (recorded with
    date and reference); its recipients are the mayor, and the coordinator if named."""
    if by is None or not access_abilities.may_write_state_information(by, from_cell):
        raise PermissionDenied("Seule la cellule de la préfecture informe le maire.")
    errors = {}
    if (
        to_cell is None
        or to_cell.kind != CellKind.MUNICIPAL
        or to_cell.departement_id != from_cell.departement_id
    ):
        errors["to_cell"] = "Choisissez une cellule communale du département."
    if case not in InformationCase.values:
        errors["case"] = "Choisissez le cas qui permet cette information dans la liste."
    if validity_days not in STATE_INFORMATION_VALIDITY_DAYS:
        errors["validity_days"] = "Choisissez la durée de validité dans la liste."
    last, first = content.last_name.strip(), content.first_name.strip()
    if not last or not first:
        errors["last_name"] = "Indiquez le nom et le prénom de la personne concernée."
    elif len(last) > NAME_MAX_LENGTH or len(first) > NAME_MAX_LENGTH:
        errors["last_name"] = f"Un nom ne doit pas dépasser {NAME_MAX_LENGTH} caractères."
    if content.birth_date and content.birth_date > timezone.localdate():
        errors["birth_date"] = "La date de naissance ne peut pas être dans le futur."
    if errors:
        raise ValidationError(errors)
    text = _clean_message(content.text, field="text", label="l'information transmise")
    if reply_to is not None and (
        reply_to.kind != K.REPORT_TO_STATE
        or reply_to.from_cell_id != to_cell.pk
        or reply_to.to_cell_id != from_cell.pk
    ):
        raise ValidationError("Ce signalement ne vient pas de cette commune.")
    presidents, coordinators = mayor_and_coordinators(to_cell)
    if not presidents:
        raise ValidationError(
            {
                "to_cell": "Le maire n'est pas habilité dans cette cellule : il ne peut rien recevoir."
            }
        )
    recipients = presidents + (coordinators if include_coordinator else [])
    copy = {
        "version": copies.VERSION,
        "person": {
            "last_name": last,
            "first_name": first,
            "birth_date": content.birth_date.isoformat() if content.birth_date else None,
        },
        "text": text,
    }
    with transaction.atomic():
        t, cipher = _new(
            kind=K.STATE_INFORMATION,
            from_cell=from_cell,
            to_cell=to_cell,
            reply_to=reply_to,
            information_case=case,
            legal_basis=LegalBasis.INSTRUCTION_2018,
            confidential=True,
            not_exportable=True,
            validity_days=validity_days,
            created_by=by,
        )
        _save_new(t, cipher, copy)
        Recipient.objects.bulk_create(Recipient(transmission=t, user=user) for user in recipients)
        journal_event(
            by,
            Action.RECORD_CREATED,
            target=t,
            cell=from_cell.pk,
            reason="information nominative au maire (en attente des accords)",
        )
    return t


def record_approval(
    *, transmission: Transmission, authority: str, given_on: date, reference: str, by
) -> Approval:
    _require(transmission, by, "record_approval", "Vous ne pouvez pas enregistrer cet accord.")
    errors = {}
    if authority not in ApprovalAuthority.values:
        errors["authority"] = "Choisissez l'autorité dans la liste."
    if given_on is None or given_on > timezone.localdate():
        errors["given_on"] = "Indiquez la date de l'accord, passée ou du jour."
    reference = (reference or "").strip()
    if not reference:
        errors["reference"] = "Indiquez la référence de l'accord."
    elif len(reference) > 100:
        errors["reference"] = "La référence ne doit pas dépasser 100 caractères."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        t = _locked(transmission)
        if t.sent_at is not None:
            raise ValidationError("L'information est déjà envoyée.")
        if t.approvals.filter(authority=authority).exists():
            raise ValidationError("Cet accord est déjà enregistré.")
        approval = Approval.objects.create(
            transmission=t,
            authority=authority,
            given_on=given_on,
            reference=reference,
            recorded_by=by,
        )
        journal_event(
            by,
            Action.RECORD_UPDATED,
            target=t,
            cell=t.from_cell_id,
            reason=f"accord préalable : {ApprovalAuthority(authority).label}",
        )
    transmission.__dict__.pop("_approvals", None)
    return approval


def send_state_information(*, transmission: Transmission, by) -> Transmission:
    """Sends an approved state_information to its named recipients; it expires after its
    validity (its key is then destroyed)."""
    _require(transmission, by, "record_approval", "Vous ne pouvez pas envoyer cette information.")
    now = timezone.now()
    with transaction.atomic():
        t = _locked(transmission)
        if t.sent_at is not None:
            raise ValidationError("L'information est déjà envoyée.")
        missing = [
            ApprovalAuthority(a).label
            for a in ApprovalAuthority.values
            if not t.approvals.filter(authority=a).exists()
        ]
        if missing:
            raise ValidationError(
                "L'information ne peut partir qu'après les accords préalables ; il manque : "
                + ", ".join(m.lower() for m in missing)
                + "."
            )
        t.sent_at, t.sent_by = now, by
        t.expires_at = now + timedelta(days=t.validity_days or 90)
        t.save(update_fields=["sent_at", "sent_by", "expires_at"])
        _journal_both(
            by,
            Action.RECORD_CREATED,
            t,
            reason="information nominative au maire envoyée",
            actor_cell=t.from_cell_id,
        )
        record_fact(
            kind=FactKind.TRANSMISSION_SENT,
            cell=t.from_cell,
            commune=_single_commune(t.to_cell),
            category=K.STATE_INFORMATION,
        )
        notify_state_information(t)
    return t


def _single_commune(cell):
    codes = list(cell.communes.values_list("code", flat=True)[:2])
    return codes[0] if len(codes) == 1 else None


def mark_read(*, transmission: Transmission, by) -> None:
    """The read receipt of a named recipient: the first reading is kept."""
    Recipient.objects.filter(transmission=transmission, user=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def erase_transmission(*, transmission: Transmission, reason: str, by=None) -> Transmission:
    """Destroys the transmission's data key: its copy is unreadable for good, wherever it
    survives. The row stays (who sent what kind, when, to whom) as the trace of the exchange."""
    with transaction.atomic():
        key = TransmissionKey.objects.select_for_update().get(transmission_id=transmission.pk)
        if key.wrapped_key is not None:
            key.wrapped_key = None
            key.destroyed_at = timezone.now()
            key.save(update_fields=["wrapped_key", "destroyed_at"])
            for cell in {transmission.from_cell_id, transmission.to_cell_id}:
                journal_event(
                    by, Action.RECORD_ERASED, target=transmission, cell=cell, reason=reason
                )
    transmission.key = key
    transmission.__dict__.pop("_snapshot", None)
    return transmission


def erase_expired_state_information(*, now=None) -> int:
    """Erases the content of every state_information past its validity. Idempotent."""
    now = now or timezone.now()
    expired = Transmission.objects.expired(now=now).filter(key__wrapped_key__isnull=False)
    count = 0
    for t in expired.select_related("key"):
        erase_transmission(transmission=t, reason="information expirée")
        count += 1
    return count


# --- Information générale sur la menace -----------------------------------------------------------


def request_briefing(*, cell, by) -> Transmission:
    """The mayor's cell asks the préfecture for the general briefing on the threat."""
    if by is None or not access_abilities.may_request_briefing(by, cell):
        raise PermissionDenied("Seuls le maire et le coordonnateur demandent cette information.")
    to_cell = departmental_cell_of(cell)
    if to_cell is None:
        raise ValidationError("Aucune cellule départementale n'est ouverte pour ce département.")
    if Transmission.objects.filter(
        kind=K.GENERAL_BRIEFING, from_cell=cell, briefing_held_on__isnull=True
    ).exists():
        raise ValidationError("Une demande d'information générale est déjà en attente.")
    now = timezone.now()
    with transaction.atomic():
        t, cipher = _new(
            kind=K.GENERAL_BRIEFING,
            from_cell=cell,
            to_cell=to_cell,
            legal_basis=LegalBasis.INSTRUCTION_2018,
            created_by=by,
            created_at=now,
            sent_at=now,
            sent_by=by,
        )
        _save_new(t, cipher, None)
        _journal_both(
            by,
            Action.RECORD_CREATED,
            t,
            reason="demande d'information générale sur la menace",
            actor_cell=cell.pk,
        )
        record_fact(kind=FactKind.TRANSMISSION_SENT, cell=cell, category=K.GENERAL_BRIEFING)
        notify_transmission_received(t)
    return t


def record_briefing_held(*, transmission: Transmission, held_on: date, channel: str, by):
    """The préfecture records that the briefing was given: when and in which setting, and
    nothing of what was said."""
    _require(transmission, by, "record_briefing", "Vous ne pouvez pas enregistrer cette réunion.")
    errors = {}
    if held_on is None or held_on > timezone.localdate():
        errors["held_on"] = "Indiquez la date de la réunion, passée ou du jour."
    elif held_on < timezone.localdate(transmission.created_at) - timedelta(days=31):
        errors["held_on"] = "La réunion ne peut pas précéder la demande de plus d'un mois."
    if channel not in BriefingChannel.values:
        errors["channel"] = "Choisissez le cadre de la réunion dans la liste."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        t = _locked(transmission)
        if t.briefing_held_on is not None:
            raise ValidationError("Cette information générale est déjà enregistrée.")
        t.briefing_held_on, t.briefing_channel, t.briefing_recorded_by = held_on, channel, by
        t.acknowledged_at = t.acknowledged_at or timezone.now()
        t.save(
            update_fields=[
                "briefing_held_on",
                "briefing_channel",
                "briefing_recorded_by",
                "acknowledged_at",
            ]
        )
        _journal_both(
            by,
            Action.RECORD_UPDATED,
            t,
            reason="information générale tenue",
            actor_cell=t.to_cell_id,
        )
    return t
