"""Insert-only storage: the database refuses changes, whatever the application asks."""

import datetime
import uuid
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connections, transaction

from cellule import journal
from cellule.journal.models import AuditEvent
from cellule.journal.recording import journal_db
from tests.journal.helpers import TABLE, postgresql_only, sqlite_only

pytestmark = pytest.mark.django_db(databases="__all__")


def _refused(sql, params=()) -> DatabaseError:
    """Run a statement in a savepoint and return the error the database raised."""
    connection = connections[journal_db()]
    with (
        pytest.raises(DatabaseError) as caught,
        transaction.atomic(using=journal_db()),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    return caught.value


def _events(count=3):
    return [journal.record(actor=None, action="login_failed") for _ in range(count)]


def _old_events(count=3):
    with time_machine.travel(datetime.datetime(2023, 1, 15, tzinfo=datetime.UTC)):
        return _events(count)


def test_update_and_delete_are_refused(db):
    _events()
    with (
        pytest.raises(DatabaseError, match="modification interdite"),
        transaction.atomic(using=journal_db()),
    ):
        AuditEvent.objects.filter(seq=2).update(reason="effacé")
    with (
        pytest.raises(DatabaseError, match="modification interdite"),
        transaction.atomic(using=journal_db()),
    ):
        AuditEvent.objects.filter(seq=3).delete()
    assert list(AuditEvent.objects.values_list("seq", "reason")) == [(1, ""), (2, ""), (3, "")]


def test_even_old_events_cannot_be_deleted_outside_the_purge(db):
    _old_events()
    assert "modification interdite" in str(_refused(f"DELETE FROM {TABLE} WHERE seq = 1"))
    assert AuditEvent.objects.count() == 3


def test_the_purge_path_still_refuses_recent_events(db):
    """Even a purge cut covering them cannot delete events younger than six months."""
    _events()
    connection = connections[journal_db()]
    if connection.vendor == "postgresql":
        message = _refused("SELECT journal_purge(3)")
    else:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO journal_purge_window (upto_seq) VALUES (3)")
        message = _refused(f"DELETE FROM {TABLE} WHERE seq <= 3")
    assert "modification interdite" in str(message)
    assert AuditEvent.objects.count() == 3


def test_the_purge_path_deletes_only_up_to_its_cut(db):
    _old_events(3)
    connection = connections[journal_db()]
    with transaction.atomic(using=journal_db()), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT journal_purge(2)")
        else:
            cursor.execute("INSERT INTO journal_purge_window (upto_seq) VALUES (2)")
            cursor.execute(f"DELETE FROM {TABLE} WHERE seq <= 2")
            cursor.execute("DELETE FROM journal_purge_window")
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [3]
    assert "modification interdite" in str(_refused(f"DELETE FROM {TABLE} WHERE seq = 3"))


@postgresql_only
def test_postgresql_refuses_truncate_and_keeps_triggers_under_replica_mode(db):
    _events()
    assert "modification interdite" in str(_refused(f"TRUNCATE {TABLE}"))
    with connections[journal_db()].cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND NOT tgisinternal",
            [TABLE],
        )
        assert cursor.fetchall() == [("A",)]  # ENABLE ALWAYS
        cursor.execute("SET LOCAL session_replication_role = replica")
    assert "modification interdite" in str(_refused(f"UPDATE {TABLE} SET reason = 'x'"))
    assert "modification interdite" in str(_refused(f"DELETE FROM {TABLE}"))
    assert AuditEvent.objects.count() == 3


def test_sql_roles_prints_an_insert_only_grant(db):
    out = StringIO()
    call_command("journal_sql_roles", "--role", "journal_app", stdout=out)
    sql = out.getvalue()
    assert 'GRANT SELECT, INSERT ON TABLE "public"."journal_auditevent" TO "journal_app"' in sql
    assert "REVOKE UPDATE, DELETE, TRUNCATE" in sql
    assert "GRANT UPDATE" not in sql and "GRANT DELETE" not in sql
    assert "journal_purge(bigint)" in sql


def test_sql_roles_rejects_odd_role_names(db):
    with pytest.raises(CommandError, match="Nom de rôle invalide"):
        call_command("journal_sql_roles", "--role", 'x"; DROP TABLE journal_auditevent; --')


@sqlite_only
def test_sql_roles_cannot_apply_on_sqlite(db):
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("journal_sql_roles", "--apply")


@postgresql_only
def test_the_application_role_can_only_insert_and_purge(db):
    _old_events(2)
    role = f"journal_test_{uuid.uuid4().hex[:12]}"
    call_command("journal_sql_roles", "--role", role, "--apply", stdout=StringIO())
    connection = connections[journal_db()]
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{role}"')
    try:
        assert journal.record(actor=None, action="login").seq == 3
        for sql in (
            f"UPDATE {TABLE} SET reason = 'x'",
            f"DELETE FROM {TABLE} WHERE seq = 1",
            f"TRUNCATE {TABLE}",
        ):
            error = _refused(sql)
            assert error.__cause__.sqlstate == "42501"  # insufficient_privilege
        with connection.cursor() as cursor:
            cursor.execute("SELECT journal_purge(1)")
            assert cursor.fetchone() == (1,)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [2, 3]


@postgresql_only
def test_sql_roles_refuses_the_table_owner(db):
    with connections[journal_db()].cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
    with pytest.raises(CommandError, match="propriétaire"):
        call_command("journal_sql_roles", "--role", owner, "--apply")


@postgresql_only
def test_postgresql_lets_the_test_runner_truncate_an_empty_journal(db):
    with connections[journal_db()].cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}")  # what the flush of transactional tests does
    _events(1)
    assert "modification interdite" in str(_refused(f"TRUNCATE {TABLE}"))
