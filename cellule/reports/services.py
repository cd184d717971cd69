"""Writes on signalements: filing, the duplicate check, qualification. Journaled, atomic."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cellule.access import abilities as access_abilities
from cellule.access.journaling import Action, journal_event
from cellule.people import services as people_services
from cellule.people.duplicates import find_possible_duplicates
from cellule.people.models import Person
from cellule.reports.enums import SignalementStatus
from cellule.reports.models import TEXT_MAX_LENGTH, Indicator, Signalement, SignalementIndicator
from cellule.reports.reminders import notify_new_signalement
from cellule.stats import services as stats
from cellule.stats.enums import FactKind, QualificationOutcome


@dataclass(frozen=True)
class Qualification:
    closed: bool = False
    closure_reason: str = ""
    redirected: bool = False
    redirect_service: str = ""
    agenda: bool = False
    transmitted: bool = False
    reason: str = ""


def _check_facts(*, observed_on: date, indicators, text: str) -> None:
    today = timezone.localdate()
    errors = {}
    if observed_on > today:
        errors["observed_on"] = "La date ne peut pas être dans le futur."
    if not indicators:
        errors["indicators"] = "Cochez au moins un indicateur observé, avec sa date."
    for indicator, day in indicators:
        if not indicator.is_current:
            errors["indicators"] = "Un indicateur coché n'est plus en vigueur : rechargez la fiche."
        if day is None or day > today:
            errors["indicators"] = "Chaque indicateur coché doit avoir une date passée."
    if len(text) > TEXT_MAX_LENGTH:
        errors["text"] = f"Le texte ne doit pas dépasser {TEXT_MAX_LENGTH} caractères."
    if not text.strip():
        errors["text"] = "Décrivez brièvement les faits observés."
    if errors:
        raise ValidationError(errors)


def file_signalement(
    *,
    cell,
    identity,
    commune=None,
    legal_representatives=(),
    observed_on: date,
    source_category: str,
    indicators: list[tuple[Indicator, date]],
    text: str,
    urgent: bool = False,
    by,
) -> Signalement:
    """Records the person concerned (always a new record: the duplicate check is the
    coordinator's) and the report, whose free text is encrypted under the person's key."""
    if not access_abilities.may_file_signalement(by, cell):
        raise PermissionDenied("Vous ne pouvez pas signaler dans cette cellule.")
    _check_facts(observed_on=observed_on, indicators=indicators, text=text)
    with transaction.atomic():
        person = people_services.create_person(
            cell=cell,
            identity=identity,
            commune=commune,
            legal_representatives=legal_representatives,
            by=by,
        )
        signalement = Signalement(
            cell=cell,
            person=person,
            reporter=by,
            observed_on=observed_on,
            source_category=source_category,
            urgent=urgent,
            due_on=Signalement.due_date_for(cell),
        )
        signalement.seal(person.cipher(), {"text": text.strip(), "qualification_reason": ""})
        signalement.save(force_insert=True)
        SignalementIndicator.objects.bulk_create(
            SignalementIndicator(signalement=signalement, indicator=indicator, observed_on=day)
            for indicator, day in indicators
        )
        journal_event(by, Action.RECORD_CREATED, target=signalement)
        notify_new_signalement(signalement)
        stats.record_fact(
            kind=FactKind.SIGNALEMENT_RECEIVED,
            cell=cell,
            commune=person.commune_id,
            category=source_category,
            age_band=stats.age_band_of(person),
        )
    return signalement


def possible_duplicates(signalement: Signalement):
    """Persons of the cell who may be the one this report concerns (the report's own excluded)."""
    return find_possible_duplicates(
        cell=signalement.cell, identity=signalement.person.identity, exclude=signalement.person
    )


def attach_to_person(
    *, signalement: Signalement, person: Person, by, reason: str = ""
) -> Signalement:
    """The report concerns a person the cell already knows: it joins that person's record, and
    the record made at intake is erased (its key destroyed) unless something else uses it."""
    if not signalement.abilities(by)["check_person"]:
        raise PermissionDenied
    if person.cell_id != signalement.cell_id or person.pk == signalement.person_id:
        raise ValidationError("Cette personne ne peut pas être rattachée à ce signalement.")
    if not person.abilities(by)["view"] or person.key.wrapped_key is None:
        raise ValidationError("Cette personne n'est plus accessible.")
    with transaction.atomic():
        signalement = (
            Signalement.objects.select_for_update(of=("self",))
            .select_related("person__key", "cell")
            .get(pk=signalement.pk)
        )
        intake = signalement.person
        values = signalement.unseal(intake.cipher())
        signalement.person = person
        signalement.seal(person.cipher(), values)  # re-encrypted under the known person's key
        signalement.person_checked_at = timezone.now()
        signalement.save(
            update_fields=[
                "person",
                "text_encrypted",
                "qualification_reason_encrypted",
                "person_checked_at",
            ]
        )
        journal_event(
            by,
            Action.RECORD_UPDATED,
            target=signalement,
            reason="rattaché à une personne déjà connue",
        )
        if not intake.signalements.exists():
            people_services.shred_person(
                person=intake,
                reason="doublon : signalement rattaché à une personne déjà connue",
                by=by,
            )
    return signalement


def confirm_new_person(*, signalement: Signalement, by) -> Signalement:
    if not signalement.abilities(by)["check_person"]:
        raise PermissionDenied
    with transaction.atomic():
        signalement.person_checked_at = timezone.now()
        signalement.save(update_fields=["person_checked_at"])
        journal_event(
            by, Action.RECORD_UPDATED, target=signalement, reason="personne nouvelle confirmée"
        )
    return signalement


def qualify_signalement(*, signalement: Signalement, decision: Qualification, by) -> Signalement:
    """The coordinator's (or president's) decision on a report: who, when, why and what."""
    if not signalement.abilities(by)["qualify"]:
        raise PermissionDenied
    outcomes = [decision.closed, decision.redirected, decision.agenda, decision.transmitted]
    if not any(outcomes):
        raise ValidationError("Choisissez au moins une suite à donner.")
    if decision.closed and any(outcomes[1:]):
        raise ValidationError("Un classement sans suite ne se combine avec aucune autre suite.")
    if not decision.reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de la décision."})
    if signalement.person_checked_at is None and possible_duplicates(signalement):
        raise ValidationError(
            "Vérifiez d'abord si la personne est déjà connue de la cellule : rattachez le signalement "
            "ou confirmez qu'il s'agit d'une personne nouvelle."
        )
    with transaction.atomic():
        signalement = (
            Signalement.objects.select_for_update(of=("self",))
            .select_related("person__key")
            .get(pk=signalement.pk)
        )
        if signalement.status != SignalementStatus.RECEIVED:
            raise ValidationError("Ce signalement a déjà été qualifié.")
        cipher = signalement.person.cipher()
        values = signalement.unseal(cipher)
        values["qualification_reason"] = decision.reason.strip()[:TEXT_MAX_LENGTH]
        signalement.seal(cipher, values)
        signalement.status = SignalementStatus.QUALIFIED
        signalement.qualified_at = timezone.now()
        signalement.qualified_by = by
        signalement.outcome_closed = decision.closed
        signalement.closure_reason = decision.closure_reason if decision.closed else ""
        signalement.outcome_redirected = decision.redirected
        signalement.redirect_service = decision.redirect_service if decision.redirected else ""
        signalement.outcome_agenda = decision.agenda
        signalement.outcome_transmitted = decision.transmitted
        signalement.person_checked_at = signalement.person_checked_at or timezone.now()
        signalement.save()
        age_band = stats.age_band_of(signalement.person)
        for outcome in QualificationOutcome.values:  # one fact per outcome chosen
            if getattr(decision, outcome):
                stats.record_fact(
                    kind=FactKind.SIGNALEMENT_QUALIFIED,
                    cell=signalement.cell,
                    commune=signalement.person.commune_id,
                    category=outcome,
                    age_band=age_band,
                    duration=signalement.qualified_at - signalement.created_at,
                )
        journal_event(
            by,
            Action.RECORD_UPDATED,
            target=signalement,
            reason="qualification : " + ", ".join(signalement.outcomes),
        )
        if decision.agenda or decision.transmitted:
            from cellule.cases.services import open_situation_for_report

            # Opens the person's situation, or joins the one already open.
            open_situation_for_report(signalement=signalement, by=by)
    return signalement
