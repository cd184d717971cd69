"""Bulk journal events that form a valid chain, made with the journal's own hash code.

``record()`` appends one event per transaction; loading millions that way would take hours.
Here the chain is computed in Python, a batch at a time, with ``cellule.journal.chain`` (the code
``record()`` and ``journal_verify`` use), and each batch is inserted while holding the journal's
writer lock (``recording.writer_lock``) right after the head read under that lock: a live writer
may run at the same time and the sequence still has no gap. PostgreSQL gets the rows by
``COPY``; SQLite (local try, tests) by ``bulk_create``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from cellule.journal.chain import HASHED_FIELDS, event_hash

COLUMNS = (*HASHED_FIELDS, "prev_hash", "hash")


def chain_batch(
    events: Iterable[tuple], *, key: bytes, head: tuple[int, str]
) -> tuple[list[tuple], tuple[int, str]]:
    """Number and chain events after ``head``.

    events: tuples of the hashed values in HASHED_FIELDS order without ``seq`` (time first), as
    ``recording.event_fields`` makes them (aware datetimes, UUIDs or their text, target_ids a
    list of strings). Returns the rows (HASHED_FIELDS values, prev_hash, hash) and the new head.
    """
    seq, prev_hash = head
    rows = []
    for values in events:
        seq += 1
        full = (seq, *values)
        digest = event_hash(key=key, prev_hash=prev_hash, values=full)
        rows.append((*full, prev_hash, digest))
        prev_hash = digest
    return rows, (seq, prev_hash)


def insert_rows(connection, rows: list[tuple]) -> None:
    """Insert chained rows on ``connection`` (the journal's), inside the caller's transaction."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        from cellule.journal.models import AuditEvent

        quote = connection.ops.quote_name
        table = quote(AuditEvent._meta.db_table)
        columns = ", ".join(quote(name) for name in COLUMNS)
        ids_at = COLUMNS.index("target_ids")
        statement = f"COPY {table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                row = list(row)
                row[ids_at] = json.dumps(row[ids_at])
                copy.write_row(row)
        return
    from cellule.journal.models import AuditEvent

    AuditEvent.objects.using(connection.alias).bulk_create(
        [AuditEvent(**dict(zip(COLUMNS, row, strict=True))) for row in rows], batch_size=500
    )


def append_batches(batches: Iterable[list[tuple]], *, key: bytes, using: str) -> tuple[int, str]:
    """Append each batch of events (see chain_batch) to the journal; return the final head."""
    from cellule.journal.recording import chain_head, writer_lock

    head = None
    for events in batches:
        with writer_lock(using=using) as connection:
            rows, head = chain_batch(events, key=key, head=chain_head(using=using))
            insert_rows(connection, rows)
    return head or chain_head(using=using)
