"""Canaries: a name recorded through the service appears nowhere in clear in the databases' bytes,
and a ciphertext moved to another row or column does not decrypt.

Transactional tests: the rows must be committed for the file copy and for pg_dump to see them.
"""

import os
import shutil
import subprocess

import pytest
from django.db import connections

from cellule.people.crypto import DecryptionFailed
from cellule.people.models import LegalRepresentative, Person, PersonKey
from tests.people.factories import PersonFactory, representative

CANARY_LAST = "Xqzorblatt"
CANARY_FIRST = "Wyvernelle"
CANARY_STREET = "impasse Quokkabruine"
CANARY_PHONE = "07 31 41 59 26"
CANARY_PARENT = "Jabberwocky"


def canary_forms() -> list[bytes]:
    """Every way a clear canary could sit in a file: as typed, folded, UTF-16, or as hex text."""
    forms = []
    for text in (CANARY_LAST, CANARY_FIRST, "Quokkabruine", CANARY_PHONE, CANARY_PARENT):
        for variant in {text, text.lower(), text.upper()}:
            forms += [variant.encode(), variant.encode("utf-16-le")]
            forms.append(variant.encode().hex().encode())  # bytea shown as \x… by pg_dump
    return forms


@pytest.fixture
def canary_person(cell, coordinator):
    return PersonFactory(
        cell=cell,
        last_name=CANARY_LAST,
        first_name=CANARY_FIRST,
        address=f"4 {CANARY_STREET}",
        phone=CANARY_PHONE,
        minor=True,
        legal_representatives=[representative(last_name=CANARY_PARENT)],
    )


def sqlite_bytes(alias: str, tmp_path) -> bytes:
    """A byte-for-byte copy of the database, written by SQLite itself (VACUUM INTO)."""
    target = tmp_path / f"{alias}.sqlite3"
    with connections[alias].cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(target)])
    return target.read_bytes()


def postgres_dump(alias: str) -> bytes:
    settings = connections[alias].settings_dict
    command = ["pg_dump", "--data-only", "--no-owner", "--dbname", settings["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            command += [option, str(settings[key])]
    env = os.environ | {"PGPASSWORD": settings.get("PASSWORD") or ""}
    result = subprocess.run(command, capture_output=True, env=env, check=False)
    if result.returncode:
        pytest.fail(f"pg_dump a échoué : {result.stderr.decode(errors='replace')}")
    return result.stdout


def database_bytes(alias: str, tmp_path) -> bytes:
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        return sqlite_bytes(alias, tmp_path)
    if vendor == "postgresql":
        if shutil.which("pg_dump") is None:
            pytest.skip("pg_dump est introuvable : installez le client PostgreSQL pour ce test.")
        return postgres_dump(alias)
    pytest.skip(f"Pas de copie brute prévue pour le moteur {vendor}.")


@pytest.mark.django_db(transaction=True, databases="__all__")
@pytest.mark.parametrize("alias", ["default", "journal"])
def test_the_canary_name_is_nowhere_in_clear_in_the_database(canary_person, tmp_path, alias):
    # The person is really there, readable through the service layer...
    assert Person.objects.with_keys().get(pk=canary_person.pk).identity.last_name == CANARY_LAST
    assert LegalRepresentative.objects.get().identity.last_name == CANARY_PARENT

    data = database_bytes(alias, tmp_path)

    # ...the copy does show clear text (table names; the cell's name on default)...
    assert (b"people_person" if alias == "default" else b"journal_") in data
    if alias == "default":
        assert canary_person.cell.name.encode() in data
    # ...but not the canary, in any form.
    leaks = [form for form in canary_forms() if form in data]
    assert leaks == []


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_the_leak_check_would_see_a_clear_name(cell, tmp_path):
    """Control: a canary stored in clear (here as a cell's name) is found by the same check."""
    cell.name = f"CMER {CANARY_LAST}"
    cell.save()

    data = database_bytes("default", tmp_path)

    assert [form for form in canary_forms() if form in data]


def test_a_ciphertext_copied_to_another_persons_row_does_not_decrypt(cell, coordinator):
    victim = PersonFactory(cell=cell, last_name=CANARY_LAST)
    other = PersonFactory(cell=cell, last_name="Martin")
    Person.objects.filter(pk=other.pk).update(last_name_encrypted=victim.last_name_encrypted)

    with pytest.raises(DecryptionFailed, match="copiée depuis une autre ligne"):
        Person.objects.with_keys().get(pk=other.pk).identity  # noqa: B018


def test_a_ciphertext_and_its_wrapped_key_copied_together_do_not_decrypt(cell, coordinator):
    victim = PersonFactory(cell=cell, last_name=CANARY_LAST)
    other = PersonFactory(cell=cell, last_name="Martin")
    Person.objects.filter(pk=other.pk).update(last_name_encrypted=victim.last_name_encrypted)
    PersonKey.objects.filter(pk=other.pk).update(
        wrapped_key=victim.key.wrapped_key, master_key_id=victim.key.master_key_id
    )

    with pytest.raises(DecryptionFailed, match="copiée depuis une autre personne"):
        Person.objects.with_keys().get(pk=other.pk).identity  # noqa: B018


def test_a_ciphertext_copied_to_another_column_does_not_decrypt(cell, coordinator):
    person = PersonFactory(cell=cell, last_name=CANARY_LAST, first_name=CANARY_FIRST)
    Person.objects.filter(pk=person.pk).update(first_name_encrypted=person.last_name_encrypted)

    with pytest.raises(DecryptionFailed, match=r"people_person\.first_name_encrypted"):
        Person.objects.with_keys().get(pk=person.pk).identity  # noqa: B018


def test_a_ciphertext_copied_to_a_representative_does_not_decrypt(cell, coordinator):
    person = PersonFactory(
        cell=cell, last_name=CANARY_LAST, minor=True, legal_representatives=[representative()]
    )
    LegalRepresentative.objects.filter(person=person).update(
        last_name_encrypted=person.last_name_encrypted
    )

    with pytest.raises(DecryptionFailed, match="people_legalrepresentative"):
        LegalRepresentative.objects.get(person=person).identity  # noqa: B018
