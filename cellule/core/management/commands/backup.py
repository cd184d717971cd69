from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError

from cellule.core import backups
from cellule.core.commands import CelluleCommand


class Command(CelluleCommand):
    help = (
        "Sauvegarde les deux bases (données et journal des accès) dans un répertoire : une copie "
        "cohérente de chacune (API de sauvegarde de SQLite, pg_dump pour PostgreSQL) et un "
        "manifeste (empreintes des fichiers, nombre de lignes de chaque table, dernier événement "
        "du journal). Le service peut continuer de tourner. Les clés (CELLULE_MASTER_KEY…) ne "
        "sont pas dans la sauvegarde : conservez-les à part. La sauvegarde est inscrite au "
        "journal des accès."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="RÉPERTOIRE",
            help="répertoire à créer (vide) ; par défaut var/backups/<date-heure>",
        )

    def handle(self, *args, output, **options):
        directory = Path(output) if output else backups.default_directory()
        try:
            backup = backups.create_backup(directory)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        except (DatabaseError, OSError) as error:
            raise CommandError(f"Sauvegarde impossible : {error}", returncode=2) from error
        head = backup.manifest["journal_head"]["seq"]
        tables = sum(len(db["tables"]) for db in backup.manifest["databases"].values())
        self.stdout.write(
            f"Sauvegarde écrite dans {directory} : {tables} tables, {backup.total_rows} lignes, "
            f"journal jusqu'à la seq {head}."
        )
