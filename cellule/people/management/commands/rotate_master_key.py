"""manage.py rotate_master_key: re-wraps every data key under the current (first) master key.

Every store of wrapped keys is covered (``crypto.KEY_STORES``: the persons' keys, the keys of the
copies sent between cells, of the rights requests…). Field ciphertexts are not touched: only the
wrapped keys change. Idempotent (keys already under the current master key are skipped) and
resumable (batches commit one by one). Once it reports no key left under an old master key,
that key may leave the configuration.
"""

from django.apps import apps
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from cellule.core.commands import CelluleCommand
from cellule.people import crypto


def _rotate(model, owner: str, stamp: str | None, *, current: str, batch_size: int):
    """(re-wrapped, already current, destroyed, failures) for one store of keys."""
    live = model.objects.filter(wrapped_key__isnull=False)
    already = live.filter(master_key_id=current).count()
    destroyed = model.objects.filter(wrapped_key__isnull=True).count()
    rewrapped, failures, last_pk = 0, [], None
    fields = ["master_key_id", "wrapped_key", *([stamp] if stamp else [])]
    while True:
        with transaction.atomic():
            # Locked, so that an erasure in between is not undone by writing the key back.
            batch = (
                model.objects.select_for_update(of=("self",))
                .filter(wrapped_key__isnull=False)
                .exclude(master_key_id=current)
                .order_by("pk")
            )
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            batch = list(batch[:batch_size])
            if not batch:
                break
            last_pk = batch[-1].pk
            changed = []
            for key in batch:
                bound_to = getattr(key, owner)
                try:
                    data_key = crypto.unwrap_data_key(
                        key.wrapped_key, person_id=bound_to, master_key_id=key.master_key_id
                    )
                except crypto.CryptoError as error:
                    failures.append(error)
                    continue
                key.master_key_id, key.wrapped_key = crypto.wrap_data_key(
                    data_key, person_id=bound_to, master_key_id=current
                )
                if stamp:
                    setattr(key, stamp, timezone.now())
                changed.append(key)
            model.objects.bulk_update(changed, fields)
            rewrapped += len(changed)
    return rewrapped, already, destroyed, failures


class Command(CelluleCommand):
    help = (
        "Rechiffre toutes les clés de données (personnes, transmissions, demandes d'exercice des "
        "droits) sous la clé maîtresse actuelle (la première de CELLULE_MASTER_KEY)."
    )

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

        self.stdout.write(f"Clé maîtresse actuelle : « {current} ».")
        totals, failures = [0, 0, 0], []
        for label, owner, stamp in crypto.KEY_STORES:
            model = apps.get_model(label)
            rewrapped, already, destroyed, failed = _rotate(
                model, owner, stamp, current=current, batch_size=batch_size
            )
            self.stdout.write(
                f"{model._meta.verbose_name_plural.capitalize()} : {rewrapped} rechiffrée(s), "
                f"{already} déjà sous la clé actuelle, {destroyed} détruite(s) ignorée(s)."
            )
            for index, count in enumerate((rewrapped, already, destroyed)):
                totals[index] += count
            failures += failed
        self.stdout.write(f"Clés rechiffrées : {totals[0]}.")
        self.stdout.write(f"Clés déjà sous la clé actuelle : {totals[1]}.")
        self.stdout.write(f"Clés détruites (données effacées), ignorées : {totals[2]}.")
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
