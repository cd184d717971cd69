"""The purge: destroys what its retention rule says is due, and proves it.

``run_purge`` applies every rule cell by cell (each cell's delay, ``RetentionSetting``), skips what
a legal hold keeps, destroys the due records with what follows them (``rules.destroy``: data keys
first, then rows), the persons no record concerns any more, the notifications that designated
what went, then the journal's events past its retention (``journal.retention.purge_journal``).
It writes a ``PurgeCertificate`` (counts by rule and cell, delays applied, time; no reference to
anyone) and journals it. ``warn_upcoming`` tells each cell's coordinator, 30 days ahead, that
records will go (a generic notice; the list is in Cellule). ``run_daily`` is what
``manage.py run_periodic`` calls: both, once per day.

Anonymous statistics facts (``stats.Fact``) hold no reference to a record: a purge never touches
them, so the counts survive the records.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import DatabaseError, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from cellule.access.journaling import Action, journal_event
from cellule.privacy import rules
from cellule.privacy.enums import PurgeTrigger
from cellule.privacy.models import LegalHold, PurgeCertificate, PurgeLine, RetentionSetting

logger = logging.getLogger("cellule.privacy")

BATCH = 200  # roots destroyed per transaction
ORPHANED = "Personnes concernées dont le dernier dossier a été supprimé"
# SQLite: write the log's pages back into the database file, then truncate the log to zero.
SQLITE_COMPACTION = "PRAGMA wal_checkpoint(TRUNCATE)"


@dataclass
class Line:
    """One rule in one cell: the delay applied, the roots due, those a hold keeps."""

    rule: rules.Rule
    cell_id: object
    days: int | None
    due: list = field(default_factory=list)
    held: int = 0
    destroyed: rules.Destroyed = field(default_factory=rules.Destroyed)
    label: str = ""

    @property
    def destroyed_roots(self) -> int:
        """Roots actually deleted (a batch that failed deleted none)."""
        return self.destroyed.tables.get(self.rule.models[0], 0)


@dataclass
class PurgeReport:
    now: datetime
    dry_run: bool
    lines: list[Line] = field(default_factory=list)
    journal_months: int | None = None
    journal_deleted: int = 0
    journal_cutoff: datetime | None = None
    journal_error: str = ""
    certificate: PurgeCertificate | None = None

    @property
    def total_due(self) -> int:
        return sum(len(line.due) for line in self.lines)


# --- Delays and holds ---------------------------------------------------------------------------


def settings_map() -> dict:
    """{(cell id, rule code): days} of the cells' own delays."""
    return {
        (cell_id, rule): days
        for cell_id, rule, days in RetentionSetting.objects.values_list("cell_id", "rule", "days")
    }


def effective_days(rule: rules.Rule, cell_id, chosen: dict | None = None) -> int:
    if not rule.configurable:
        return rule.default_days
    chosen = settings_map() if chosen is None else chosen
    return chosen.get((cell_id, rule.code), rule.default_days)


def held_ids() -> dict[str, set]:
    """{model label: ids} that an active legal hold keeps, with what holds them by extension: a
    held signalement keeps its situation, a held situation its signalements."""
    from cellule.reports.models import Signalement

    situations, signalements = set(), set()
    for situation_id, signalement_id in LegalHold.objects.active().values_list(
        "situation_id", "signalement_id"
    ):
        if situation_id:
            situations.add(situation_id)
        if signalement_id:
            signalements.add(signalement_id)
    situations |= set(
        Signalement.objects.filter(pk__in=signalements, situation__isnull=False).values_list(
            "situation_id", flat=True
        )
    )
    signalements |= set(
        Signalement.objects.filter(situation__in=situations).values_list("pk", flat=True)
    )
    return {"cases.situation": situations, "reports.signalement": signalements}


def _cells():
    from cellule.accounts.models import Cell

    return list(Cell.objects.values_list("pk", flat=True))


def _by_days(rule, cell_ids, chosen) -> dict[int, list]:
    groups = defaultdict(list)
    for cell_id in cell_ids:
        groups[effective_days(rule, cell_id, chosen)].append(cell_id)
    return groups


