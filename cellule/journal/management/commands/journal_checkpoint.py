from django.core.management.base import CommandError
from django.db import DatabaseError, InterfaceError

from cellule.core.commands import CelluleCommand
from cellule.journal.checkpoints import checkpoint_dir
from cellule.journal.verification import HeadNotVerified, checkpoint_head


class Command(CelluleCommand):
    help = (
        "Écrit un point de contrôle signé de la fin du journal des accès hors de la base "
        "(CELLULE_JOURNAL_CHECKPOINT_DIR), pour détecter une suppression des derniers événements. "
        "À planifier (par exemple toutes les heures)."
    )

    def handle(self, *args, **options):
        try:
            path = checkpoint_head()
        except HeadNotVerified as exc:
            raise CommandError(
                f"Point de contrôle refusé : {exc}. Lancez manage.py journal_verify."
            ) from exc
        except (DatabaseError, InterfaceError) as exc:
            raise CommandError(f"Lecture du journal impossible : {exc}", returncode=2) from exc
        except OSError as exc:
            raise CommandError(
                f"Écriture impossible dans {checkpoint_dir()} : {exc}", returncode=2
            ) from exc
        if path is None:
            self.stdout.write("Journal vide : aucun point de contrôle écrit.")
        else:
            self.stdout.write(f"Point de contrôle écrit : {path}")
