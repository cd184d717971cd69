"""Writes on séances: planning, convocation, agenda, the room, the relevé. Keyword-only, ``by=``,
atomic, journaled.

A decision writes back to its situation through the services of ``cellule.cases`` (review date,
measure, référent, closure), inside one transaction per item: if any step is refused, nothing of
the decision is kept and the form says why.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cellule.access.abilities import may_plan_seance
from cellule.access.journaling import Action, journal_event
from cellule.access.roles import SITTING
from cellule.accounts.enums import Role
from cellule.accounts.models import Membership
from cellule.cases import services as case_services
from cellule.cases.enums import ClosureReason, MeasureKind
from cellule.cases.models import Situation
from cellule.meetings.enums import (
    Attendance,
    AttendeeKind,
    DecisionKind,
    ItemOrigin,
    SeanceFormat,
    SeanceStatus,
)
from cellule.meetings.models import (
    DECISION_TEXT_MAX_LENGTH,
    AgendaItem,
    Attendee,
    Decision,
    Seance,
)
from cellule.reports.enums import SignalementStatus
from cellule.reports.models import Signalement
from cellule.stats.enums import FactKind
from cellule.stats.services import record_fact

PLACE_MAX_LENGTH = 200


def _require(obj, user, ability: str, message: str) -> None:
    if user is None or not obj.abilities(user).get(ability, False):
        raise PermissionDenied(message)


def _locked(seance: Seance) -> Seance:
    return Seance.objects.select_for_update(of=("self",)).select_related("cell").get(pk=seance.pk)


def sitting_memberships(cell):
    """Who may be convened as a member: the cell's sitting roles, habilitated today."""
    return (
        Membership.objects.filter(cell=cell, role__in=SITTING)
        .granting()
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def guest_memberships(cell):
    return (
        Membership.objects.filter(cell=cell, role=Role.GUEST)
        .granting()
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def _check_schedule(*, starts_at: datetime, ends_at: datetime, place: str, format: str) -> str:
    errors = {}
    if starts_at is None:
        errors["starts_at"] = "Indiquez la date et l'heure de la séance."
    elif starts_at <= timezone.now():
        errors["starts_at"] = "La séance doit avoir lieu dans le futur."
    if ends_at is None:
        errors["ends_at"] = "Indiquez l'heure de fin prévue."
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "La fin doit suivre le début."
    place = (place or "").strip()
    if not place:
        errors["place"] = "Indiquez le lieu de la séance."
    elif len(place) > PLACE_MAX_LENGTH:
        errors["place"] = f"Le lieu ne doit pas dépasser {PLACE_MAX_LENGTH} caractères."
    if format not in SeanceFormat.values:
        errors["format"] = "Choisissez le format de la séance."
    if errors:
        raise ValidationError(errors)
    return place


def _check_members(cell, members) -> list:
    allowed = {m.user_id for m in sitting_memberships(cell)}
    members = list({user.pk: user for user in members}.values())
    if not members:
        raise ValidationError({"members": "Convoquez au moins un membre de la cellule."})
    if any(user.pk not in allowed for user in members):
        raise ValidationError(
            {"members": "Seuls les membres habilités qui siègent dans la cellule sont convoqués."}
        )
    return members


# --- Planning and convocation -------------------------------------------------------------------


def plan_seance(*, cell, starts_at, ends_at, place, format, members, by) -> Seance:
    """A new séance, its convened members, and the agenda proposed from the situations due for
    review and the reports put on the agenda. Nobody is notified before ``convene_seance``."""
    if by is None or not may_plan_seance(by, cell):
        raise PermissionDenied("Seul le coordonnateur planifie les séances.")
    place = _check_schedule(starts_at=starts_at, ends_at=ends_at, place=place, format=format)
    members = _check_members(cell, members)
    with transaction.atomic():
        seance = Seance.objects.create(
            cell=cell,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            format=format,
            created_by=by,
        )
        Attendee.objects.bulk_create(
            Attendee(seance=seance, user=user, kind=AttendeeKind.MEMBER) for user in members
        )
        journal_event(by, Action.RECORD_CREATED, target=seance)
        _propose(seance, by=by)
    return seance


def update_seance(*, seance: Seance, starts_at, ends_at, place, format, members, by) -> Seance:
    """Changes the date, place, format or convened members. Once convened, the new members are
    convened at once, and everyone hears of a new date."""
    _require(seance, by, "edit", "Vous ne pouvez pas modifier cette séance.")
    place = _check_schedule(starts_at=starts_at, ends_at=ends_at, place=place, format=format)
    members = _check_members(seance.cell, members)
    with transaction.atomic():
        seance = _locked(seance)
        moved = seance.starts_at != starts_at
        seance.starts_at, seance.ends_at, seance.place, seance.format = (
            starts_at,
            ends_at,
            place,
            format,
        )
        seance.save(update_fields=["starts_at", "ends_at", "place", "format"])
        wanted = {user.pk for user in members}
        current = set(
            seance.attendees.filter(kind=AttendeeKind.MEMBER).values_list("user_id", flat=True)
        )
        seance.attendees.filter(kind=AttendeeKind.MEMBER).exclude(user_id__in=wanted).delete()
        Attendee.objects.bulk_create(
            Attendee(seance=seance, user=user, kind=AttendeeKind.MEMBER)
            for user in members
            if user.pk not in current
        )
        journal_event(by, Action.RECORD_UPDATED, target=seance, reason="date, lieu ou convoqués")
        if seance.convened_at is not None:
            _convene_pending(seance)
            if moved:
                _notify_convened(seance, seance.attendees.all(), key_suffix=starts_at.isoformat())
    return seance


def _notify_convened(seance, attendees, *, key_suffix: str = "") -> None:
    from cellule.alerts.services import notify

    notify(
        kind="seance_convened",
        recipients=[attendee.user for attendee in attendees],
        key=f"{seance.pk}:{key_suffix}" if key_suffix else str(seance.pk),
        cell=seance.cell_id,
        target=seance,
    )


def _convene_pending(seance) -> list:
    pending = list(seance.attendees.filter(convened_at__isnull=True).select_related("user"))
    now = timezone.now()
    Attendee.objects.filter(pk__in=[a.pk for a in pending]).update(convened_at=now)
    seance.forget_attendees()
    _notify_convened(seance, pending)
    return pending


def convene_seance(*, seance: Seance, by) -> Seance:
    """Sends the convocation to every member and guest not convened yet (a notification with no
    personal data: the séance's page says the rest)."""
    _require(seance, by, "convene", "Vous ne pouvez pas convoquer cette séance.")
    with transaction.atomic():
        seance = _locked(seance)
        if not seance.attendees.filter(kind=AttendeeKind.MEMBER).exists():
            raise ValidationError("Convoquez au moins un membre de la cellule.")
        if seance.convened_at is None:
            seance.convened_at = timezone.now()
            seance.save(update_fields=["convened_at"])
        convened = _convene_pending(seance)
        journal_event(
            by,
            Action.RECORD_UPDATED,
            target=seance,
            reason=f"convocation ({len(convened)} personne(s))",
        )
    return seance


def invite_guest(*, seance: Seance, user, items, by) -> Attendee | None:
    """Invites a guest of the cell for some items only (none: the invitation is withdrawn)."""
    _require(seance, by, "edit", "Vous ne pouvez pas modifier cette séance.")
    guests = {m.user_id for m in guest_memberships(seance.cell)}
    if user is None or user.pk not in guests:
        raise ValidationError({"guest": "Choisissez une personne habilitée comme invitée."})
    items = list(items)
    if any(item.seance_id != seance.pk for item in items):
        raise ValidationError({"items": "Ces points ne sont pas à l'ordre du jour de la séance."})
    with transaction.atomic():
        seance = _locked(seance)
        attendee = seance.attendees.filter(user=user).first()
        if attendee is not None and attendee.kind != AttendeeKind.GUEST:
            raise ValidationError({"guest": "Cette personne est déjà convoquée comme membre."})
        if not items:
            if attendee is not None:
                attendee.delete()
            journal_event(by, Action.RECORD_UPDATED, target=seance, reason="invitation retirée")
            return None
        if attendee is None:
            attendee = Attendee.objects.create(seance=seance, user=user, kind=AttendeeKind.GUEST)
        attendee.items.set(items)
        journal_event(by, Action.RECORD_UPDATED, target=seance, reason="invité")
        if seance.convened_at is not None:
            _convene_pending(seance)
    return attendee


# --- Agenda -------------------------------------------------------------------------------------


def _next_position(seance) -> int:
    return (seance.items.aggregate(top=Max("position"))["top"] or 0) + 1


def _on_other_planned_agenda(seance):
    return AgendaItem.objects.filter(
        seance__cell_id=seance.cell_id, seance__status=SeanceStatus.PLANNED
    ).exclude(seance=seance)


def agenda_proposal(seance) -> tuple[list, list]:
    """What the agenda should hold and does not yet: (reports put on the agenda and never
    examined, situations due for review by the séance's day). Neither is decided by a machine:
    the coordinator edits the result."""
    day = timezone.localtime(seance.starts_at).date()
    on_agenda = set(seance.items.exclude(situation=None).values_list("situation_id", flat=True))
    elsewhere = set(
        _on_other_planned_agenda(seance)
        .exclude(situation=None)
        .values_list("situation_id", flat=True)
    )
    reports = list(
        Signalement.objects.filter(
            cell_id=seance.cell_id,
            status=SignalementStatus.QUALIFIED,
            outcome_agenda=True,
            agenda_items__isnull=True,
        )
        .exclude(situation__status__in=["closed", "archived"])
        .order_by("qualified_at", "pk")
    )
    reports = [r for r in reports if r.situation_id not in elsewhere]
    reported = {r.situation_id for r in reports if r.situation_id}
    reviews = [
        situation
        for situation in Situation.objects.filter(cell_id=seance.cell_id)
        .to_review()
        .filter(next_review_on__lte=day)
        if situation.pk not in on_agenda
        and situation.pk not in elsewhere
        and situation.pk not in reported
    ]
    return reports, reviews


def _propose(seance, *, by) -> list:
    reports, reviews = agenda_proposal(seance)
    position = _next_position(seance)
    added = []
    for report in reports:
        existing = (
            seance.items.filter(situation_id=report.situation_id).first()
            if report.situation_id
            else None
        )
        if existing is not None:
            if existing.signalement_id is None:
                existing.signalement = report
                existing.save(update_fields=["signalement"])
            continue
        added.append(
            AgendaItem(
                seance=seance,
                situation_id=report.situation_id,
                signalement=report,
                origin=ItemOrigin.REPORT,
                position=position,
                added_by=by,
            )
        )
        position += 1
    for situation in reviews:
        added.append(
            AgendaItem(
                seance=seance,
                situation=situation,
                origin=ItemOrigin.REVIEW,
                position=position,
                added_by=by,
            )
        )
        position += 1
    AgendaItem.objects.bulk_create(added)
    return added


def _agenda_changed(seance, *, by, reason: str) -> None:
    """Journals the change and tells the convened members (at most one notice a day each)."""
    from cellule.alerts.services import notify

    journal_event(by, Action.RECORD_UPDATED, target=seance, reason=reason)
    if seance.convened_at is None:
        return
    members = [
        attendee.user
        for attendee in seance.attendees.filter(
            kind=AttendeeKind.MEMBER, convened_at__isnull=False
        ).select_related("user")
        if attendee.user_id != by.pk
    ]
    notify(
        kind="seance_agenda_changed",
        recipients=members,
        key=f"{seance.pk}:{timezone.localdate().isoformat()}",
        cell=seance.cell_id,
        target=seance,
    )


def propose_agenda(*, seance: Seance, by) -> list:
    """Adds what became due since the séance was planned (the coordinator's « actualiser »)."""
    _require(seance, by, "edit", "Vous ne pouvez pas modifier l'ordre du jour.")
    with transaction.atomic():
        seance = _locked(seance)
        added = _propose(seance, by=by)
        if added:
            _agenda_changed(
                seance, by=by, reason=f"ordre du jour : {len(added)} point(s) proposé(s)"
            )
    return added


def add_agenda_item(*, seance: Seance, situation: Situation, by) -> AgendaItem:
    _require(seance, by, "edit", "Vous ne pouvez pas modifier l'ordre du jour.")
    if situation is None or situation.cell_id != seance.cell_id or not situation.is_open:
        raise ValidationError({"situation": "Choisissez une situation ouverte de la cellule."})
    with transaction.atomic():
        seance = _locked(seance)
        if seance.items.filter(situation=situation).exists():
            raise ValidationError({"situation": "Cette situation est déjà à l'ordre du jour."})
        item = AgendaItem.objects.create(
            seance=seance,
            situation=situation,
            origin=ItemOrigin.ADDED,
            position=_next_position(seance),
            added_by=by,
        )
        _agenda_changed(seance, by=by, reason="ordre du jour : point ajouté")
    return item


def _renumber(seance) -> None:
    for position, item in enumerate(seance.items.order_by("position", "added_at"), start=1):
        if item.position != position:
            AgendaItem.objects.filter(pk=item.pk).update(position=position)


def remove_agenda_item(*, item: AgendaItem, by) -> None:
    _require(item, by, "edit", "Ce point ne peut plus être retiré.")
    with transaction.atomic():
        seance = _locked(item.seance)
        AgendaItem.objects.filter(pk=item.pk).delete()
        _renumber(seance)
        _agenda_changed(seance, by=by, reason="ordre du jour : point retiré")


def move_agenda_item(*, item: AgendaItem, offset: int, by) -> None:
    """Moves an item one place up (-1) or down (+1)."""
    _require(item.seance, by, "edit", "Vous ne pouvez pas modifier l'ordre du jour.")
    if offset not in (-1, 1):
        raise ValidationError("Un point se déplace d'un rang à la fois.")
    with transaction.atomic():
        seance = _locked(item.seance)
        _renumber(seance)
        items = list(seance.items.order_by("position"))
        index = next(n for n, other in enumerate(items) if other.pk == item.pk)
        target = index + offset
        if not 0 <= target < len(items):
            return
        items[index], items[target] = items[target], items[index]
        for position, other in enumerate(items, start=1):
            AgendaItem.objects.filter(pk=other.pk).update(position=position)
        _agenda_changed(seance, by=by, reason="ordre du jour : ordre modifié")


# --- In the room --------------------------------------------------------------------------------


def record_attendance(*, attendee: Attendee, attendance: str, by) -> Attendee:
    _require(attendee, by, "record_attendance", "Vous ne tenez pas la feuille de présence.")
    if attendance not in Attendance.values or attendance == Attendance.UNKNOWN:
        raise ValidationError({"attendance": "Choisissez : présent, excusé ou absent."})
    with transaction.atomic():
        Attendee.objects.filter(pk=attendee.pk).update(attendance=attendance)
        attendee.attendance = attendance
        attendee.seance.forget_attendees()
        journal_event(
            by,
            Action.RECORD_UPDATED,
            target=attendee.seance,
            reason=f"présence : {Attendance(attendance).label.lower()}",
        )
    return attendee


def acknowledge_confidentiality(*, attendee: Attendee, by) -> Attendee:
    """The attendee's commitment to keep this séance's exchanges confidential: given by
    themselves, or recorded by the coordinator in the room."""
    _require(attendee, by, "acknowledge", "Cet engagement ne peut pas être enregistré.")
    with transaction.atomic():
        now = timezone.now()
        updated = Attendee.objects.filter(pk=attendee.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=by
        )
        if updated:
            attendee.acknowledged_at, attendee.acknowledged_by = now, by
            attendee.seance.forget_attendees()
            journal_event(
                by,
                Action.RECORD_UPDATED,
                target=attendee.seance,
                reason="engagement de confidentialité",
            )
    return attendee


@dataclass(frozen=True)
class DecisionDetails:
    """What a decision needs beyond its kind and text, by kind."""

    next_review_on: date | None = None
    measure_kind: str = ""
    provider: object = None
    measure_referent: object = None
    referent: object = None
    closure_reason: str = ""
    text_reviews: list = field(default_factory=list)


def _clean_decision(item, *, kind, text, taken_by, details) -> tuple[str, list]:
    errors = {}
    if kind not in DecisionKind.values:
        errors["kind"] = "Choisissez la décision dans la liste."
    text = (text or "").strip()
    if not text:
        errors["text"] = "Indiquez le texte de la décision."
    elif len(text) > DECISION_TEXT_MAX_LENGTH:
        errors["text"] = f"Le texte ne doit pas dépasser {DECISION_TEXT_MAX_LENGTH} caractères."
    sitting = {
        attendee.user_id: attendee
        for attendee in item.seance.attendees.filter(kind=AttendeeKind.MEMBER)
    }
    taken_by = list({user.pk: user for user in taken_by}.values())
    if not taken_by:
        errors["taken_by"] = "Indiquez les membres qui ont pris la décision."
    elif any(
        user.pk not in sitting
        or sitting[user.pk].attendance in (Attendance.ABSENT, Attendance.EXCUSED)
        for user in taken_by
    ):
        errors["taken_by"] = "Seuls les membres convoqués et présents prennent les décisions."
    if details.next_review_on is not None and details.next_review_on <= timezone.localdate():
        errors["next_review_on"] = "La prochaine revue doit être dans le futur."
    if kind == DecisionKind.PROPOSE_MEASURE:
        if details.measure_kind not in MeasureKind.values:
            errors["measure_kind"] = "Choisissez la nature de la mesure."
        if details.provider is None:
            errors["provider"] = "Indiquez l'organisme qui porte la mesure."
    if kind == DecisionKind.ASSIGN_REFERENT and details.referent is None:
        errors["referent"] = "Désignez le référent de parcours."
    if kind == DecisionKind.CLOSE and details.closure_reason not in ClosureReason.values:
        errors["reason"] = "Choisissez un motif de clôture dans la liste."
    if errors:
        raise ValidationError(errors)
    return text, taken_by


def _write_back(situation, *, kind, text, details, by, label):
    """Applies the decision to the situation through the cases services. Returns the measure
    proposed (or None) and the next review date set (or None)."""
    # The review says that the séance decided; the decision's text stays with the decision,
    # readable by those who sat (timeline.py), not copied to every reader of the situation.
    changes = f"{label}."
    measure = None
    if kind == DecisionKind.CLOSE:
        case_services.close_situation(
            situation=situation,
            reason=details.closure_reason,
            text=text,
            reviews=details.text_reviews,
            by=by,
        )
        return None, None
    if kind == DecisionKind.PROPOSE_MEASURE:
        measure = case_services.propose_measure(
            situation=situation,
            kind=details.measure_kind,
            provider=details.provider,
            referent=details.measure_referent,
            by=by,
        )
    if kind == DecisionKind.ASSIGN_REFERENT:
        situation = case_services.assign_referent(
            situation=situation, referent=details.referent, by=by
        )
    review = case_services.record_review(
        situation=situation, changes=changes, next_review_on=details.next_review_on, by=by
    )
    return measure, review.next_review_on


def record_decision(
    *, item: AgendaItem, kind: str, text: str, taken_by, details: DecisionDetails, by
) -> Decision:
    """One decision on one item, written back to its situation in the same transaction: a review
    (next review date), a measure proposed, a référent designated, or the closure. An item that is
    only a report (no situation yet) opens its person's situation first, as a qualification
    « à l'ordre du jour » does; « ajourner » changes nothing on the situation (it stays due, and
    the next proposal brings it back)."""
    _require(item, by, "decide", "Vous ne pouvez pas enregistrer de décision sur ce point.")
    text, taken_by = _clean_decision(item, kind=kind, text=text, taken_by=taken_by, details=details)
    seance = item.seance
    label = (
        f"Examinée en séance du {timezone.localtime(seance.starts_at):%d/%m/%Y} : "
        f"{DecisionKind(kind).label.lower()}"
    )
    try:
        with transaction.atomic():
            item = (
                AgendaItem.objects.select_for_update(of=("self",))
                .select_related("situation__person__key", "signalement__person__key")
                .get(pk=item.pk)
            )
            if Decision.objects.filter(item=item).exists():
                raise ValidationError("Une décision a déjà été enregistrée sur ce point.")
            situation = item.situation
            if situation is None and kind != DecisionKind.ADJOURN:
                situation = case_services.open_situation_for_report(
                    signalement=item.signalement, by=by
                )
                item.situation = situation
                item.save(update_fields=["situation"])
            measure = next_review_on = None
            if kind != DecisionKind.ADJOURN:
                measure, next_review_on = _write_back(
                    situation, kind=kind, text=text, details=details, by=by, label=label
                )
            decision = Decision(
                item=item,
                kind=kind,
                recorded_by=by,
                next_review_on=next_review_on,
                measure=measure,
                referent=details.referent if kind == DecisionKind.ASSIGN_REFERENT else None,
            )
            decision.seal(item.person.cipher(), {"text": text})
            decision.save(force_insert=True)
            decision.taken_by.set(taken_by)
            journal_event(
                by,
                Action.RECORD_CREATED,
                target=decision,
                reason=f"décision de séance : {DecisionKind(kind).label.lower()}",
            )
    except PermissionDenied as refused:
        raise ValidationError(
            "La situation ne peut plus recevoir cette décision (elle est close, archivée, ou "
            "vous n'en avez plus la charge). Choisissez « Ajourner »."
        ) from refused
    return decision


def close_seance(*, seance: Seance, by) -> Seance:
    """The séance is over: every item has its decision and every attendance is recorded."""
    _require(seance, by, "close", "Vous ne pouvez pas clore cette séance.")
    with transaction.atomic():
        seance = _locked(seance)
        errors = []
        undecided = seance.items.filter(decision__isnull=True).count()
        if undecided:
            errors.append(
                f"{undecided} point(s) sans décision : ajournez ceux qui n'ont pas été examinés."
            )
        if seance.attendees.filter(attendance=Attendance.UNKNOWN).exists():
            errors.append("Renseignez la présence de chaque personne convoquée.")
        if errors:
            raise ValidationError(errors)
        seance.status = SeanceStatus.HELD
        seance.held_at = timezone.now()
        seance.held_by = by
        seance.save(update_fields=["status", "held_at", "held_by"])
        journal_event(by, Action.RECORD_UPDATED, target=seance, reason="séance close")
        record_fact(
            kind=FactKind.SEANCE_HELD,
            cell=seance.cell,
            category=seance.format,
            when=seance.starts_at,
        )
    return seance


def validate_minutes(*, seance: Seance, by) -> Seance:
    """The president validates the relevé de décisions; the members who were present, the
    president and the coordinator are told it is available (no content in the notice)."""
    from cellule.access.roles import CELL_WIDE
    from cellule.alerts.services import notify

    _require(seance, by, "validate_minutes", "Seul le président valide le relevé de décisions.")
    with transaction.atomic():
        seance = _locked(seance)
        if seance.status != SeanceStatus.HELD:
            raise ValidationError("Le relevé de cette séance a déjà été validé.")
        seance.status = SeanceStatus.MINUTES_VALIDATED
        seance.minutes_validated_at = timezone.now()
        seance.minutes_validated_by = by
        seance.save(update_fields=["status", "minutes_validated_at", "minutes_validated_by"])
        journal_event(by, Action.RECORD_UPDATED, target=seance, reason="relevé de décisions validé")
        present = [
            attendee.user
            for attendee in seance.attendees.filter(
                kind=AttendeeKind.MEMBER, attendance=Attendance.PRESENT
            ).select_related("user")
        ]
        managers = [
            m.user
            for m in Membership.objects.filter(cell=seance.cell, role__in=CELL_WIDE)
            .granting()
            .select_related("user")
        ]
        notify(
            kind="seance_minutes_available",
            recipients=[*present, *managers],
            key=str(seance.pk),
            cell=seance.cell_id,
            target=seance,
        )
    return seance
