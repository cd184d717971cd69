"""Field encryption, key wrapping, the per-operation keyring and crypto-shredding."""

import uuid

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cellule.people import crypto, services
from cellule.people.crypto import DataKeyDestroyed, DecryptionFailed, UnknownMasterKey
from cellule.people.models import LegalRepresentative, Person, PersonKey
from tests.people.factories import PersonFactory, representative

ROW = uuid.UUID("6f1f3c1e-2b7a-4f51-9a43-1d0c5e3b9a01")
PLACE = {"table": "people_person", "column": "last_name_encrypted", "row_id": ROW}


@pytest.fixture
def cipher():
    return AESGCM(crypto.new_data_key())


def test_a_value_round_trips_in_the_documented_format(cipher):
    blob = crypto.encrypt_text(cipher, "Lefèvre", **PLACE)

    assert blob[0] == crypto.FORMAT_VERSION
    assert len(blob) == 1 + 12 + 32 + 16  # version, nonce, one padded block, tag
    assert "Lefèvre".encode() not in blob
    assert crypto.decrypt_text(cipher, blob, **PLACE) == "Lefèvre"


def test_the_ciphertext_length_does_not_give_away_a_names_length(cipher):
    short = crypto.encrypt_text(cipher, "Li", **PLACE)
    long = crypto.encrypt_text(cipher, "Maximilien-Alexandre", **PLACE)
    address = crypto.encrypt_text(cipher, "12 avenue du Général-de-Gaulle, Miramas", **PLACE)

    assert len(short) == len(long)
    assert len(address) == len(short) + crypto.PAD_BLOCK


def test_each_encryption_draws_a_new_nonce(cipher):
    first = crypto.encrypt_text(cipher, "Benoît", **PLACE)
    second = crypto.encrypt_text(cipher, "Benoît", **PLACE)

    assert first[1:13] != second[1:13]
    assert first != second


@pytest.mark.parametrize(
    "elsewhere",
    [
        {"row_id": uuid.uuid4()},
        {"column": "first_name_encrypted"},
        {"table": "people_legalrepresentative"},
    ],
    ids=["other row", "other column", "other table"],
)
def test_a_ciphertext_does_not_decrypt_anywhere_else(cipher, elsewhere):
    blob = crypto.encrypt_text(cipher, "Lefèvre", **PLACE)

    with pytest.raises(DecryptionFailed, match="copiée depuis une autre ligne"):
        crypto.decrypt_text(cipher, blob, **(PLACE | elsewhere))


def test_an_altered_ciphertext_is_refused(cipher):
    blob = bytearray(crypto.encrypt_text(cipher, "Lefèvre", **PLACE))
    blob[20] ^= 0x01

    with pytest.raises(DecryptionFailed, match="altérée"):
        crypto.decrypt_text(cipher, bytes(blob), **PLACE)


def test_an_unknown_format_version_is_refused(cipher):
    blob = crypto.encrypt_text(cipher, "Lefèvre", **PLACE)

    with pytest.raises(DecryptionFailed, match="format inconnu"):
        crypto.decrypt_text(cipher, b"\x02" + blob[1:], **PLACE)
    with pytest.raises(DecryptionFailed, match="tronqué"):
        crypto.decrypt_text(cipher, blob[:20], **PLACE)


def test_another_persons_key_does_not_decrypt(cipher):
    blob = crypto.encrypt_text(cipher, "Lefèvre", **PLACE)

    with pytest.raises(DecryptionFailed):
        crypto.decrypt_text(AESGCM(crypto.new_data_key()), blob, **PLACE)


def test_new_data_keys_are_wrapped_by_the_first_master_key(settings):
    settings.CELLULE_MASTER_KEYS = {"k2": b"\x02" * 32, "k1": b"\x01" * 32}
    data_key = crypto.new_data_key()

    key_id, wrapped = crypto.wrap_data_key(data_key, person_id=ROW)

    assert key_id == "k2"
    assert data_key not in wrapped
    assert crypto.unwrap_data_key(wrapped, person_id=ROW, master_key_id="k2") == data_key


def test_a_wrapped_key_opens_only_for_its_person_and_master_key(settings):
    # Same key bytes under two ids: only the id recorded with the wrapped key opens it.
    settings.CELLULE_MASTER_KEYS = {"k1": b"\x01" * 32, "k1bis": b"\x01" * 32}
    key_id, wrapped = crypto.wrap_data_key(crypto.new_data_key(), person_id=ROW)

    with pytest.raises(DecryptionFailed, match="copiée depuis une autre personne"):
        crypto.unwrap_data_key(wrapped, person_id=uuid.uuid4(), master_key_id=key_id)
    with pytest.raises(DecryptionFailed):
        crypto.unwrap_data_key(wrapped, person_id=ROW, master_key_id="k1bis")


