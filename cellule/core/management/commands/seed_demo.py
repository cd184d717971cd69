import json

from django.conf import settings
from django.core.management.base import CommandError

from cellule.core.commands import CelluleCommand
from cellule.core.demo import seed_demo


class Command(CelluleCommand):
    help = "Charge (ou complète) les données de démonstration. Idempotent ; refusé en production."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", help="affiche les comptes au format JSON"
        )

    def handle(self, *args, **options):
        if settings.CELLULE_ENV == "production":
            raise CommandError(
                "seed_demo refuse de s'exécuter en production (CELLULE_ENV=production)."
            )
        demo = seed_demo()
        if options["json"]:
            self.stdout.write(json.dumps(demo, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"Données de démonstration prêtes. Mot de passe de tous les comptes : {demo['password']}"
        )
        for account in demo["accounts"]:
            cell = account["cell"] or "—"
            self.stdout.write(
                f"  {account['email']:<40} {account['role']:<15} {cell:<45} TOTP {account['totp_secret']}"
            )
