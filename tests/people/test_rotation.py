"""manage.py rotate_master_key: re-wraps data keys, never touches field ciphertexts."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cellule.people import crypto
from cellule.people.models import EncryptedField, Person, PersonKey
from tests.people.factories import PersonFactory, representative

OLD = {"k1": b"\x01" * 32}
NEW_FIRST = {"k2": b"\x02" * 32, "k1": b"\x01" * 32}
NEW_ONLY = {"k2": b"\x02" * 32}
ENCRYPTED = [f.name for f in Person._meta.fields if isinstance(f, EncryptedField)]


def rotate(*args) -> str:
    out = StringIO()
    call_command("rotate_master_key", *args, stdout=out)
    return out.getvalue()


def ciphertexts() -> dict:
    return {
        row["id"]: {name: bytes(row[name]) if row[name] else None for name in ENCRYPTED}
        for row in Person.objects.values("id", *ENCRYPTED)
    }


@pytest.fixture
def persons(cell, coordinator, settings):
    settings.CELLULE_MASTER_KEYS = OLD
    made = [PersonFactory(cell=cell) for _ in range(4)]
    made.append(PersonFactory(cell=cell, minor=True, legal_representatives=[representative()]))
    shredded = PersonFactory(cell=cell)
    crypto.shred(shredded)
    return made


def test_rotation_rewraps_every_key_and_the_old_master_key_can_go(persons, settings):
    identities = {person.pk: person.identity for person in persons}
    before = ciphertexts()
    settings.CELLULE_MASTER_KEYS = NEW_FIRST

    output = rotate("--batch-size", "2")

    assert "Clé maîtresse actuelle : « k2 »." in output
    assert "Clés rechiffrées : 5." in output
    assert "Clés déjà sous la clé actuelle : 0." in output
    assert "Clés détruites (données effacées), ignorées : 1." in output
    assert ciphertexts() == before  # field ciphertexts untouched
    live = PersonKey.objects.filter(wrapped_key__isnull=False)
    assert set(live.values_list("master_key_id", flat=True)) == {"k2"}
    assert all(key.rewrapped_at for key in live)

    settings.CELLULE_MASTER_KEYS = NEW_ONLY
    for person in Person.objects.with_keys().filter(pk__in=identities):
        assert person.identity == identities[person.pk]
        for rep in person.legal_representatives.all():
            assert rep.identity.last_name == "Moreau"


def test_rotation_is_idempotent(persons, settings):
    settings.CELLULE_MASTER_KEYS = NEW_FIRST
    rotate()
    wrapped = dict(PersonKey.objects.values_list("pk", "wrapped_key"))

    output = rotate()

    assert "Clés rechiffrées : 0." in output
    assert "Clés déjà sous la clé actuelle : 5." in output
    assert {pk: bytes(w) if w else None for pk, w in wrapped.items()} == {
        pk: bytes(w) if w else None for pk, w in PersonKey.objects.values_list("pk", "wrapped_key")
    }


def test_without_rotation_removing_the_old_key_locks_the_data_out(persons, settings):
    settings.CELLULE_MASTER_KEYS = NEW_ONLY

    with pytest.raises(crypto.UnknownMasterKey, match="« k1 » est absente"):
        Person.objects.with_keys().get(pk=persons[0].pk).identity  # noqa: B018


def test_keys_that_cannot_be_opened_are_reported_and_left_alone(persons, settings):
    settings.CELLULE_MASTER_KEYS = {"k0": b"\x09" * 32}
    orphan = PersonFactory(cell=persons[0].cell)
    settings.CELLULE_MASTER_KEYS = NEW_FIRST
    err = StringIO()

    with pytest.raises(CommandError, match="1 clé\\(s\\) n'ont pas pu être rechiffrées"):
        call_command("rotate_master_key", stdout=StringIO(), stderr=err)

    assert "« k0 » est absente" in err.getvalue()
    assert PersonKey.objects.get(pk=orphan.pk).master_key_id == "k0"
    assert PersonKey.objects.filter(master_key_id="k2").count() == 5


def test_a_bad_batch_size_is_refused(db):
    with pytest.raises(CommandError, match="--batch-size"):
        rotate("--batch-size", "0")
