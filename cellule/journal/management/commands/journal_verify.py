import sys

from django.core.management.base import CommandError
from django.db import DatabaseError, InterfaceError

from cellule.core.commands import CelluleCommand
from cellule.journal.verification import verify_journal


class Command(CelluleCommand):
    help = (
        "Vérifie la chaîne d'empreintes du journal des accès et ses points de contrôle signés. "
        "Sortie 0 et « OK <n> events » si tout se vérifie ; sortie 1 et « ERREUR seq <n>: … » "
        "pour le premier événement en défaut ; sortie 2 si le journal ne peut pas être lu."
    )

    def handle(self, *args, **options):
        try:
            verdict = verify_journal()
        except (DatabaseError, InterfaceError) as exc:
            raise CommandError(f"Lecture du journal impossible : {exc}", returncode=2) from exc
        self.stdout.write(str(verdict))
        if not verdict.ok:
            sys.exit(1)
        if verdict.checkpoints == 0 and verdict.count:
            self.stderr.write(
                "Attention : aucun point de contrôle signé ; une suppression des derniers "
                "événements ne serait pas détectée (planifiez manage.py journal_checkpoint)."
            )
