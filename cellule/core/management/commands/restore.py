from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError

from cellule.core import backups
from cellule.core.commands import CelluleCommand


class Command(CelluleCommand):
    help = (
        "Restaure une sauvegarde faite par manage.py backup dans les deux bases configurées "
        "(DATABASE_URL, JOURNAL_DATABASE_URL), service arrêté, puis la vérifie : nombre de lignes "
        "de chaque table égal au manifeste, chaîne du journal des accès vérifiée (journal_verify) "
        "jusqu'au dernier événement sauvegardé. Refuse d'écraser des bases qui contiennent déjà "
        "des comptes ou des événements, sauf avec --force. Sortie 0 si la restauration se "
        "vérifie, 1 sinon."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="RÉPERTOIRE", help="répertoire de la sauvegarde")
        parser.add_argument(
            "--force",
            action="store_true",
            help="remplace le contenu de bases qui contiennent déjà des données",
        )

    def handle(self, *args, directory, force, **options):
        try:
            verification = backups.restore_backup(Path(directory), force=force)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        except (DatabaseError, OSError) as error:
            raise CommandError(f"Restauration impossible : {error}", returncode=2) from error
        self.stdout.write(
            f"Restauration vérifiée : {verification.tables} tables, {verification.rows} lignes, "
            f"journal {verification.journal}."
        )
        if any(
            db["engine"] == "postgresql"
            for db in backups.read_backup(Path(directory)).manifest["databases"].values()
        ):
            self.stdout.write(
                "PostgreSQL : réappliquez les droits du rôle applicatif du journal "
                "(manage.py journal_sql_roles --apply)."
            )
