"""Retention of the journal: delete events older than N months, keeping the rest verifiable.

The purge verifies the chain first (it must never erase the evidence of a tampering, nor sign
a cut of a forged chain), then, under the writer lock: writes a signed "cut" checkpoint with
the seq and hash of the last purged event, deletes that prefix through the database's purge
path (see migration 0002), and journals a journal_purged event chained to the unchanged head.
If the checkpoint cannot be written, nothing is deleted; if the deletion fails after it was
written, the spare checkpoint still matches the chain and does no harm.
"""

import calendar
import datetime
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, InterfaceError
from django.utils import timezone

from cellule.journal.checkpoints import CUT, write_checkpoint
from cellule.journal.enums import Action
from cellule.journal.exceptions import JournalUnavailable
from cellule.journal.models import AuditEvent
from cellule.journal.recording import append, chain_head, event_fields, journal_db, writer_lock
from cellule.journal.verification import verify_journal

MIN_MONTHS = 6  # CNIL, délibération 2021-122: six months to a year, longer if justified
MAX_MONTHS = 36


class PurgeRefused(Exception):
    """The chain does not verify: purging would erase the evidence."""


@dataclass(frozen=True)
class PurgeResult:
    cutoff: datetime.datetime
    first_seq: int | None = None
    cut_seq: int | None = None  # None: nothing older than the cutoff
    deleted: int = 0
    checkpoint: Path | None = None


def retention_months(months: int | None = None) -> int:
    """The retention asked for, or the setting's; ValueError outside 6–36 months."""
    if months is None:
        months = getattr(settings, "CELLULE_JOURNAL_RETENTION_MONTHS", 12)
    if isinstance(months, bool) or not isinstance(months, int):
        raise ValueError(
            f"La durée de conservation doit être un nombre de mois (reçu : {months!r})."
        )
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ValueError(
            f"La durée de conservation du journal doit être comprise entre {MIN_MONTHS} et "
            f"{MAX_MONTHS} mois (reçu : {months})."
        )
    return months


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """Same day and time `months` earlier, or the month's last day (31 August - 6 → 28 Feb)."""
    year, month0 = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


def purge_journal(*, months: int, dry_run: bool = False) -> PurgeResult:
    """Purge events older than `months`; PurgeRefused if the chain does not verify."""
    months = retention_months(months)
    cutoff = months_before(timezone.now(), months)
    # Verified outside the lock, so that writers are not held for a full walk of the chain.
    verdict = verify_journal()
    if not verdict.ok:
        raise PurgeRefused(f"le journal ne se vérifie pas ({verdict})")
    using = journal_db()
    try:
        with writer_lock(using=using) as connection:
            events = AuditEvent.objects.using(using)
            first_seq = events.order_by("seq").values_list("seq", flat=True).first()
            head = chain_head(using=using)
            first_recent = (
                events.filter(time__gte=cutoff)
                .order_by("seq")
                .values_list("seq", flat=True)
                .first()
            )
            # Only a prefix goes: the cut stops before the first recent event, even if an older
            # time comes after it (a clock set back), and never passes what was just verified.
            cut_seq = head[0] if first_recent is None else first_recent - 1
            cut_seq = min(cut_seq, verdict.last_seq)
            if first_seq is None or cut_seq < first_seq:
                return PurgeResult(cutoff=cutoff)
            if dry_run:
                return PurgeResult(cutoff=cutoff, first_seq=first_seq, cut_seq=cut_seq)
            cut_hash = events.filter(seq=cut_seq).values_list("hash", flat=True).get()
            path = write_checkpoint(kind=CUT, seq=cut_seq, hash=cut_hash)
            deleted = _delete_prefix(connection, cut_seq=cut_seq)
            fields = event_fields(
                actor=None,
                action=Action.JOURNAL_PURGED,
                target=None,
                target_type=AuditEvent._meta.label_lower,
                target_id=cut_seq,
                target_ids=None,
                cell=None,
                reason=f"Conservation de {months} mois : événements {first_seq} à {cut_seq}, "
                f"antérieurs au {cutoff:%Y-%m-%d %H:%M} UTC, supprimés.",
                request=None,
                role="",
            )
            append(using=using, head=head, fields=fields)
    except (DatabaseError, InterfaceError) as exc:
        raise JournalUnavailable("Le journal des accès ne peut pas être purgé.") from exc
    return PurgeResult(
        cutoff=cutoff, first_seq=first_seq, cut_seq=cut_seq, deleted=deleted, checkpoint=path
    )


def _delete_prefix(connection, *, cut_seq: int) -> int:
    """Delete events up to cut_seq through the one path the triggers let through."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT journal_purge(%s)", [cut_seq])
            return cursor.fetchone()[0]
        cursor.execute("INSERT INTO journal_purge_window (upto_seq) VALUES (%s)", [cut_seq])
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq <= %s", [cut_seq])  # noqa: S608
        deleted = cursor.rowcount
        cursor.execute("DELETE FROM journal_purge_window")
        return deleted
