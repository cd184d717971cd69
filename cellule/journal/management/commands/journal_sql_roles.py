"""The PostgreSQL role the application uses on the journal database: SELECT and INSERT only.

Migrations run as the tables' owner; the application connects (JOURNAL_DATABASE_URL) as this
role, which cannot UPDATE, DELETE or TRUNCATE (SQLSTATE 42501) and purges only through the
journal_purge() function. There is no sequence to grant: seq is assigned by the application.
"""

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from cellule.journal.models import AuditEvent
from cellule.journal.recording import journal_db

_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def role_statements(*, role: str, database: str, schema: str, quote) -> list[str]:
    table = f"{quote(schema)}.{quote(AuditEvent._meta.db_table)}"
    return [
        f"""DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
        CREATE ROLE {quote(role)} LOGIN;
    END IF;
END $$""",
        f"GRANT CONNECT ON DATABASE {quote(database)} TO {quote(role)}",
        f"GRANT USAGE ON SCHEMA {quote(schema)} TO {quote(role)}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON TABLE {table} "
        f"FROM {quote(role)}, PUBLIC",
        f"GRANT SELECT, INSERT ON TABLE {table} TO {quote(role)}",
        f"GRANT EXECUTE ON FUNCTION {quote(schema)}.journal_purge(bigint) TO {quote(role)}",
    ]


class Command(BaseCommand):
    help = (
        "Affiche (ou applique avec --apply) le SQL PostgreSQL qui crée le rôle applicatif du "
        "journal des accès : lecture et ajout seulement, ni modification, ni suppression."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", default="cellule_journal", help="nom du rôle à créer")
        parser.add_argument(
            "--apply", action="store_true", help="exécute le SQL sur la base du journal"
        )

    def handle(self, *args, role, apply, **options):
        if not _ROLE_NAME.fullmatch(role):
            raise CommandError(
                "Nom de rôle invalide : lettres minuscules, chiffres et « _ », 63 caractères au plus."
            )
        using = journal_db()
        connection = connections[using]
        postgresql = connection.vendor == "postgresql"
        if apply and not postgresql:
            raise CommandError(
                "--apply exige une base du journal PostgreSQL : SQLite n'a pas de rôles "
                "(ses déclencheurs refusent déjà modifications et suppressions)."
            )
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_schema()")
                schema = cursor.fetchone()[0]
            database = connection.settings_dict["NAME"]
        else:
            schema, database = "public", "cellule_journal"
        statements = role_statements(
            role=role, database=database, schema=schema, quote=_quote_identifier
        )
        if not apply:
            self.stdout.write(
                "-- Rôle applicatif du journal des accès : SELECT et INSERT seulement.\n"
                "-- À exécuter par le propriétaire des tables, après manage.py migrate "
                "--database journal.\n"
                f"-- Puis : \\password {role}  et  JOURNAL_DATABASE_URL=postgres://{role}:…@…\n"
                "-- Pas de séquence à autoriser : seq est attribué par l'application."
            )
            self.stdout.write(";\n".join(statements) + ";")
            return
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass",
                [f"{_quote_identifier(schema)}.{AuditEvent._meta.db_table}"],
            )
            if cursor.fetchone()[0] == role:
                raise CommandError(
                    f"Le rôle « {role} » est propriétaire de la table du journal : il pourrait "
                    "tout modifier. Choisissez un autre rôle pour l'application."
                )
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"Rôle « {role} » configuré : SELECT et INSERT seulement sur le journal des accès."
        )


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
