"""record(): append one event to the journal des accès, or fail the request.

Writers are serialized so that sequence numbers have no gaps and each event chains onto the
previous one: on PostgreSQL by a transaction-scoped advisory lock (LOCK TABLE would need
UPDATE/DELETE privileges, which the insert-only role lacks); on SQLite by the IMMEDIATE
transaction mode of the settings (checks.py refuses to start without it), which takes the
database write lock at BEGIN.

The journal is a separate database, so an event cannot share the business transaction. Call
record() inside the business `transaction.atomic()` block, before anything is shown: if the
journal fails, JournalUnavailable rolls the business write back and the request ends in a 503.
"""

import ipaddress
import logging
import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DatabaseError, InterfaceError, connections, router, transaction
from django.utils import timezone

from cellule.journal.chain import GENESIS, HASHED_FIELDS, event_hash, journal_key
from cellule.journal.enums import Action
from cellule.journal.exceptions import JournalUnavailable
from cellule.journal.models import AuditEvent

logger = logging.getLogger("cellule.journal")

# Key of the PostgreSQL advisory lock held by journal writers: b"celljrnl" read as an integer.
WRITER_LOCK_KEY = int.from_bytes(b"celljrnl", "big")
# A writer that waits longer fails (then the request, with a 503) instead of hanging; SQLite's
# busy_timeout in the settings plays the same part.
LOCK_TIMEOUT = "5s"

# What we accept from an upstream X-Request-ID header; anything else is replaced by our own id.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_REQUEST_ID_ATTR = "cellule_request_id"

# The request being served, so that events recorded deep in services and fetchers still carry
# its IP and request id. Bound by JournalUnavailableMiddleware.
current_request: ContextVar = ContextVar("cellule_journal_request", default=None)


def journal_db() -> str:
    return router.db_for_write(AuditEvent)


def request_id(request) -> str:
    """The request's correlation id: the proxy's X-Request-ID if sane, else one of ours, cached."""
    cached = getattr(request, _REQUEST_ID_ATTR, None)
    if cached is None:
        header = request.META.get("HTTP_X_REQUEST_ID", "")
        cached = header if _REQUEST_ID.fullmatch(header) else uuid.uuid4().hex
        setattr(request, _REQUEST_ID_ATTR, cached)
    return cached


def client_ip(request) -> str:
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).compressed
    except ValueError:
        return ""


@contextmanager
def writer_lock(*, using: str):
    """A transaction on the journal database during which no other process appends."""
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITER_LOCK_KEY])
        yield connection


def chain_head(*, using: str) -> tuple[int, str]:
    """(seq, hash) of the last event, or (0, GENESIS) for an empty journal."""
    last = AuditEvent.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
    return last or (0, GENESIS)


def append(*, using: str, head: tuple[int, str], fields: dict) -> AuditEvent:
    """Insert an event right after `head`. The caller holds writer_lock()."""
    prev_seq, prev_hash = head
    # The time is taken under the lock, so that times follow the sequence.
    fields = {**fields, "seq": prev_seq + 1, "time": timezone.now()}
    digest = event_hash(
        key=journal_key(), prev_hash=prev_hash, values=[fields[name] for name in HASHED_FIELDS]
    )
    return AuditEvent.objects.using(using).create(**fields, prev_hash=prev_hash, hash=digest)


def record(
    *,
    actor,
    action,
    target=None,
    target_type=None,
    target_id=None,
    target_ids=None,
    cell=None,
    reason="",
    request=None,
    role="",
) -> AuditEvent:
    """Journal one access and return the event; raise JournalUnavailable if it cannot be written.

    actor: the user, or None (anonymous, failed login). role: the actor's role for this access
    (the membership's role); defaults to the user's global role. target: a model instance, whose
    type, pk and cell_id fill target_type, target_id and cell unless given. target_ids: the ids
    a list page showed. cell: a cell or its id. Bad arguments raise ValueError, not
    JournalUnavailable: they are bugs, not outages.
    """
    if request is None:
        request = current_request.get()
    fields = event_fields(
        actor=actor,
        action=action,
        target=target,
        target_type=target_type,
        target_id=target_id,
        target_ids=target_ids,
        cell=cell,
        reason=reason,
        request=request,
        role=role,
    )
    using = journal_db()
    try:
        with writer_lock(using=using):
            return append(using=using, head=chain_head(using=using), fields=fields)
    except (DatabaseError, InterfaceError) as exc:
        logger.exception("Journal des accès : écriture impossible (%s).", fields["action"])
        raise JournalUnavailable("Le journal des accès ne peut pas être écrit.") from exc


def event_fields(
    *, actor, action, target, target_type, target_id, target_ids, cell, reason, request, role
) -> dict:
    """The stored fields of an event, checked and normalised (as they will read back)."""
    actor_pk = getattr(actor, "pk", None)
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target.pk if target_id is None else target_id
        cell = getattr(target, "cell_id", None) if cell is None else cell
    return {
        "actor_id": _uuid(actor_pk),
        "actor_organisation_id": _uuid(getattr(actor, "organisation_id", None))
        if actor_pk is not None
        else None,
        "actor_role": _bounded(
            "role", str(role or getattr(actor, "global_role", "") or ""), "actor_role"
        ),
        "action": Action(action).value,
        "target_type": _bounded("target_type", target_type or "", "target_type"),
        "target_id": _bounded(
            "target_id", "" if target_id is None else str(target_id), "target_id"
        ),
        "target_ids": [str(getattr(item, "pk", item)) for item in target_ids or ()],
        "cell_id": _uuid(getattr(cell, "pk", cell)),
        "reason": str(reason or "").replace("\x00", "").strip(),
        "request_id": request_id(request) if request is not None else "",
        "ip": client_ip(request) if request is not None else "",
    }


def _uuid(value) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def _bounded(argument: str, value: str, field: str) -> str:
    limit = AuditEvent._meta.get_field(field).max_length
    if len(value) > limit:
        raise ValueError(f"{argument} dépasse {limit} caractères : {value[:40]!r}…")
    return value
