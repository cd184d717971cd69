"""The situation's chronology: reports, decisions, transitions, measures, reviews and notes in one
list, oldest first. Decrypts with the person's key (one unwrap): call it only after the read was
journaled (``access.get_situation``).

Apps above cases (séances, exchanges) add their events with ``register_source``: a function
``(situation, reader, abilities) -> list[Entry]``: the reader and their abilities on the
situation decide what the source shows.
"""

from dataclasses import dataclass, field
from datetime import datetime, time

from django.utils import timezone

from cellule.cases.enums import EventKind, SituationStatus


@dataclass
class Entry:
    at: datetime
    title: str
    text: str = ""
    by: str = ""
    extra: dict = field(default_factory=dict)


_SOURCES: list = []


def register_source(function):
    """Called from an app's ``ready()``; the function decides what the reader may see."""
    if function not in _SOURCES:
        _SOURCES.append(function)
    return function


def _day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def timeline(
    situation,
    *,
    with_reports: bool = True,
    reader=None,
    abilities: dict | None = None,
    measures=None,
    reports=None,
) -> list[Entry]:
    """``with_reports``: the origin reports and their qualification (president and coordinator);
    ``reader`` and their ``abilities``: passed to the registered sources (none run without).
    ``measures`` (with their provider and author) and ``reports`` (with who qualified them): the
    situation's, when the caller has read them already."""
    cipher = situation.person.cipher()
    entries: list[Entry] = []
    if not with_reports:
        reports = []
    elif reports is None:
        reports = situation.origin_reports.select_related("qualified_by")
    if measures is None:
        measures = situation.measures.select_related("provider", "created_by")
    for report in reports:
        entries.append(Entry(report.created_at, f"Signalement n° {report.reference} reçu", by=""))
        if report.qualified_at:
            entries.append(
                Entry(
                    report.qualified_at,
                    f"Signalement n° {report.reference} qualifié : {', '.join(report.outcomes)}",
                    by=report.qualified_by.get_full_name() if report.qualified_by else "",
                )
            )
    for event in situation.events.select_related("by"):
        reason = event.unseal(cipher)["reason"]
        if event.kind == EventKind.TRANSITION:
            title = (
                f"{SituationStatus(event.from_status).label} → "
                f"{SituationStatus(event.to_status).label}"
            )
        else:
            title = event.get_kind_display()
        entries.append(
            Entry(event.at, title, reason, event.by.get_full_name() if event.by else "Cellule")
        )
    for measure in measures:
        label = f"« {measure.get_kind_display()} » ({measure.provider.name})"
        entries.append(
            Entry(
                measure.created_at,
                f"Mesure proposée : {label}",
                by=measure.created_by.get_full_name(),
            )
        )
        if measure.consent_on:
            answer = "acceptée" if measure.status != "refused" else "refusée"
            parents = (
                f" ; accord des représentants légaux le {measure.parental_consent_on:%d/%m/%Y}"
                if measure.parental_consent_on
                else ""
            )
            entries.append(Entry(_day(measure.consent_on), f"Mesure {answer} : {label}{parents}"))
        if measure.started_on:
            entries.append(Entry(_day(measure.started_on), f"Mesure commencée : {label}"))
        if measure.ended_on:
            entries.append(
                Entry(
                    _day(measure.ended_on),
                    f"Mesure terminée : {label}",
                    measure.unseal(cipher)["outcome"],
                )
            )
    for review in situation.reviews.select_related("by"):
        entries.append(
            Entry(
                review.created_at,
                f"Revue — prochaine le {review.next_review_on:%d/%m/%Y}",
                review.unseal(cipher)["changes"],
                review.by.get_full_name(),
            )
        )
    for note in situation.notes.select_related("author"):
        title = "Annotation" if note.annotates_id else "Note de suivi"
        if note.edited_at:
            title += f" (modifiée le {timezone.localtime(note.edited_at):%d/%m/%Y à %H:%M})"
        entries.append(
            Entry(
                note.created_at,
                title,
                note.unseal(cipher)["text"],
                note.author.get_full_name(),
                {"note": note},
            )
        )
    if reader is not None and abilities is not None:
        for source in _SOURCES:
            entries.extend(source(situation, reader, abilities))
    entries.sort(key=lambda entry: entry.at)
    return entries
