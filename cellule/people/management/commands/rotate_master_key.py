"""manage.py rotate_master_key: re-wraps every data key under the current (first) master key.

Field ciphertexts are not touched: only the wrapped keys in people_personkey change. Idempotent
(keys already under the current master key are skipped) and resumable (batches commit one by
one). Once it reports no key left under an old master key, that key may leave the configuration.
"""

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from cellule.core.commands import CelluleCommand
from cellule.people import crypto
from cellule.people.models import PersonKey


class Command(CelluleCommand):
    help = "Rechiffre les clés des personnes sous la clé maîtresse actuelle (la première)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Clés traitées par transaction (500)."
        )

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size doit être un entier positif.")
        try:
            current = crypto.current_master_key_id()
        except crypto.CryptoError as error:
            raise CommandError(str(error)) from error

        already = PersonKey.objects.filter(master_key_id=current, wrapped_key__isnull=False).count()
        destroyed = PersonKey.objects.filter(wrapped_key__isnull=True).count()
        rewrapped, failures = 0, []
        last_pk = None
        while True:
            with transaction.atomic():
                # Locked, so that a shredding in between is not undone by writing the key back.
                batch = PersonKey.objects.select_for_update().filter(wrapped_key__isnull=False)
                batch = batch.exclude(master_key_id=current).order_by("pk")
                if last_pk is not None:
                    batch = batch.filter(pk__gt=last_pk)
                batch = list(batch[:batch_size])
                if not batch:
                    break
                last_pk = batch[-1].pk
                changed = []
                for key in batch:
                    try:
                        data_key = crypto.unwrap_data_key(
                            key.wrapped_key,
                            person_id=key.person_id,
                            master_key_id=key.master_key_id,
                        )
                    except crypto.CryptoError as error:
                        failures.append(error)
                        continue
                    key.master_key_id, key.wrapped_key = crypto.wrap_data_key(
                        data_key, person_id=key.person_id, master_key_id=current
                    )
                    key.rewrapped_at = timezone.now()
                    changed.append(key)
                PersonKey.objects.bulk_update(
                    changed, ["master_key_id", "wrapped_key", "rewrapped_at"]
                )
                rewrapped += len(changed)

        self.stdout.write(f"Clé maîtresse actuelle : « {current} ».")
        self.stdout.write(f"Clés rechiffrées : {rewrapped}.")
        self.stdout.write(f"Clés déjà sous la clé actuelle : {already}.")
        self.stdout.write(f"Clés détruites (personnes effacées), ignorées : {destroyed}.")
        if failures:
            for error in failures[:10]:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(failures)} clé(s) n'ont pas pu être rechiffrées : elles restent sous leur "
                "ancienne clé maîtresse, qu'il ne faut pas retirer de la configuration."
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Toutes les clés sont sous la clé actuelle : les autres clés maîtresses peuvent "
                "être retirées de CELLULE_MASTER_KEY."
            )
        )
