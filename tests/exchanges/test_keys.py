"""The transmissions' own data keys: rotation under a new master key."""

from io import StringIO

import pytest
from django.core.management import call_command

from cellule.exchanges.models import Transmission, TransmissionKey
from cellule.exchanges.services import erase_transmission
from tests.cases.factories import open_situation
from tests.exchanges.factories import transmit

pytestmark = pytest.mark.django_db


def test_rotation_rewraps_the_transmission_keys_and_the_copies_stay_readable(
    cell, coordinator, prefecture, settings
):
    settings.CELLULE_MASTER_KEYS = {"k1": b"\x01" * 32}
    kept = transmit(open_situation(cell, by=coordinator, last_name="Martin"), by=coordinator)
    erased = transmit(open_situation(cell, by=coordinator, last_name="Bernard"), by=coordinator)
    erase_transmission(transmission=erased, reason="test")
    settings.CELLULE_MASTER_KEYS = {"k2": b"\x02" * 32, "k1": b"\x01" * 32}
    out = StringIO()
    call_command("rotate_master_key", "--batch-size", "1", stdout=out)
    assert (
        "Clés de transmissions : 1 rechiffrée(s), 0 déjà sous la clé actuelle, 1 détruite(s)"
        in (out.getvalue())
    )
    settings.CELLULE_MASTER_KEYS = {"k2": b"\x02" * 32}
    stored = Transmission.objects.select_related("key").get(pk=kept.pk)
    assert stored.key.master_key_id == "k2" and stored.key.rewrapped_at
    assert stored.snapshot["person"]["last_name"] == "Martin"
    assert TransmissionKey.objects.get(pk=erased.pk).wrapped_key is None
