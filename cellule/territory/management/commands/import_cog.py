from django.core.management.base import CommandError

from cellule.core.commands import CelluleCommand
from cellule.territory.services import import_cog


class Command(CelluleCommand):
    help = "Charge les régions, départements et communes (COG) livrés avec Cellule. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--departement", help="ne charger qu'un département (code INSEE, ex. 13 ou 2A)"
        )

    def handle(self, *args, departement=None, **options):
        try:
            result = import_cog(departement=departement)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.regions} régions, {result.departements} départements, "
            f"{result.communes} communes chargés."
        )