def due_lines(*, now: datetime, only=None) -> list[Line]:
    """What the cell rules (or the one rule ``only``) find due now, cell by cell (legal holds
    counted apart)."""
    chosen = settings_map()
    holds = held_ids()
    cell_ids = _cells()
    lines = []
    for rule in [only] if only is not None else rules.cell_rules():
        held_here = holds.get(rule.models[0], set())
        for days, group in sorted(_by_days(rule, cell_ids, chosen).items()):
            rows = (
                rule.candidates()
                .filter(
                    **{
                        f"{rule.cell_field}__in": group,
                        f"{rule.clock}__lte": rule.cutoff(now, days),
                    }
                )
                .order_by()
                .values_list("pk", rule.cell_field)
            )
            by_cell = defaultdict(list)
            held = defaultdict(int)
            for pk, cell_id in rows:
                if pk in held_here:
                    held[cell_id] += 1
                else:
                    by_cell[cell_id].append(pk)
            for cell_id in sorted({*by_cell, *held}, key=str):
                lines.append(
                    Line(
                        rule=rule,
                        cell_id=cell_id,
                        days=days,
                        due=by_cell[cell_id],
                        held=held[cell_id],
                        label=rule.label,
                    )
                )
    return lines


# --- The purge ----------------------------------------------------------------------------------


def _forget_notifications(destroyed: rules.Destroyed) -> int:
    """Notifications that designate a destroyed row: by their target, or by their key (which
    names the record that fired them, e.g. « situation_review_due:<id>:<date> »)."""
    from cellule.alerts.models import Notification

    conditions = []
    for label, ids in destroyed.ids.items():
        ids = sorted(ids)
        for start in range(0, len(ids), BATCH):
            conditions.append(Q(target_type=label, target_id__in=ids[start : start + BATCH]))
    uuids = sorted({pk for ids in destroyed.ids.values() for pk in ids if len(pk) == 36})
    for start in range(0, len(uuids), BATCH):
        condition = Q()
        for pk in uuids[start : start + BATCH]:
            condition |= Q(key__contains=pk)
        conditions.append(condition)
    removed = 0
    for condition in conditions:
        removed += Notification.objects.filter(condition).delete()[1].get("alerts.Notification", 0)
    return removed


def _destroy_rows(model, pks, *, now) -> rules.Destroyed:
    destroyed = rules.destroy(model, pks, now=now)
    notifications = _forget_notifications(destroyed)
    if notifications:
        destroyed.tables["alerts.notification"] += notifications
    return destroyed


def _count(certificate, line: Line, destroyed: rules.Destroyed) -> None:
    """Adds what a batch destroyed to the certificate's line, in the batch's transaction: a purge
    killed later leaves a certificate (without an end) that counts exactly what went."""
    if certificate is None:
        return
    row, _ = PurgeLine.objects.select_for_update().get_or_create(
        certificate=certificate,
        cell_id=line.cell_id,
        rule=line.rule.code,
        rule_label=line.label or line.rule.label,
        defaults={"days": line.days},
    )
    row.deleted += destroyed.tables.get(line.rule.models[0], 0)
    tables = dict(row.tables)
    for table, count in destroyed.tables.items():
        tables[table] = tables.get(table, 0) + count
    row.tables = dict(sorted(tables.items()))
    row.save(update_fields=["deleted", "tables"])


def _destroy_batch(
    model, pks, *, now, line: Line | None = None, orphans: dict | None = None, certificate=None
) -> rules.Destroyed:
    """Destroys ``pks``, what follows them and, when ``orphans`` is given, the persons they leave
    without any record, all in one transaction with their count on the certificate: a purge
    killed in between would leave a person and their live data key after their last record went.
    ``orphans`` collects those persons, by cell, as the person rule's lines."""
    from cellule.people.models import Person

    persons = defaultdict(list)
    with transaction.atomic():
        destroyed = _destroy_rows(model, pks, now=now)
        if line is not None:
            _count(certificate, line, destroyed)
        if orphans is not None and destroyed.persons:
            left = rules.orphan_persons(destroyed.persons).order_by()
            for pk, cell_id in left.values_list("pk", "cell_id"):
                persons[cell_id].append(pk)
        gone = {}
        for cell_id, ids in persons.items():
            gone[cell_id] = _destroy_rows(Person, ids, now=now)
            _count(certificate, _orphan_line(orphans, cell_id), gone[cell_id])
    for cell_id, ids in persons.items():  # counted in memory once committed
        orphan_line = _orphan_line(orphans, cell_id)
        orphan_line.due += ids
        orphan_line.destroyed.add(gone[cell_id])
    return destroyed


