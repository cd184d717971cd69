from django.db import connections

from cellule.journal.checks import journal_database
from cellule.journal.recording import journal_db
from tests.journal.helpers import sqlite_only


def test_the_configured_journal_database_passes():
    assert journal_database(None) == []


@sqlite_only
def test_sqlite_without_immediate_transactions_is_refused_at_start(monkeypatch):
    connection = connections[journal_db()]
    options = {**connection.settings_dict["OPTIONS"], "transaction_mode": "DEFERRED"}
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    assert [error.id for error in journal_database(None)] == ["journal.E001"]
