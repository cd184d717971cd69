from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cellule.journal.exceptions import JournalUnavailable
from cellule.journal.retention import PurgeRefused, purge_journal, retention_months


class Command(BaseCommand):
    help = (
        "Supprime les événements du journal des accès plus anciens que la durée de conservation "
        "(CELLULE_JOURNAL_RETENTION_MONTHS, 12 mois par défaut, entre 6 et 36), après avoir "
        "vérifié la chaîne et signé un point de contrôle à la coupure."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months", type=int, default=None, help="durée de conservation en mois (6 à 36)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="affiche ce qui serait supprimé, sans rien faire"
        )

    def handle(self, *args, months, dry_run, **options):
        try:
            months = retention_months(months)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            result = purge_journal(months=months, dry_run=dry_run)
        except PurgeRefused as exc:
            raise CommandError(f"Purge refusée : {exc}.") from exc
        except (JournalUnavailable, OSError) as exc:
            raise CommandError(f"Purge impossible : {exc}", returncode=2) from exc
        cutoff = timezone.localtime(result.cutoff).strftime("%d/%m/%Y %H:%M")
        if result.cut_seq is None:
            self.stdout.write(f"Rien à purger : aucun événement antérieur au {cutoff}.")
        elif dry_run:
            self.stdout.write(
                f"Simulation : les événements {result.first_seq} à {result.cut_seq} "
                f"(antérieurs au {cutoff}) seraient supprimés."
            )
        else:
            self.stdout.write(
                f"Purge : {result.deleted} événements supprimés (seq {result.first_seq} à "
                f"{result.cut_seq}, antérieurs au {cutoff}) ; point de contrôle {result.checkpoint}"
            )