def _orphan_line(orphans: dict, cell_id) -> Line:
    if cell_id not in orphans:
        orphans[cell_id] = Line(
            rule=rules.get_rule("person"), cell_id=cell_id, days=None, label=ORPHANED
        )
    return orphans[cell_id]


def _apply(line: Line, *, now, orphans: dict, certificate=None) -> None:
    from django.apps import apps

    model = apps.get_model(line.rule.models[0])
    for start in range(0, len(line.due), BATCH):
        batch = line.due[start : start + BATCH]
        line.destroyed.add(
            _destroy_batch(
                model, batch, now=now, line=line, orphans=orphans, certificate=certificate
            )
        )


def _person_lines(person_ids, *, now, dry_run: bool, label: str, certificate=None) -> list[Line]:
    from cellule.people.models import Person

    rule = rules.get_rule("person")
    # In a dry run nothing was deleted: the ids given are those who would be left without records.
    persons = (
        Person.objects.filter(pk__in=person_ids) if dry_run else rules.orphan_persons(person_ids)
    )
    by_cell = defaultdict(list)
    for pk, cell_id in persons.values_list("pk", "cell_id"):
        by_cell[cell_id].append(pk)
    lines = []
    for cell_id, pks in by_cell.items():
        line = Line(rule=rule, cell_id=cell_id, days=None, due=pks, label=label)
        if not dry_run:
            for start in range(0, len(pks), BATCH):
                batch = pks[start : start + BATCH]
                line.destroyed.add(
                    _destroy_batch(Person, batch, now=now, line=line, certificate=certificate)
                )
        lines.append(line)
    return lines


def _purge_journal(report: PurgeReport) -> None:
    from cellule.journal.exceptions import JournalUnavailable
    from cellule.journal.retention import PurgeRefused, purge_journal, retention_months

    try:
        months = retention_months()
        report.journal_months = months
        result = purge_journal(months=months, dry_run=report.dry_run)
    except (PurgeRefused, JournalUnavailable, OSError, ValueError) as exc:
        report.journal_error = f"{type(exc).__name__} : {exc}"[:300]
        logger.error("Purge du journal impossible : %s", report.journal_error)
        return
    report.journal_cutoff = result.cutoff
    if result.cut_seq is not None:
        report.journal_deleted = (
            result.deleted if not report.dry_run else result.cut_seq - result.first_seq + 1
        )


def run_purge(*, now=None, dry_run=False, trigger=PurgeTrigger.SCHEDULED) -> PurgeReport:
    """Applies every rule; returns what went (or would go, in a dry run) and the certificate."""
    now = now or timezone.now()
    report = PurgeReport(now=now, dry_run=dry_run)
    # The certificate exists from the start and counts each batch as it commits; it gets its end
    # (and its journal events) once the run is over. One without an end was interrupted.
    certificate = None
    if not dry_run:
        certificate = PurgeCertificate.objects.create(trigger=trigger, started_at=now)
    orphans = {}  # cell → the persons destroyed with their last record
    # Rule after rule: what a rule destroys may make a later one due (a séance without items).
    for rule in rules.cell_rules():
        lines = due_lines(now=now, only=rule)
        report.lines += lines
        for line in lines if not dry_run else ():
            try:
                _apply(line, now=now, orphans=orphans, certificate=certificate)
            except DatabaseError:
                logger.exception("Purge : la règle %s n'a pas pu être appliquée.", rule.code)
    touched = set()
    if dry_run:
        touched = _persons_of_due(report.lines)
        report.lines += _person_lines(touched, now=now, dry_run=True, label=ORPHANED)
    else:
        report.lines += orphans.values()
    stale = rules.orphan_persons().filter(
        updated_at__lte=now - timedelta(days=rules.ORPHAN_GRACE_DAYS)
    )
    stale_ids = set(stale.exclude(pk__in=touched).values_list("pk", flat=True))
    if stale_ids:
        report.lines += _person_lines(
            stale_ids,
            now=now,
            dry_run=dry_run,
            label=f"Personnes sans aucun dossier depuis plus de {rules.ORPHAN_GRACE_DAYS} jours",
            certificate=certificate,
        )
    _purge_journal(report)
    if not dry_run:
        report.certificate = finish_certificate(certificate, report)
        compact_sqlite()
    return report


