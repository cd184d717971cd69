import datetime
import json
import uuid

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from cellule import journal
from cellule.journal.chain import HASHED_FIELDS, canonical
from cellule.journal.models import AuditEvent
from cellule.journal.verification import verify_journal

offsets = st.sampled_from([0, 60, -300, 330]).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)
event_values = st.tuples(
    st.integers(min_value=1, max_value=2**62),
    st.datetimes(
        min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2200, 1, 1)
    ).flatmap(lambda moment: offsets.map(lambda tz: moment.replace(tzinfo=tz))),
    st.none() | st.uuids(),
    st.none() | st.uuids(),
    st.text(max_size=40),
    st.text(max_size=40),
    st.text(max_size=100),
    st.text(max_size=100),
    st.lists(st.text(max_size=36), max_size=5),
    st.none() | st.uuids(),
    st.text(),
    st.text(max_size=64),
    st.text(max_size=45),
)


def _reference(values) -> bytes:
    """The specification: json.dumps of the fields, sorted, compact, UTF-8, UTC ISO times."""
    fields = dict(zip(HASHED_FIELDS, values, strict=True))
    fields["time"] = fields["time"].astimezone(datetime.UTC).isoformat(timespec="microseconds")
    for name in ("actor_id", "actor_organisation_id", "cell_id"):
        fields[name] = None if fields[name] is None else str(fields[name])
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@given(event_values)
def test_canonical_is_exactly_sorted_compact_json(values):
    assert canonical(values) == _reference(values)


def test_canonical_reads_sqlite_hex_uuids_as_the_objects():
    pk = uuid.uuid4()
    moment = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    base = [1, moment, pk, None, "", "login", "", "", [], pk, "", "", ""]
    raw = [*base]
    raw[2] = raw[9] = pk.hex
    assert canonical(raw) == canonical(base)


TRICKY = [
    'guillemets " et barre \\ oblique',
    "retour\nà la ligne\tet tabulation",
    "émoji 🙂, accents éàç, espace insécable\u00a0",
    "contrôle \u0001\u001f",
    "",
]


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("text", TRICKY)
def test_what_is_stored_reads_back_to_the_same_hash(text):
    """Each database's raw values (text times, hex or text UUIDs, JSON text) hash as written."""
    with time_machine.travel(datetime.datetime(2025, 5, 4, 3, 2, 1, tzinfo=datetime.UTC)):
        journal.record(  # a whole second: SQLite stores the time without a fraction
            actor=None, action="list_viewed", reason=text, target_ids=[text, "b"], cell=uuid.uuid4()
        )
    journal.record(actor=None, action="record_viewed", reason=text, target_id=text[:100])
    verdict = verify_journal()
    assert verdict.ok, str(verdict)
    assert verdict.count == 2
    assert AuditEvent.objects.get(seq=1).reason == text.strip()
