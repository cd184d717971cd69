"""manage.py rotate_transmission_keys: re-wraps the transmissions' data keys under the current
(first) master key, as ``rotate_master_key`` does for the persons' keys. Run both before an old
master key leaves the configuration. Idempotent and resumable (batches commit one by one)."""

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from cellule.core.commands import CelluleCommand
from cellule.exchanges.models import TransmissionKey
from cellule.people import crypto


class Command(CelluleCommand):
    help = "Rechiffre les clés des transmissions sous la clé maîtresse actuelle (la première)."

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
        rewrapped, failures, last_pk = 0, [], None
        while True:
            with transaction.atomic():
                # Locked, so that an erasure in between is not undone by writing the key back.
                batch = TransmissionKey.objects.select_for_update().filter(
                    wrapped_key__isnull=False
                )
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
                            person_id=key.transmission_id,
                            master_key_id=key.master_key_id,
                        )
                    except crypto.CryptoError as error:
                        failures.append(error)
                        continue
                    key.master_key_id, key.wrapped_key = crypto.wrap_data_key(
                        data_key, person_id=key.transmission_id, master_key_id=current
                    )
                    key.rewrapped_at = timezone.now()
                    changed.append(key)
                TransmissionKey.objects.bulk_update(
                    changed, ["master_key_id", "wrapped_key", "rewrapped_at"]
                )
                rewrapped += len(changed)
        self.stdout.write(f"Clé maîtresse actuelle : « {current} ».")
        self.stdout.write(f"Clés de transmissions rechiffrées : {rewrapped}.")
        if failures:
            for error in failures[:10]:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(failures)} clé(s) n'ont pas pu être rechiffrées : gardez l'ancienne clé "
                "maîtresse dans la configuration."
            )
