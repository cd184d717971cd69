"""Parallel writers get gapless sequence numbers and one valid chain, on both databases.

Each thread opens its own connection to the test database, a file on SQLite as in production
(WAL, busy_timeout, IMMEDIATE transactions; config/settings.py)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from cellule import journal
from cellule.journal import recording
from cellule.journal.models import AuditEvent
from cellule.journal.recording import journal_db, writer_lock
from cellule.journal.verification import verify_journal

THREADS = 8
PER_THREAD = 25


@pytest.mark.django_db(databases="__all__", transaction=True)
def test_parallel_writers_get_gapless_seqs_and_one_valid_chain(committed_journal):
    start = threading.Barrier(THREADS)

    def writer(thread):
        try:
            start.wait()
            return [
                journal.record(actor=None, action="record_viewed", target_id=f"{thread}-{n}").seq
                for n in range(PER_THREAD)
            ]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        returned = [seq for seqs in pool.map(writer, range(THREADS)) for seq in seqs]

    total = THREADS * PER_THREAD
    assert sorted(returned) == list(range(1, total + 1))
    stored = list(AuditEvent.objects.values_list("seq", "target_id"))
    assert [seq for seq, _ in stored] == list(range(1, total + 1))
    assert len({target for _, target in stored}) == total
    verdict = verify_journal()
    assert verdict.ok, str(verdict)
    assert verdict.count == total


@pytest.mark.django_db(databases="__all__", transaction=True)
def test_a_writer_kept_waiting_fails_closed(committed_journal, monkeypatch):
    """Another writer holds the journal too long: record() raises instead of hanging."""
    holding, release = threading.Event(), threading.Event()

    def blocker():
        try:
            with writer_lock(using=journal_db()) as connection:
                if connection.vendor == "sqlite":  # BEGIN IMMEDIATE locks only at a write
                    journal.record(actor=None, action="login")
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    connection = connections[journal_db()]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 200")
    else:
        monkeypatch.setattr(recording, "LOCK_TIMEOUT", "200ms")
    thread = threading.Thread(target=blocker)
    thread.start()
    try:
        assert holding.wait(10)
        with pytest.raises(journal.JournalUnavailable):
            journal.record(actor=None, action="record_viewed")
    finally:
        release.set()
        thread.join()
        connection.close()  # the next one opens with the settings' busy_timeout
    assert journal.record(actor=None, action="record_viewed").seq == AuditEvent.objects.count()