def compact_sqlite() -> None:
    """SQLite overwrites deleted rows with zeros (``secure_delete``, see the settings), but its
    write-ahead log still holds older images of the pages until a checkpoint: checkpoint and
    truncate it, so that what was just deleted survives in no file. Outside a transaction only
    (the daily run); PostgreSQL needs nothing here (see docs/privacy.md)."""
    from django.db import connections

    for alias in connections:
        connection = connections[alias]
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            continue
        with connection.cursor() as cursor:
            cursor.execute(SQLITE_COMPACTION)


def _persons_of_due(lines) -> set:
    """In a dry run: the persons whose every record is due (they would go too)."""
    from django.apps import apps

    persons = set()
    for line in lines:
        model = apps.get_model(line.rule.models[0])
        for key in rules._person_keys(model):
            persons |= set(model._base_manager.filter(pk__in=line.due).values_list(key, flat=True))
    due = defaultdict(set)
    for line in lines:
        due[line.rule.models[0]] |= set(line.due)
    survivors = set()
    for model, key in rules.person_records_filter():
        label = model._meta.label_lower
        remaining = model._base_manager.filter(**{f"{key}__in": persons}).exclude(
            pk__in=due.get(label, ())
        )
        if label == "reports.signalement":
            remaining = remaining.exclude(situation__in=due.get("cases.situation", ()))
        survivors |= set(remaining.values_list(key, flat=True))
    return persons - survivors


def finish_certificate(certificate: PurgeCertificate, report: PurgeReport) -> PurgeCertificate:
    """The end of a run: the journal's purge, the lines of records kept by a hold (or left by a
    failed batch), the end time, and the journal events saying it."""
    with transaction.atomic():
        certificate.finished_at = timezone.now()
        certificate.journal_months = report.journal_months
        certificate.journal_deleted = report.journal_deleted
        certificate.journal_cutoff = report.journal_cutoff
        certificate.journal_error = report.journal_error
        certificate.save()
        kept = [line for line in report.lines if line.due or line.held]
        for line in kept:
            PurgeLine.objects.update_or_create(
                certificate=certificate,
                cell_id=line.cell_id,
                rule=line.rule.code,
                rule_label=line.label or line.rule.label,
                defaults={"days": line.days, "held": line.held},
            )
        by_cell = defaultdict(lambda: [0, 0])
        for line in kept:
            by_cell[line.cell_id][0] += line.destroyed_roots
            by_cell[line.cell_id][1] += line.held
        for cell_id, (deleted, held) in by_cell.items():
            journal_event(
                None,
                Action.RETENTION_PURGE,
                target=certificate,
                cell=cell_id,
                reason=f"{deleted} dossier(s) supprimé(s), {held} gelé(s)",
            )
        journal_event(
            None,
            Action.RETENTION_PURGE,
            target=certificate,
            reason=f"certificat {certificate.reference} : {certificate.get_trigger_display()}",
        )
    return certificate


# --- Warnings and the daily run -----------------------------------------------------------------


def _upcoming_roots(*, cell_id, now, window_days):
    """(rule, days, roots due within ``window_days``, ids a hold keeps) for each warned rule."""
    chosen = settings_map()
    holds = held_ids()
    horizon = now + timedelta(days=window_days)
    for rule in rules.cell_rules():
        if not rule.warn:
            continue
        days = effective_days(rule, cell_id, chosen)
        queryset = rule.candidates().filter(
            **{rule.cell_field: cell_id, f"{rule.clock}__lte": rule.cutoff(horizon, days)}
        )
        yield rule, days, queryset, holds.get(rule.models[0], set())


def upcoming(*, cell_id, now=None, window_days=rules.WARNING_DAYS) -> list[dict]:
    """The cell's records that a rule will destroy within ``window_days`` (or that are due and
    kept by a hold): references and dates only, soonest first."""
    now = now or timezone.now()
    rows = []
    for rule, days, queryset, held_here in _upcoming_roots(
        cell_id=cell_id, now=now, window_days=window_days
    ):
        for root in queryset.order_by(rule.clock):
            rows.append(
                {
                    "rule": rule,
                    "reference": rule.reference(root) if rule.reference else str(root.pk),
                    "url": rule.url(root) if rule.url else "",
                    "due_on": rule.due_on(root, days),
                    "held": root.pk in held_here,
                    "pk": root.pk,
                    "kind": rule.models[0],
                }
            )
    rows.sort(key=lambda row: (row["due_on"], row["reference"]))
    return rows