def test_a_master_key_missing_from_the_configuration_is_named(settings):
    settings.CELLULE_MASTER_KEYS = {"ancienne": b"\x01" * 32}
    key_id, wrapped = crypto.wrap_data_key(crypto.new_data_key(), person_id=ROW)
    settings.CELLULE_MASTER_KEYS = {"nouvelle": b"\x02" * 32}

    with pytest.raises(UnknownMasterKey, match="« ancienne » est absente"):
        crypto.unwrap_data_key(wrapped, person_id=ROW, master_key_id=key_id)


def test_person_keys_are_stored_wrapped(cell):
    person = PersonFactory(cell=cell)
    key = PersonKey.objects.get(person=person)
    data_key = crypto.unwrap_data_key(
        key.wrapped_key, person_id=person.pk, master_key_id=key.master_key_id
    )

    assert key.master_key_id == crypto.current_master_key_id()
    assert data_key not in bytes(key.wrapped_key)


@pytest.fixture
def count_unwraps(monkeypatch):
    calls = []
    unwrap = crypto.unwrap_data_key

    def counting(*args, **kwargs):
        calls.append(kwargs["person_id"])
        return unwrap(*args, **kwargs)

    monkeypatch.setattr(crypto, "unwrap_data_key", counting)
    return calls


def test_a_data_key_is_unwrapped_once_per_operation_not_per_field(cell, count_unwraps):
    person = PersonFactory(cell=cell, minor=True, legal_representatives=[representative()])

    with crypto.keyring_scope():
        for _ in range(2):  # two loads of the same person, as two parts of one page would
            loaded = Person.objects.with_keys().get(pk=person.pk)
            assert loaded.identity.last_name == person.identity.last_name
            assert loaded.legal_representatives.get().identity.first_name == "Sandrine"
    assert count_unwraps == [person.pk]

    Person.objects.with_keys().get(pk=person.pk).identity  # noqa: B018 — outside any scope
    Person.objects.with_keys().get(pk=person.pk).identity  # noqa: B018
    assert count_unwraps == [person.pk] * 3


def test_the_keyring_is_emptied_when_the_operation_ends(cell):
    person = PersonFactory(cell=cell)

    with crypto.keyring_scope() as keyring:
        Person.objects.with_keys().get(pk=person.pk).identity  # noqa: B018
        assert "1 clé" in repr(keyring)
    assert "0 clé" in repr(keyring)
    assert crypto.current_keyring() is not keyring


def test_shredding_makes_every_ciphertext_of_the_person_unreadable(cell, coordinator):
    person = PersonFactory(cell=cell, minor=True, legal_representatives=[representative()])
    saved_copy = bytes(Person.objects.get(pk=person.pk).last_name_encrypted)  # as in a backup

    with crypto.keyring_scope():
        Person.objects.with_keys().get(pk=person.pk).identity  # noqa: B018 — key now cached
        services.shred_person(person=person, reason="Fiche créée par erreur", by=coordinator)

        reloaded = Person.objects.with_keys().get(pk=person.pk)
        with pytest.raises(DataKeyDestroyed, match="effacées définitivement"):
            reloaded.identity  # noqa: B018
        with pytest.raises(DataKeyDestroyed):
            LegalRepresentative.objects.get(person=person).identity  # noqa: B018
        # The copy kept elsewhere has no key left to open it either.
        with pytest.raises(DataKeyDestroyed):
            crypto.decrypt_text(reloaded.cipher(), saved_copy, **reloaded._place("last_name"))

    key = PersonKey.objects.get(person=person)
    assert key.wrapped_key is None
    assert key.destroyed_at is not None


def test_shredding_clears_the_blind_indexes(cell, coordinator):
    person = PersonFactory(cell=cell)
    assert person.index_name_year

    services.shred_person(person=person, reason="Fiche créée par erreur", by=coordinator)

    stored = Person.objects.values(*Person.BLIND_INDEX_FIELDS).get(pk=person.pk)
    assert set(stored.values()) == {None}


def test_the_middleware_gives_each_request_its_own_keyring(cell, count_unwraps):
    from django.test import RequestFactory

    from cellule.people.middleware import KeyringMiddleware

    person = PersonFactory(cell=cell)
    seen = []

    def view(request):
        for _ in range(3):
            Person.objects.with_keys().get(pk=person.pk).identity  # noqa: B018
        seen.append(crypto.current_keyring())
        return None

    middleware = KeyringMiddleware(view)
    middleware(RequestFactory().get("/"))
    middleware(RequestFactory().get("/"))

    assert count_unwraps == [person.pk, person.pk]  # once per request, not per load
    assert seen[0] is not seen[1]
    assert "0 clé" in repr(seen[0])  # dropped with the response
