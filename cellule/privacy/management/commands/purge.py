from django.utils import timezone

from cellule.accounts.models import Cell
from cellule.core.commands import CelluleCommand
from cellule.privacy.enums import PurgeTrigger
from cellule.privacy.purge import run_purge


class Command(CelluleCommand):
    help = (
        "Applique les durées de conservation : supprime, cellule par cellule, les signalements, "
        "situations, demandes et autres dossiers arrivés au terme de leur règle (clé de la "
        "personne détruite d'abord, puis les lignes), sauf gel juridique, puis les événements du "
        "journal des accès au-delà de leur durée. Écrit un certificat de purge (comptes par "
        "règle et par cellule, sans aucune donnée personnelle). Lancée chaque jour par "
        "run_periodic ; --dry-run montre ce qui partirait, sans rien supprimer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="affiche ce qui serait supprimé, sans rien supprimer ni écrire de certificat",
        )

    def handle(self, *args, dry_run, **options):
        report = run_purge(dry_run=dry_run, trigger=PurgeTrigger.COMMAND)
        names = dict(Cell.objects.values_list("pk", "name"))
        when = timezone.localtime(report.now).strftime("%d/%m/%Y %H:%M")
        self.stdout.write(
            f"{'Simulation de purge' if dry_run else 'Purge'} au {when} "
            f"({'rien ne sera supprimé' if dry_run else 'certificat ci-dessous'})."
        )
        if not report.lines:
            self.stdout.write("Dossiers : rien n'est arrivé au terme de sa durée de conservation.")
        for line in report.lines:
            count = len(line.due) if dry_run else line.destroyed_roots
            verb = "à supprimer" if dry_run else "supprimé(s)"
            delay = f" — durée appliquée : {line.days} jours" if line.days is not None else ""
            held = f", {line.held} gelé(s) (conservés)" if line.held else ""
            self.stdout.write(
                f"- {names.get(line.cell_id, 'Toutes cellules')} — {line.label}{delay} : "
                f"{count} {verb}{held}"
            )
        if report.journal_error:
            self.stdout.write(f"Journal des accès : purge impossible ({report.journal_error}).")
        elif report.journal_deleted:
            cutoff = timezone.localtime(report.journal_cutoff).strftime("%d/%m/%Y")
            verb = "à supprimer" if dry_run else "supprimé(s)"
            self.stdout.write(
                f"Journal des accès ({report.journal_months} mois) : {report.journal_deleted} "
                f"événement(s) antérieur(s) au {cutoff} {verb}."
            )
        else:
            self.stdout.write("Journal des accès : rien à supprimer.")
        if report.certificate is not None:
            self.stdout.write(
                f"Certificat de purge n° {report.certificate.reference} enregistré "
                "(Protection des données > Certificats de purge)."
            )
