"""After the purge, a canary person is nowhere in either database: not their name in any form,
not one of their ciphertexts, not their wrapped data key, not their id — free pages included.

SQLite keeps deleted rows in its free pages; production runs with ``PRAGMA secure_delete=ON``
(config/settings.py: deleted content is overwritten with zeros) and the purge checkpoints and
truncates the write-ahead log. The copy below is SQLite's page-by-page backup (free pages
included), not ``VACUUM INTO``, which would rebuild the file and hide leftovers. On PostgreSQL,
``pg_dump`` is read (dead tuples wait for VACUUM: see docs/privacy.md).

Transactional tests: the rows must be committed for the copy and for pg_dump to see them.
"""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connections

from cellule.cases import services as case_services
from cellule.people.models import LegalRepresentative, Person, PersonKey
from cellule.privacy import purge
from cellule.reports.models import Signalement
from config import settings as project_settings
from tests.cases.factories import open_situation
from tests.people.factories import representative
from tests.people.test_canary import CANARY_FIRST, CANARY_LAST, canary_forms, postgres_dump
from tests.privacy.factories import qualified_signalement

START = datetime(2015, 1, 5, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
CANARY_NOTE = "Zorglubienne"


def raw_bytes(alias: str, tmp_path) -> bytes:
    connection = connections[alias]
    if connection.vendor == "postgresql":
        return postgres_dump(alias)
    if connection.vendor != "sqlite":
        pytest.skip(f"Pas de copie brute prévue pour le moteur {connection.vendor}.")
    connection.ensure_connection()
    target = tmp_path / f"{alias}-copy.sqlite3"
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)  # page by page: free pages come along
    finally:
        copy.close()
    return target.read_bytes()


def secrets_of(person) -> list[bytes]:
    """Every ciphertext stored for the person, their wrapped data key, and their id."""
    blobs = [bytes(PersonKey.objects.get(person=person).wrapped_key)]
    rows = [Person.objects.get(pk=person.pk), *LegalRepresentative.objects.filter(person=person)]
    rows += list(Signalement.objects.filter(person=person))
    for situation in person.situations.all():
        rows += [situation, *situation.notes.all(), *situation.events.all()]
    for row in rows:
        for field in row._meta.fields:
            if field.name.endswith("_encrypted") and getattr(row, field.attname) is not None:
                blobs.append(bytes(getattr(row, field.attname)))
    return blobs


def id_forms(pk) -> list[bytes]:
    return [str(pk).encode(), pk.hex.encode(), pk.bytes]


def leaks(data: bytes, person_id, blobs) -> list:
    found = [form for form in canary_forms() if form in data]
    found += [form for form in (CANARY_NOTE.encode(),) if form in data]
    found += [f"id {form!r}" for form in id_forms(person_id) if form in data]
    for blob in blobs:
        # A ciphertext as stored (bytes) or as pg_dump writes it (hex text).
        if blob in data or blob.hex().encode() in data:
            found.append(f"chiffré de {len(blob)} octets")
    return found


@pytest.fixture
def canary(cell, coordinator):
    """A minor reported and followed, closed three years and more before the purge."""
    with time_machine.travel(START, tick=False):
        situation = open_situation(
            cell, by=coordinator, last_name=CANARY_LAST, first_name=CANARY_FIRST
        )
        from cellule.people import services as people_services

        people_services.add_legal_representative(
            person=situation.person, representative=representative(), by=coordinator
        )
        case_services.add_note(
            situation=situation, text=f"Rencontre avec {CANARY_NOTE}.", by=coordinator
        )
        situation = case_services.close_situation(
            situation=situation,
            reason="goals_met",
            text="Fin.",
            reviews=[
                case_services.TextReview(key=item["key"], decision="keep")
                for item in case_services.free_texts(situation)
            ],
            by=coordinator,
        )
        report = qualified_signalement(
            cell, by=coordinator, closed="unfounded", last_name="Autre", first_name="Anne"
        )
    return situation.person, report


@pytest.mark.django_db(transaction=True, databases="__all__")
@pytest.mark.parametrize("alias", ["default", "journal"])
def test_after_the_purge_the_canary_is_nowhere_in_the_database(canary, tmp_path, alias):
    person, _ = canary
    person_id = person.pk
    blobs = secrets_of(person)
    assert len(blobs) > 8
    before = raw_bytes(alias, tmp_path)
    if alias == "default":  # the check sees what is there: the ciphertexts, the id
        assert leaks(before, person_id, blobs)

    with time_machine.travel(START + 4 * 365 * DAY, tick=False):
        report = purge.run_purge()

    assert not Person.objects.filter(pk=person_id).exists()
    assert report.certificate.journal_deleted > 0
    assert leaks(raw_bytes(alias, tmp_path), person_id, blobs) == []


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_without_secure_delete_the_leftovers_would_be_found(canary, tmp_path):
    """Control: the same purge with SQLite's secure_delete off leaves the deleted rows' bytes
    in free pages, and the check above sees them."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        pytest.skip("Contrôle propre à SQLite.")
    person, _ = canary
    blobs = secrets_of(person)
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete=OFF")
    try:
        with time_machine.travel(START + 4 * 365 * DAY, tick=False):
            purge.run_purge()
        assert leaks(raw_bytes("default", tmp_path), person.pk, blobs)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete=ON")


@pytest.mark.django_db
def test_sqlite_runs_with_secure_delete_on_every_connection():
    for alias in ("default", "journal"):
        connection = connections[alias]
        if connection.vendor != "sqlite":
            pytest.skip("Réglage propre à SQLite.")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete")
            assert cursor.fetchone()[0] == 1


def test_the_write_ahead_log_keeps_nothing_after_the_purge_compaction(tmp_path):
    """A file database configured as production's (the settings' init_command): a deleted row
    survives in the write-ahead log until the purge's checkpoint truncates it."""
    path = tmp_path / "production-like.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.executescript(project_settings._SQLITE_OPTIONS["init_command"])
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.execute("CREATE TABLE t (v blob)")
    connection.execute("INSERT INTO t VALUES (?)", [CANARY_LAST.encode() * 4])
    connection.execute("DELETE FROM t")

    def files() -> bytes:
        return b"".join(p.read_bytes() for p in tmp_path.glob("production-like.sqlite3*"))

    assert CANARY_LAST.encode() in files()  # the log still holds the insert
    connection.execute(purge.SQLITE_COMPACTION)
    assert CANARY_LAST.encode() not in files()
    connection.close()
