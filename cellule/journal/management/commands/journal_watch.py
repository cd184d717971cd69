from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from cellule.journal.watch import raise_alerts, threshold


class Command(BaseCommand):
    help = (
        "Repère les lectures inhabituellement nombreuses de la dernière heure et prévient le DPO "
        "(à lancer toutes les heures). Idempotent."
    )

    def handle(self, *args, **options):
        alerted = raise_alerts(
            window_end=timezone.now(), base_url=getattr(settings, "CELLULE_BASE_URL", "")
        )
        self.stdout.write(
            f"{len(alerted)} alerte{'s' if len(alerted) > 1 else ''} levée{'s' if len(alerted) > 1 else ''} "
            f"(seuil : plus de {threshold()} fiches distinctes en une heure)."
        )
