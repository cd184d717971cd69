from django.core.management.base import BaseCommand

from cellule.alerts import periodic


class Command(BaseCommand):
    help = (
        "Tâches planifiées de Cellule : alerte du journal, rappels, récapitulatifs quotidiens, "
        "envoi des courriels dus, purge. Idempotent : à lancer toutes les 5 minutes (cron, "
        "minuteur systemd)."
    )

    def handle(self, *args, **options):
        report = periodic.run()
        emails = report["emails"]
        purged = report["purged"]
        self.stdout.write(
            f"Alertes du journal : {report['unusual_reading']} ; rappels : {report['reminders']} ; "
            f"récapitulatifs : {report['digests']} ; courriels envoyés : {emails.get('sent', 0)}, "
            f"à réessayer : {emails.get('retry', 0)}, abandonnés : {emails.get('failed', 0)} ; "
            f"purgés : {purged['notifications']} notifications, {purged['emails']} courriels, "
            f"{purged['devices']} appareils, {purged['submissions']} envois de formulaires."
        )
