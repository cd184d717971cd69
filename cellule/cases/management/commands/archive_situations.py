from django.core.management.base import BaseCommand

from cellule.cases.services import archive_due_situations


class Command(BaseCommand):
    help = "Archive les situations clôturées dont le délai d'archivage est écoulé (idempotent)."

    def handle(self, *args, **options):
        moved = archive_due_situations()
        self.stdout.write(f"{moved} situation(s) archivée(s).")
