"""Walk the whole chain and name the first event that does not hold (architecture §9).

Detected: an edited event (its HMAC fails), a deleted one (a gap in seq), a reordered pair or
an inserted one (seq and prev_hash are hashed, so the HMAC or the chaining fails), missing
events at the start (only a signed purge checkpoint may justify a start after seq 1) and a
truncated tail (a signed checkpoint names a later event than the last one found).
"""

import hmac
import itertools
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from django.db import connections, transaction

from cellule.journal.chain import GENESIS, HASHED_FIELDS, event_hash, journal_key, values_from_db
from cellule.journal.checkpoints import (
    CUT,
    HEAD,
    CheckpointError,
    load_checkpoints,
    write_checkpoint,
)
from cellule.journal.models import AuditEvent
from cellule.journal.recording import journal_db

_N = len(HASHED_FIELDS)


@dataclass(frozen=True)
class Verdict:
    count: int
    last_seq: int = 0  # the last event verified (0 if none)
    bad_seq: int | None = None
    problem: str = ""
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return self.bad_seq is None

    def __str__(self) -> str:
        if self.ok:
            return f"OK {self.count} events"
        return f"ERREUR seq {self.bad_seq}: {self.problem}"


def verify_journal(*, chunk_size: int = 5000) -> Verdict:
    try:
        checkpoints = load_checkpoints()
    except CheckpointError as exc:
        return Verdict(count=0, bad_seq=exc.seq, problem=exc.message)
    cuts = {cp.seq: cp for cp in checkpoints if cp.kind == CUT}
    claims: dict[int, list] = {}
    for cp in checkpoints:
        claims.setdefault(cp.seq, []).append(cp)

    key = journal_key()
    count = 0
    expected_seq = None
    prev_hash = None
    with _rows(chunk_size=chunk_size) as rows:
        for row in rows:
            seq = row[0]
            if expected_seq is None:
                expected_seq, prev_hash, problem = _start(seq=seq, cuts=cuts)
                if problem:
                    return Verdict(count=0, bad_seq=expected_seq, problem=problem)
            if seq != expected_seq:
                return Verdict(
                    count=count,
                    bad_seq=expected_seq,
                    problem=f"événement manquant (l'événement suivant présent est la seq {seq})",
                )
            if row[_N] != prev_hash:
                return Verdict(
                    count=count,
                    bad_seq=seq,
                    problem="chaînage rompu : l'empreinte précédente ne correspond pas",
                )
            try:
                digest = event_hash(key=key, prev_hash=prev_hash, values=values_from_db(row[:_N]))
            except (ValueError, TypeError, AttributeError):
                digest = ""  # a value the application could not even read: altered
            if not hmac.compare_digest(digest, row[_N + 1]):
                return Verdict(
                    count=count,
                    bad_seq=seq,
                    problem="empreinte invalide : événement modifié, déplacé ou inséré",
                )
            for cp in claims.get(seq, ()):
                if cp.hash != row[_N + 1]:
                    return Verdict(
                        count=count,
                        bad_seq=seq,
                        problem=f"ne correspond pas au point de contrôle signé {cp.name}",
                    )
            count += 1
            expected_seq = seq + 1
            prev_hash = row[_N + 1]

    if claims:
        last_claim = claims[max(claims)][0]
        if expected_seq is None:
            # Empty: events up to the last cut may have been purged, but the purge itself
            # journals an event right after its cut.
            return Verdict(
                count=0,
                bad_seq=max(cuts, default=0) + 1,
                problem=f"journal vide, alors que le point de contrôle signé {last_claim.name} "
                f"atteste la seq {last_claim.seq}",
            )
        if last_claim.seq >= expected_seq:
            return Verdict(
                count=count,
                bad_seq=expected_seq,
                problem=f"fin du journal tronquée : le point de contrôle signé {last_claim.name} "
                f"atteste la seq {last_claim.seq}",
            )
    last_seq = 0 if expected_seq is None else expected_seq - 1
    return Verdict(count=count, last_seq=last_seq, checkpoints=len(checkpoints))


@contextmanager
def _rows(*, chunk_size: int):
    """Every event as a raw row (HASHED_FIELDS, prev_hash, hash), by seq, streamed.

    One query, hence one snapshot. On PostgreSQL a server-side cursor, inside a transaction so
    that it needs no WITH HOLD; SQLite streams a plain cursor (a transaction would take its
    write lock, IMMEDIATE mode, and stop every writer for the whole walk).
    """
    using = journal_db()
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = [quote(name) for name in (*HASHED_FIELDS, "prev_hash", "hash")]
    if connection.vendor == "postgresql":
        # As text, half the fetch time of psycopg's datetime and UUID objects.
        for name in ("actor_id", "actor_organisation_id", "cell_id"):
            columns[HASHED_FIELDS.index(name)] += "::text"
        columns[HASHED_FIELDS.index("time")] = (
            f"to_char({quote('time')} AT TIME ZONE 'UTC', "
            """'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
        )
    columns = ", ".join(columns)
    table = quote(AuditEvent._meta.db_table)
    in_transaction = (
        transaction.atomic(using=using) if connection.vendor == "postgresql" else nullcontext()
    )
    with in_transaction, connection.chunked_cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} ORDER BY seq")  # noqa: S608
        yield itertools.chain.from_iterable(iter(lambda: cursor.fetchmany(chunk_size), []))


def _start(*, seq: int, cuts: dict) -> tuple[int, str | None, str]:
    """Where the chain must start, given its first event: (expected seq, prev hash, problem)."""
    if seq == 1:
        return 1, GENESIS, ""
    anchor = cuts.get(seq - 1)
    if anchor is not None:
        return seq, anchor.hash, ""
    # No purge ended right before this event: name the first event that should be there.
    first_expected = max((cut for cut in cuts if cut < seq), default=0) + 1
    return (
        first_expected,
        None,
        f"événements manquants au début du journal (premier présent : seq {seq}, "
        "sans point de contrôle de purge qui le justifie)",
    )


class HeadNotVerified(Exception):
    """The last event does not verify: no checkpoint may vouch for it."""


def checkpoint_head():
    """Write a signed head checkpoint; None for an empty journal.

    The head event's own hash is checked first: a checkpoint must not vouch for a forged event.
    """
    row = (
        AuditEvent.objects.using(journal_db())
        .order_by("-seq")
        .values_list(*HASHED_FIELDS, "prev_hash", "hash")
        .first()
    )
    if row is None:
        return None
    seq, prev_hash, digest = row[0], row[_N], row[_N + 1]
    if not hmac.compare_digest(
        event_hash(key=journal_key(), prev_hash=prev_hash, values=row[:_N]), digest
    ):
        raise HeadNotVerified(f"l'événement seq {seq} ne se vérifie pas")
    return write_checkpoint(kind=HEAD, seq=seq, hash=digest)
