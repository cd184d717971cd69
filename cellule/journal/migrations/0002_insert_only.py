"""Insert-only storage: the database itself refuses UPDATE, DELETE and TRUNCATE on the journal.

One exception, the retention purge (cellule/journal/retention.py): it may delete a prefix of the
chain (seq <= its cut) made of events older than six months (less one day of slack for clock
skew between the application and the database), and only while it announces itself:

- PostgreSQL: through journal_purge(upto), a SECURITY DEFINER function that sets
  cellule.journal_purge_upto for its own transaction, which the trigger checks. The insert-only
  role (manage.py journal_sql_roles) may EXECUTE it but holds no DELETE privilege: it cannot
  delete any other way. The triggers are ENABLE ALWAYS, so session_replication_role = replica
  does not skip them.
- SQLite: the purge writes its cut into journal_purge_window inside its transaction and empties
  it before committing. SQLite has no privileges: the triggers stop the application's mistakes;
  the hash chain and the external checkpoints reveal the rest.

TRUNCATE of an empty table is let through: it changes nothing, and the test runner's flush
issues one on every database.
"""

from django.db import migrations

TABLE = "journal_auditevent"
MESSAGE = "journal des accès : modification interdite"

SQLITE_FORWARD = [
    "CREATE TABLE journal_purge_window (upto_seq bigint NOT NULL)",
    f"""CREATE TRIGGER journal_auditevent_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER journal_auditevent_no_delete BEFORE DELETE ON {TABLE}
WHEN NOT (
    OLD.seq <= (SELECT coalesce(max(upto_seq), 0) FROM journal_purge_window)
    AND OLD."time" < strftime('%Y-%m-%d %H:%M:%f', 'now', '-6 months', '+1 day')
)
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER journal_auditevent_no_delete",
    "DROP TRIGGER journal_auditevent_no_update",
    "DROP TABLE journal_purge_window",
]


def postgresql_forward(schema):
    table = f"{schema}.{TABLE}"
    return [
        f"""CREATE FUNCTION {schema}.journal_auditevent_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    upto text := current_setting('cellule.journal_purge_upto', true);
BEGIN
    IF TG_OP = 'DELETE' AND upto ~ '^[0-9]{{1,18}}$' AND OLD.seq <= upto::bigint
       AND OLD."time" < now() - interval '6 months' + interval '1 day' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{MESSAGE} (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$""",
        f"""CREATE FUNCTION {schema}.journal_auditevent_guard_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM {table}) THEN
        RAISE EXCEPTION '{MESSAGE} (TRUNCATE)' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$""",
        f"""CREATE TRIGGER journal_auditevent_no_change BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION {schema}.journal_auditevent_guard()""",
        f"""CREATE TRIGGER journal_auditevent_no_truncate BEFORE TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION {schema}.journal_auditevent_guard_truncate()""",
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER journal_auditevent_no_change",
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER journal_auditevent_no_truncate",
        f"""CREATE FUNCTION {schema}.journal_purge(upto bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    deleted bigint;
BEGIN
    PERFORM set_config('cellule.journal_purge_upto', upto::text, true);
    DELETE FROM {table} WHERE seq <= upto;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    PERFORM set_config('cellule.journal_purge_upto', '', true);
    RETURN deleted;
END
$$""",
        f"REVOKE ALL ON FUNCTION {schema}.journal_purge(bigint) FROM PUBLIC",
    ]


def postgresql_backward(schema):
    return [
        f"DROP FUNCTION {schema}.journal_purge(bigint)",
        f"DROP TRIGGER journal_auditevent_no_truncate ON {schema}.{TABLE}",
        f"DROP TRIGGER journal_auditevent_no_change ON {schema}.{TABLE}",
        f"DROP FUNCTION {schema}.journal_auditevent_guard_truncate()",
        f"DROP FUNCTION {schema}.journal_auditevent_guard()",
    ]


def _statements(schema_editor, *, forward):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        return SQLITE_FORWARD if forward else SQLITE_BACKWARD
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            schema = connection.ops.quote_name(cursor.fetchone()[0])
        return postgresql_forward(schema) if forward else postgresql_backward(schema)
    raise NotImplementedError(
        f"Journal des accès : base {connection.vendor!r} non prise en charge (SQLite ou PostgreSQL)."
    )


def forwards(apps, schema_editor):
    for sql in _statements(schema_editor, forward=True):
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    for sql in _statements(schema_editor, forward=False):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("journal", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