def upcoming_summary(*, cell_id, now=None, window_days=rules.WARNING_DAYS) -> dict:
    """What ``upcoming`` lists, counted (the dashboard's panel) in two queries per rule:
    {"due": roots to go, "held": roots a hold keeps, "first_due": the soonest day to go}."""
    now = now or timezone.now()
    summary = {"due": 0, "held": 0, "first_due": None}
    for rule, days, queryset, held_here in _upcoming_roots(
        cell_id=cell_id, now=now, window_days=window_days
    ):
        free = queryset.exclude(pk__in=held_here) if held_here else queryset
        found = free.aggregate(count=Count("pk"), start=Min(rule.clock))
        summary["due"] += found["count"]
        if found["start"] is not None:
            day = rule.due_from(found["start"], days)
            summary["first_due"] = min(filter(None, (summary["first_due"], day)))
        if held_here:
            summary["held"] += queryset.filter(pk__in=held_here).count()
    return summary


def warn_upcoming(*, now=None) -> int:
    """Notifies each cell's coordinators once per week of due dates: « records will go »."""
    from cellule.alerts.services import notify
    from cellule.reports.reminders import coordinators_of

    now = now or timezone.now()
    chosen = settings_map()
    holds = held_ids()
    weeks = defaultdict(set)
    for rule in rules.cell_rules():
        if not rule.warn:
            continue
        held_here = holds.get(rule.models[0], set())
        horizon = now + timedelta(days=rules.WARNING_DAYS)
        for days, group in _by_days(rule, _cells(), chosen).items():
            rows = rule.candidates().filter(
                **{
                    f"{rule.cell_field}__in": group,
                    f"{rule.clock}__lte": rule.cutoff(horizon, days),
                    f"{rule.clock}__gt": rule.cutoff(now, days),
                }
            )
            for root in rows.order_by():
                if root.pk in held_here:
                    continue
                year, week, _ = rule.due_on(root, days).isocalendar()
                weeks[getattr(root, rule.cell_field)].add(f"{year}-S{week:02d}")
    sent = 0
    for cell_id, due_weeks in weeks.items():
        for week in sorted(due_weeks):
            sent += len(
                notify(
                    kind="retention_due",
                    recipients=coordinators_of(cell_id),
                    key=f"{cell_id}:{week}",
                    cell=cell_id,
                )
            )
    return sent


def ran_today(now) -> bool:
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    # A run killed before its end does not count: the next run_periodic finishes the job.
    return PurgeCertificate.objects.filter(
        trigger=PurgeTrigger.SCHEDULED, started_at__gte=start, finished_at__isnull=False
    ).exists()


def run_daily(*, now) -> int:
    """For run_periodic: warnings, then the purge, once per local day. Returns the number of
    notifications sent (what run_periodic counts as reminders)."""
    if ran_today(now):
        return 0
    sent = warn_upcoming(now=now)
    run_purge(now=now)
    return sent


# --- Erasure on request -------------------------------------------------------------------------


def erase_person(*, person, by, reason: str) -> PurgeCertificate:
    """Destroys a person now: their data key, then every record about them and what follows
    those records (a rights request keeps only its own trace). Refused while a legal hold keeps
    one of their records. Runs in the caller's transaction; returns the certificate."""
    from django.core.exceptions import ValidationError

    from cellule.people.models import Person

    holds = held_ids()
    if person.situations.filter(pk__in=holds["cases.situation"]).exists() or (
        person.signalements.filter(pk__in=holds["reports.signalement"]).exists()
    ):
        raise ValidationError(
            "Un gel juridique conserve un dossier de cette personne : levez-le d'abord, ou "
            "répondez à la demande en motivant le refus."
        )
    now = timezone.now()
    cell_id = person.cell_id
    with transaction.atomic():
        journal_event(by, Action.RECORD_ERASED, target=person, reason=reason)
        destroyed = rules.destroy(Person, [person.pk], now=now)
        notifications = _forget_notifications(destroyed)
        if notifications:
            destroyed.tables["alerts.notification"] += notifications
        line = Line(
            rule=rules.get_rule("person"),
            cell_id=cell_id,
            days=None,
            due=[person.pk],
            destroyed=destroyed,
            label="Effacement sur demande de la personne (art. 17 et 21 RGPD)",
        )
        report = PurgeReport(now=now, dry_run=False, lines=[line])
        certificate = PurgeCertificate.objects.create(trigger=PurgeTrigger.ERASURE, started_at=now)
        _count(certificate, line, destroyed)
        certificate = finish_certificate(certificate, report)
    return certificate
