"""Writes on situations, measures, reviews and notes. Keyword-only, ``by=``, atomic, journaled.

Each write checks the actor's abilities, validates everything before touching the database, and
records its journal event inside the transaction: nothing is half-done, nothing unjournaled.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cellule.access.journaling import Action, journal_event
from cellule.access.roles import SITTING, roles_by_cell
from cellule.cases.enums import (
    ClosureReason,
    EventKind,
    MeasureKind,
    MeasureStatus,
    SituationStatus,
    TextDecision,
)
from cellule.cases.models import (
    MEASURE_TRANSITIONS,
    NOTE_MAX_LENGTH,
    REVIEW_INTERVAL_DAYS,
    SHORT_TEXT_MAX_LENGTH,
    TRANSITIONS,
    Measure,
    Note,
    Review,
    Situation,
    SituationEvent,
)
from cellule.cases.reminders import notify_measure_proposed, notify_situation_opened
from cellule.stats.enums import FactKind
from cellule.stats.services import age_band_of, record_fact

S = SituationStatus


def _require(obj, user, ability: str, message: str) -> None:
    if user is None or not obj.abilities(user).get(ability, False):
        raise PermissionDenied(message)


def _clean_text(text: str, *, field: str, required: bool, label: str) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: f"Indiquez {label}."})
    if len(text) > SHORT_TEXT_MAX_LENGTH:
        raise ValidationError(
            {field: f"Le texte ne doit pas dépasser {SHORT_TEXT_MAX_LENGTH} caractères."}
        )
    return text


def check_transition(current: str, target: str) -> None:
    """Raises a French ValidationError unless the state machine allows current → target."""
    current, target = S(current), S(target)
    if target not in TRANSITIONS[current]:
        raise ValidationError(
            f"Une situation « {current.label.lower()} » ne peut pas passer à l'état "
            f"« {target.label.lower()} »."
        )


def _locked(situation: Situation) -> Situation:
    return (
        Situation.objects.select_for_update(of=("self",))
        .select_related("person__key", "cell")
        .get(pk=situation.pk)
    )


def _event(situation, *, kind, by, reason="", from_status="", to_status="", at=None):
    event = SituationEvent(
        situation=situation,
        kind=kind,
        by=by,
        from_status=from_status,
        to_status=to_status,
        at=at or timezone.now(),
    )
    event.seal(situation.person.cipher(), {"reason": reason})
    event.save(force_insert=True)
    return event


def _move(situation: Situation, target: str, *, by, reason: str, now=None) -> None:
    """Applies one transition of the locked situation and records it (who, when, why)."""
    check_transition(situation.status, target)
    previous = situation.status
    situation.status = target
    _event(
        situation,
        kind=EventKind.TRANSITION,
        by=by,
        reason=reason,
        from_status=previous,
        to_status=target,
        at=now,
    )


# --- Opening ------------------------------------------------------------------------------------


def open_situation_for_report(*, signalement, by) -> Situation:
    """Called by the qualification (agenda / transmitted): the report opens a situation for its
    person, or joins the person's open situation. Runs inside the qualification's transaction."""
    with transaction.atomic():
        person = signalement.person
        situation = (
            Situation.objects.select_for_update(of=("self",))
            .filter(person=person)
            .open()
            .select_related("person__key")
            .first()
        )
        if situation is None:
            situation = Situation(
                cell_id=signalement.cell_id,
                person=person,
                opened_by=by,
                next_review_on=default_next_review(signalement.cell_id),
            )
            situation.seal(person.cipher(), {"closure_text": ""})
            situation.save(force_insert=True)
            _event(
                situation,
                kind=EventKind.OPENED,
                by=by,
                to_status=S.ASSESSMENT,
                reason="qualification d'un signalement",
            )
            journal_event(by, Action.RECORD_CREATED, target=situation)
            notify_situation_opened(situation)
            record_fact(
                kind=FactKind.SITUATION_OPENED,
                cell=situation.cell,
                commune=person.commune_id,
                category="report",
                age_band=age_band_of(person),
            )
        else:
            _event(
                situation,
                kind=EventKind.REPORT_ATTACHED,
                by=by,
                reason="qualification d'un nouveau signalement",
            )
            journal_event(
                by, Action.RECORD_UPDATED, target=situation, reason="signalement rattaché"
            )
        signalement.situation = situation
        signalement.save(update_fields=["situation"])
    return situation


# --- State machine ------------------------------------------------------------------------------


def transition_situation(*, situation: Situation, to: str, reason: str, by) -> Situation:
    """Assessment → support or watch, support ↔ watch. Closure and archive have their own
    services (a reason from the list; the archive delay)."""
    _require(situation, by, "transition", "Vous ne pouvez pas changer l'état de cette situation.")
    if to in (S.CLOSED, S.ARCHIVED):
        raise ValidationError(
            "La clôture se fait avec un motif (formulaire de clôture) ; l'archivage est automatique."
        )
    reason = _clean_text(reason, field="reason", required=True, label="le motif du changement")
    with transaction.atomic():
        situation = _locked(situation)
        _move(situation, to, by=by, reason=reason)
        situation.save(update_fields=["status"])
        journal_event(
            by,
            Action.RECORD_UPDATED,
            target=situation,
            reason=f"état : {S(situation.status).label.lower()}",
        )
    return situation


def assign_referent(*, situation: Situation, referent, by) -> Situation:
    _require(situation, by, "assign_referent", "Vous ne pouvez pas désigner le référent.")
    if referent is not None and roles_by_cell(referent).get(situation.cell_id) not in SITTING:
        raise ValidationError(
            {"referent": "Le référent doit être habilité dans la cellule et y siéger."}
        )
    with transaction.atomic():
        situation = _locked(situation)
        situation.referent = referent
        situation.save(update_fields=["referent"])
        _event(
            situation,
            kind=EventKind.REFERENT,
            by=by,
            reason=referent.get_full_name() if referent else "aucun",
        )
        journal_event(by, Action.RECORD_UPDATED, target=situation, reason="référent de parcours")
    return situation


# --- Closure and archive ------------------------------------------------------------------------


@dataclass(frozen=True)
class TextReview:
    """The coordinator's decision, at closure, on one free text: keep, shorten (with the new
    shorter text) or delete. ``key`` is "<kind>:<pk>" as listed by ``free_texts``."""

    key: str
    decision: str
    shortened: str = ""


def free_texts(situation: Situation) -> list[dict]:
    """Every free text of the situation, decrypted, for the review at closure."""
    cipher = situation.person.cipher()
    texts = []
    for note in situation.notes.select_related("author"):
        texts.append(
            {
                "key": f"note:{note.pk}",
                "label": f"Note du {note.created_at:%d/%m/%Y} ({note.author.get_full_name()})",
                "text": note.unseal(cipher)["text"],
                "object": note,
                "field": "text",
            }
        )
    for review in situation.reviews.all():
        texts.append(
            {
                "key": f"review:{review.pk}",
                "label": f"Revue du {review.reviewed_on:%d/%m/%Y}",
                "text": review.unseal(cipher)["changes"],
                "object": review,
                "field": "changes",
            }
        )
    for measure in situation.measures.all():
        texts.append(
            {
                "key": f"measure:{measure.pk}",
                "label": f"Bilan de la mesure « {measure.get_kind_display()} »",
                "text": measure.unseal(cipher)["outcome"],
                "object": measure,
                "field": "outcome",
            }
        )
    for event in situation.events.filter(kind=EventKind.TRANSITION):
        texts.append(
            {
                "key": f"event:{event.pk}",
                "label": f"Motif du changement d'état du {event.at:%d/%m/%Y}",
                "text": event.unseal(cipher)["reason"],
                "object": event,
                "field": "reason",
            }
        )
    return [t for t in texts if t["text"]]


def close_situation(
    *, situation: Situation, reason: str, text: str, reviews: list[TextReview], by
) -> Situation:
    """Closes an open situation with a reason from the list and a short text, after the
    coordinator has decided, for each free text of the file, to keep, shorten or delete it."""
    _require(situation, by, "close", "Vous ne pouvez pas clôturer cette situation.")
    if reason not in ClosureReason.values:
        raise ValidationError({"reason": "Choisissez un motif de clôture dans la liste."})
    text = _clean_text(text, field="text", required=True, label="un court texte de clôture")
    check_transition(situation.status, S.CLOSED)
    texts = {t["key"]: t for t in free_texts(situation)}
    decided = {r.key: r for r in reviews}
    errors = []
    for key, item in texts.items():
        review = decided.get(key)
        if review is None or review.decision not in TextDecision.values:
            errors.append(f"{item['label']} : choisissez de le conserver, raccourcir ou supprimer.")
        elif review.decision == TextDecision.SHORTEN:
            shortened = review.shortened.strip()
            if not shortened or len(shortened) >= len(item["text"]):
                errors.append(f"{item['label']} : le texte raccourci doit être plus court.")
    if errors:
        raise ValidationError({"texts": errors})
    with transaction.atomic():
        situation = _locked(situation)
        cipher = situation.person.cipher()
        for key, item in texts.items():
            review = decided[key]
            if review.decision == TextDecision.KEEP:
                continue
            obj = type(item["object"]).objects.select_for_update().get(pk=item["object"].pk)
            values = obj.unseal(cipher)
            values[item["field"]] = (
                review.shortened.strip() if review.decision == TextDecision.SHORTEN else ""
            )
            obj.seal(cipher, values)
            obj.save(update_fields=[f"{item['field']}_encrypted"])
        now = timezone.now()
        _move(situation, S.CLOSED, by=by, reason=ClosureReason(reason).label, now=now)
        situation.closure_reason = reason
        situation.seal(cipher, {"closure_text": text})
        situation.closed_at = now
        situation.closed_by = by
        situation.next_review_on = None
        situation.save()
        journal_event(
            by,
            Action.RECORD_UPDATED,
            target=situation,
            reason=f"clôture : {ClosureReason(reason).label.lower()}",
        )
        record_fact(
            kind=FactKind.SITUATION_CLOSED,
            cell=situation.cell,
            commune=situation.person.commune_id,
            category=reason,
            duration=now - situation.opened_at,
        )
    return situation


def archive_due_situations(*, now=None) -> int:
    """Moves to the archive every closed situation whose archive delay has passed. Idempotent:
    run it as often as wanted (``manage.py archive_situations``). Returns how many moved."""
    now = now or timezone.now()
    moved = 0
    for pk in Situation.objects.archive_due(now=now).values_list("pk", flat=True):
        with transaction.atomic():
            situation = _locked(Situation(pk=pk))
            if situation.status != S.CLOSED:
                continue
            _move(situation, S.ARCHIVED, by=None, reason="délai d'archivage écoulé", now=now)
            situation.archived_at = now
            situation.save(update_fields=["status", "archived_at"])
            journal_event(None, Action.RECORD_UPDATED, target=situation, reason="archivage")
            moved += 1
    return moved


# --- Measures -----------------------------------------------------------------------------------


def _measure_fact(measure: Measure, kind: str, duration=None) -> None:
    situation = measure.situation
    record_fact(
        kind=kind,
        cell=situation.cell,
        commune=situation.person.commune_id,
        category=measure.kind,
        age_band=age_band_of(situation.person),
        duration=duration,
    )


def propose_measure(
    *, situation: Situation, kind: str, provider, referent=None, proposed_on: date | None = None, by
) -> Measure:
    _require(situation, by, "manage_measures", "Vous ne pouvez pas proposer de mesure ici.")
    if kind not in MeasureKind.values:
        raise ValidationError({"kind": "Choisissez la nature de la mesure dans la liste."})
    if provider is None:
        raise ValidationError({"provider": "Indiquez l'organisme qui porte la mesure."})
    proposed_on = proposed_on or timezone.localdate()
    if proposed_on > timezone.localdate():
        raise ValidationError({"proposed_on": "La date ne peut pas être dans le futur."})
    with transaction.atomic():
        situation = _locked(situation)
        measure = Measure(
            situation=situation,
            kind=kind,
            provider=provider,
            referent=referent,
            proposed_on=proposed_on,
            created_by=by,
        )
        measure.seal(situation.person.cipher(), {"outcome": ""})
        measure.save(force_insert=True)
        journal_event(by, Action.RECORD_CREATED, target=measure)
        _measure_fact(measure, FactKind.MEASURE_PROPOSED)
        notify_measure_proposed(measure)
    return measure


def record_consent(
    *,
    measure: Measure,
    accepted: bool,
    answered_on: date,
    parental_consent_on: date | None = None,
    by,
) -> Measure:
    """The person's answer (libre adhésion), dated. A minor's acceptance needs the parents'
    dated consent too. A refusal is kept: the measure stays recorded as refused."""
    _require(measure, by, "record_consent", "Vous ne pouvez pas enregistrer cette réponse.")
    today = timezone.localdate()
    errors = {}
    if answered_on is None:
        errors["answered_on"] = "Indiquez la date de la réponse de la personne."
    elif answered_on > today:
        errors["answered_on"] = "La date ne peut pas être dans le futur."
    elif answered_on < measure.proposed_on:
        errors["answered_on"] = "La réponse ne peut pas précéder la proposition."
    minor = measure.situation.person.is_minor
    if accepted and minor and parental_consent_on is None:
        errors["parental_consent_on"] = (
            "La personne est mineure : indiquez la date de l'accord de ses représentants légaux."
        )
    if parental_consent_on is not None and parental_consent_on > today:
        errors["parental_consent_on"] = "La date ne peut pas être dans le futur."
    if errors:
        raise ValidationError(errors)
    target = MeasureStatus.ACCEPTED if accepted else MeasureStatus.REFUSED
    with transaction.atomic():
        measure = (
            Measure.objects.select_for_update(of=("self",))
            .select_related("situation")
            .get(pk=measure.pk)
        )
        if target not in MEASURE_TRANSITIONS[MeasureStatus(measure.status)]:
            raise ValidationError("La réponse à cette mesure a déjà été enregistrée.")
        measure.status = target
        measure.consent_on = answered_on
        measure.parental_consent_on = parental_consent_on if accepted else None
        measure.save(update_fields=["status", "consent_on", "parental_consent_on"])
        journal_event(
            by,
            Action.RECORD_UPDATED,
            target=measure,
            reason="adhésion recueillie" if accepted else "mesure refusée",
        )
        _measure_fact(measure, FactKind.MEASURE_ACCEPTED if accepted else FactKind.MEASURE_REFUSED)
    return measure


def start_measure(*, measure: Measure, started_on: date, by) -> Measure:
    _require(measure, by, "change_status", "Vous ne pouvez pas modifier cette mesure.")
    if started_on is None or started_on > timezone.localdate():
        raise ValidationError({"started_on": "Indiquez une date de début passée ou du jour."})
    with transaction.atomic():
        measure = (
            Measure.objects.select_for_update(of=("self",))
            .select_related("situation")
            .get(pk=measure.pk)
        )
        if MeasureStatus.ONGOING not in MEASURE_TRANSITIONS[MeasureStatus(measure.status)]:
            raise ValidationError("Seule une mesure acceptée peut commencer.")
        measure.status = MeasureStatus.ONGOING
        measure.started_on = started_on
        measure.save(update_fields=["status", "started_on"])
        journal_event(by, Action.RECORD_UPDATED, target=measure, reason="mesure commencée")
    return measure


def end_measure(*, measure: Measure, ended_on: date, outcome: str, by) -> Measure:
    _require(measure, by, "change_status", "Vous ne pouvez pas modifier cette mesure.")
    outcome = _clean_text(outcome, field="outcome", required=True, label="le bilan de la mesure")
    if ended_on is None or ended_on > timezone.localdate():
        raise ValidationError({"ended_on": "Indiquez une date de fin passée ou du jour."})
    with transaction.atomic():
        measure = (
            Measure.objects.select_for_update(of=("self",))
            .select_related("situation__person__key")
            .get(pk=measure.pk)
        )
        if MeasureStatus.ENDED not in MEASURE_TRANSITIONS[MeasureStatus(measure.status)]:
            raise ValidationError("Seule une mesure acceptée ou en cours peut se terminer.")
        if measure.started_on and ended_on < measure.started_on:
            raise ValidationError({"ended_on": "La fin ne peut pas précéder le début."})
        measure.status = MeasureStatus.ENDED
        measure.ended_on = ended_on
        measure.seal(measure.situation.person.cipher(), {"outcome": outcome})
        measure.save(update_fields=["status", "ended_on", "outcome_encrypted"])
        journal_event(by, Action.RECORD_UPDATED, target=measure, reason="mesure terminée")
        started = measure.started_on or measure.proposed_on
        _measure_fact(measure, FactKind.MEASURE_ENDED, duration=ended_on - started)
    return measure


# --- Reviews and notes --------------------------------------------------------------------------


# Apps above cases add the dates a cell reviews its situations at (the séances): a function
# ``(cell_id, after: date) -> date | None`` giving the cell's next such date.
_REVIEW_DATE_SOURCES: list = []


def register_review_date_source(function) -> None:
    if function not in _REVIEW_DATE_SOURCES:
        _REVIEW_DATE_SOURCES.append(function)


def default_next_review(cell_id, *, today: date | None = None) -> date:
    """The next séance of the cell if there is one within the interval, else 90 days from now
    (architecture: a situation is reviewed at every séance, or every 90 days)."""
    today = today or timezone.localdate()
    limit = today + timedelta(days=REVIEW_INTERVAL_DAYS)
    dates = [source(cell_id, today) for source in _REVIEW_DATE_SOURCES]
    return min([day for day in dates if day and today < day <= limit], default=limit)


def record_review(
    *, situation: Situation, changes: str, next_review_on: date | None = None, by
) -> Review:
    _require(situation, by, "review", "Vous ne pouvez pas réviser cette situation.")
    changes = _clean_text(changes, field="changes", required=True, label="ce qui a changé")
    today = timezone.localdate()
    next_review_on = next_review_on or default_next_review(situation.cell_id, today=today)
    if next_review_on <= today:
        raise ValidationError({"next_review_on": "La prochaine revue doit être dans le futur."})
    with transaction.atomic():
        situation = _locked(situation)
        review = Review(
            situation=situation, by=by, reviewed_on=today, next_review_on=next_review_on
        )
        review.seal(situation.person.cipher(), {"changes": changes})
        review.save(force_insert=True)
        situation.next_review_on = next_review_on
        situation.save(update_fields=["next_review_on"])
        journal_event(by, Action.RECORD_UPDATED, target=situation, reason="revue de situation")
    return review


def _note_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Écrivez la note."})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"text": f"Une note ne doit pas dépasser {NOTE_MAX_LENGTH} caractères."}
        )
    return text


def add_note(*, situation: Situation, text: str, annotates: Note | None = None, by) -> Note:
    _require(situation, by, "add_note", "Vous ne pouvez pas écrire de note ici.")
    text = _note_text(text)
    if annotates is not None and annotates.situation_id != situation.pk:
        raise ValidationError("Cette note n'appartient pas à la situation.")
    with transaction.atomic():
        situation = _locked(situation)
        note = Note(situation=situation, author=by, annotates=annotates)
        note.seal(situation.person.cipher(), {"text": text})
        note.save(force_insert=True)
        journal_event(
            by,
            Action.RECORD_UPDATED,
            target=situation,
            reason="annotation d'une note" if annotates else "note de suivi",
        )
    return note


def edit_note(*, note: Note, text: str, by) -> Note:
    if by is None or not note.is_editable_by(by):
        raise PermissionDenied(
            "Une note n'est modifiable que par son auteur, pendant 24 heures ; ajoutez une annotation."
        )
    _require(note.situation, by, "add_note", "Vous ne pouvez pas modifier cette note.")
    text = _note_text(text)
    with transaction.atomic():
        note = (
            Note.objects.select_for_update(of=("self",))
            .select_related("situation__person__key")
            .get(pk=note.pk)
        )
        note.seal(note.situation.person.cipher(), {"text": text})
        note.edited_at = timezone.now()
        note.save(update_fields=["text_encrypted", "edited_at"])
        journal_event(by, Action.RECORD_UPDATED, target=note.situation, reason="note modifiée")
    return note
