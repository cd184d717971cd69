"""The hash chain: each event's hash is HMAC-SHA256(journal key, prev_hash ‖ canonical JSON).

The canonical JSON holds every field but the two hashes: sorted keys, no whitespace, UTF-8
(no \\u escapes), UUIDs as lower-case hyphenated text, times as ISO 8601 in UTC with
microseconds. It is exactly `json.dumps(fields, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`, built by hand because verification speed matters (tests check the two
agree). The key lives outside the database: whoever can write to the journal cannot recompute
a chain.

Changing HASHED_FIELDS or the encoding breaks every past hash. A field added later must be
hashed only when it is set, so that older events keep verifying.
"""

import datetime
import hmac
import json
from json.encoder import encode_basestring  # the C string encoder json.dumps uses

from django.conf import settings

GENESIS = "0" * 64

# The model fields covered by the hash, in the order used everywhere values are passed.
HASHED_FIELDS = (
    "seq",
    "time",
    "actor_id",
    "actor_organisation_id",
    "actor_role",
    "action",
    "target_type",
    "target_id",
    "target_ids",
    "cell_id",
    "reason",
    "request_id",
    "ip",
)

_json_value = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode


def journal_key() -> bytes:
    return settings.CELLULE_JOURNAL_KEY


def canonical_time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _uuid(value) -> str:
    """A UUID as JSON text; also takes the 32 hex digits SQLite stores (no object built)."""
    if value is None:
        return "null"
    if type(value) is str and len(value) == 32:
        v = value
        return f'"{v[:8]}-{v[8:12]}-{v[12:16]}-{v[16:20]}-{v[20:]}"'
    # Anything else (a UUID, PostgreSQL's uuid::text) must print as the hyphenated form.
    return encode_basestring(str(value))


def canonical(values) -> bytes:
    """Canonical JSON of one event, from its values in HASHED_FIELDS order (keys sorted)."""
    (seq, time, actor_id, organisation_id, role, action, target_type, target_id, target_ids,
     cell_id, reason, request_id, ip) = values  # fmt: skip
    if type(seq) is not int:
        raise TypeError(f"seq {seq!r}")
    return (
        f'{{"action":{encode_basestring(action)},"actor_id":{_uuid(actor_id)},'
        f'"actor_organisation_id":{_uuid(organisation_id)},"actor_role":{encode_basestring(role)},'
        f'"cell_id":{_uuid(cell_id)},"ip":{encode_basestring(ip)},'
        f'"reason":{encode_basestring(reason)},"request_id":{encode_basestring(request_id)},'
        f'"seq":{seq},"target_id":{encode_basestring(target_id)},'
        f'"target_ids":{_json_value(target_ids)},"target_type":{encode_basestring(target_type)},'
        f'"time":"{canonical_time(time)}"}}'
    ).encode()


def event_hash(*, key: bytes, prev_hash: str, values) -> str:
    return hmac.digest(key, prev_hash.encode("ascii") + canonical(values), "sha256").hex()


def values_from_db(row) -> tuple:
    """Hashed values from a raw database row, as the ORM would give them to record().

    Raw rows are several times faster to read than the ORM's; this redoes its conversions
    (times and JSON come as text; UUIDs as SQLite's 32 hex digits or PostgreSQL's text, which
    canonical() takes as they are).
    ValueError/TypeError on a value that the ORM could not read either.
    """
    (seq, time, actor_id, organisation_id, role, action, target_type, target_id, target_ids,
     cell_id, reason, request_id, ip) = row  # fmt: skip
    if isinstance(time, str):
        time = datetime.datetime.fromisoformat(time)
    if time.tzinfo is None:
        time = time.replace(tzinfo=datetime.UTC)  # Django stores naive UTC in SQLite
    if isinstance(target_ids, str):
        target_ids = [] if target_ids == "[]" else json.loads(target_ids)
    return (seq, time, actor_id, organisation_id, role, action, target_type, target_id,
            target_ids, cell_id, reason, request_id, ip)  # fmt: skip
