"""Unusual reading patterns: a user who opens many distinct files in an hour is worth a look.

Run hourly by ``manage.py journal_watch`` (and by ``manage.py run_periodic``). The DPO gets an
``unusual_reading`` notification (cellule.alerts: e-mailed at once, no personal data), and the
alert itself is a journal event (action ``unusual_reading``, target = the reader's account),
which the DPO finds in the journal screen.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count

from cellule.journal.enums import Action
from cellule.journal.models import AuditEvent

# Reads of these kinds of records count (a list page counts once, as a list).
WATCHED_TYPES = ("people.person", "cases.situation")


@dataclass(frozen=True)
class UnusualReader:
    actor_id: object
    distinct_records: int
    cell_ids: frozenset


def threshold() -> int:
    return getattr(settings, "CELLULE_UNUSUAL_READS_PER_HOUR", 20)


def unusual_readers(*, window_end: datetime, limit: int | None = None) -> list[UnusualReader]:
    """Users who read more than `limit` distinct watched records in the hour before window_end."""
    limit = threshold() if limit is None else limit
    reads = AuditEvent.objects.filter(
        action=Action.RECORD_VIEWED,
        target_type__in=WATCHED_TYPES,
        time__gt=window_end - timedelta(hours=1),
        time__lte=window_end,
        actor_id__isnull=False,
    )
    counts = (
        reads.values("actor_id")
        .annotate(distinct_records=Count("target_id", distinct=True))
        .filter(distinct_records__gt=limit)
    )
    readers = []
    for row in counts:
        cells = reads.filter(actor_id=row["actor_id"]).values_list("cell_id", flat=True).distinct()
        readers.append(
            UnusualReader(
                row["actor_id"], row["distinct_records"], frozenset(c for c in cells if c)
            )
        )
    return readers


def raise_alerts(*, window_end: datetime, base_url: str = "") -> list[UnusualReader]:
    """Records one alert per reader and hour, and tells the DPOs of the cells concerned.

    (base_url is no longer used: the e-mail's link comes from CELLULE_BASE_URL.)"""
    from cellule.accounts.models import Cell, User
    from cellule.alerts.services import notify
    from cellule.journal import record

    alerted = []
    for reader in unusual_readers(window_end=window_end):
        already = AuditEvent.objects.filter(
            action=Action.UNUSUAL_READING,
            target_id=str(reader.actor_id),
            time__gt=window_end - timedelta(hours=1),
        ).exists()
        if already:
            continue
        events = [
            record(
                actor=None,
                action=Action.UNUSUAL_READING,
                target_type="accounts.user",
                target_id=str(reader.actor_id),
                cell=cell_id,
                reason=f"{reader.distinct_records} fiches distinctes en une heure (seuil : {threshold()})",
            )
            for cell_id in reader.cell_ids or {None}
        ]
        organisations = Cell.objects.filter(pk__in=reader.cell_ids).values_list(
            "organisation_id", flat=True
        )
        dpos = User.objects.filter(
            global_role="dpo", is_active=True, organisation_id__in=organisations
        )
        notify(
            kind="unusual_reading",
            recipients=dpos,
            cell=next(iter(reader.cell_ids)) if len(reader.cell_ids) == 1 else None,
            target=("accounts.user", reader.actor_id),
            key=f"journal:{events[0].seq}",
        )
        alerted.append(reader)
    return alerted
