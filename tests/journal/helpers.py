"""Tools for journal tests: tamper with the stored chain, and empty it after committed tests.

The triggers refuse UPDATE and DELETE, so tampering goes through triggers_disabled(): on
PostgreSQL `ALTER TABLE … DISABLE TRIGGER` then `ENABLE ALWAYS TRIGGER` (what the table owner
or a superuser could do); on SQLite the triggers are dropped and re-created from the SQL that
sqlite_master keeps. Inside a `db` test both are also undone by the test's rollback.
"""

from contextlib import contextmanager

import pytest
from django.db import connections, transaction

from cellule.journal.models import AuditEvent
from cellule.journal.recording import journal_db

TABLE = AuditEvent._meta.db_table


@contextmanager
def triggers_disabled():
    connection = connections[journal_db()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [TABLE],
            )
            names = [name for (name,) in cursor.fetchall()]
            for name in names:
                cursor.execute(f'ALTER TABLE {TABLE} DISABLE TRIGGER "{name}"')
            try:
                yield cursor
            finally:
                for name in names:
                    cursor.execute(f'ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER "{name}"')
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            try:
                yield cursor
            finally:
                for _name, sql in triggers:
                    cursor.execute(sql)


def tamper(sql: str, params=()):
    """Run one statement on the journal table as someone who bypasses the triggers."""
    with transaction.atomic(using=journal_db()), triggers_disabled() as cursor:
        cursor.execute(sql, params)


def wipe_journal():
    """Empty the journal: the test runner's flush cannot, the triggers refuse it."""
    tamper(f"DELETE FROM {TABLE}")


ON_POSTGRESQL = connections[journal_db()].vendor == "postgresql"
postgresql_only = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="PostgreSQL only: roles, TRUNCATE and replica mode do not exist in SQLite",
)
sqlite_only = pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite only")
