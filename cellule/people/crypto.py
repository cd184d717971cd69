"""Field encryption of personal data (architecture §7): envelope encryption with AES-256-GCM.

Keys
    Each person has a random 256-bit *data key*. It never touches the database in clear: it is
    stored *wrapped* (encrypted) by a *master key* from ``settings.CELLULE_MASTER_KEYS``, together
    with that master key's id, so that several master keys can coexist during a rotation (the
    first one wraps new keys; ``manage.py rotate_master_key`` re-wraps the others). Wrapping uses
    AES-256-GCM rather than AES-KW because GCM takes associated data: the wrapped key is bound to
    its person id and master key id, so a wrapped key copied onto another person does not open.

Field ciphertexts
    ``version (1 byte) ‖ nonce (12 bytes) ‖ AES-256-GCM(padded plaintext) ‖ tag (16 bytes)``,
    stored as raw bytes in a ``BinaryField`` (bytea / BLOB) rather than base64 text: a third
    smaller, never mistaken for displayable text, and not editable in forms or the admin. The
    associated data is ``version ‖ table ‖ 0x00 ‖ column ‖ 0x00 ‖ row id (16 bytes)``, so a
    ciphertext copied to another row, column or table fails authentication (``DecryptionFailed``).
    Version 1 pads the plaintext (ISO/IEC 7816-4: 0x80 then zeros) to a multiple of 32 bytes so
    that the ciphertext length does not give away the length of a name.

    Nonces are random (96 bits). A data key encrypts a few dozen values in a person's lifetime,
    far below the 2³² messages per key beyond which random GCM nonces become a risk.

Cache
    Unwrapping costs an AES operation and a settings lookup; it is done once per person per
    *operation* (a request, a command batch, a duplicate search): see ``keyring_scope()``. Outside
    a scope, each call that needs a key unwraps it again (nothing lingers between requests).

Crypto-shredding
    ``shred(person)`` destroys the wrapped data key: every ciphertext of that person, wherever a
    copy survives (database dumps, backups), becomes unreadable for good. Backups of the key table
    itself must therefore be kept on a shorter cycle than those of the data (see the runbook).
"""

from __future__ import annotations

import contextvars
import secrets
import uuid
from contextlib import contextmanager

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction
from django.utils import timezone

FORMAT_VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32
TAG_BYTES = 16
PAD_BLOCK = 32
_WRAP_LABEL = b"cellule/person-data-key"


class CryptoError(Exception):
    """Base of the errors below; their messages may be shown to users (French, no content)."""


class DecryptionFailed(CryptoError):
    """A ciphertext does not authenticate: altered, truncated, or copied from elsewhere."""


class DataKeyDestroyed(CryptoError):
    """The person's data key was destroyed (crypto-shredding): their data is gone for good."""


class UnknownMasterKey(CryptoError):
    """A wrapped key names a master key that the configuration no longer holds."""


# --- Master keys --------------------------------------------------------------------------------


def master_keys() -> dict[str, bytes]:
    """The configured master keys, read at each call so that a configuration change applies."""
    keys = getattr(settings, "CELLULE_MASTER_KEYS", None) or {}
    if not keys:
        raise UnknownMasterKey("Aucune clé maîtresse n'est configurée (CELLULE_MASTER_KEY).")
    for key_id, key in keys.items():
        if len(key) != KEY_BYTES:
            raise UnknownMasterKey(
                f"La clé maîtresse « {key_id} » doit faire {KEY_BYTES} octets, pas {len(key)}."
            )
    return keys


def current_master_key_id() -> str:
    """The first configured master key: it wraps every new or re-wrapped data key."""
    return next(iter(master_keys()))


def _master_key(key_id: str) -> bytes:
    try:
        return master_keys()[key_id]
    except KeyError:
        raise UnknownMasterKey(
            f"La clé maîtresse « {key_id} » est absente de CELLULE_MASTER_KEY : remettez-la dans "
            "la configuration (après la clé actuelle) le temps de lancer « manage.py "
            "rotate_master_key »."
        ) from None


# --- Data keys ----------------------------------------------------------------------------------


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def data_cipher(data_key: bytes) -> AESGCM:
    """The cipher that encrypts a person's fields under their (unwrapped) data key."""
    return AESGCM(data_key)


def _wrap_aad(person_id: uuid.UUID, master_key_id: str) -> bytes:
    return b"\x00".join(
        [_WRAP_LABEL, bytes([FORMAT_VERSION]), master_key_id.encode(), person_id.bytes]
    )


# Every table that keeps data keys wrapped by the master key, for ``rotate_master_key``: the
# persons' keys here, and the keys other apps give their own records (a transmission's copy, a
# rights request's requester). ``owner`` is the field whose value binds the wrapping (the id
# passed as ``person_id``); ``stamp`` the field that records the rewrapping, if any.
KEY_STORES: list[tuple[str, str, str | None]] = [("people.PersonKey", "person_id", "rewrapped_at")]


def register_key_store(model_label: str, *, owner: str, stamp: str | None = None) -> None:
    """Called from an app's ``ready()`` for a model with ``master_key_id`` and ``wrapped_key``."""
    entry = (model_label, owner, stamp)
    if entry not in KEY_STORES:
        KEY_STORES.append(entry)


def wrap_data_key(
    data_key: bytes, *, person_id: uuid.UUID, master_key_id: str | None = None
) -> tuple[str, bytes]:
    """(master key id, wrapped key) for storage; the current master key unless one is named."""
    if len(data_key) != KEY_BYTES:
        raise ValueError("A data key is 32 random bytes.")
    master_key_id = master_key_id or current_master_key_id()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_master_key(master_key_id)).encrypt(
        nonce, data_key, _wrap_aad(person_id, master_key_id)
    )
    return master_key_id, bytes([FORMAT_VERSION]) + nonce + sealed


def unwrap_data_key(wrapped: bytes, *, person_id: uuid.UUID, master_key_id: str) -> bytes:
    wrapped = bytes(wrapped)
    if len(wrapped) != 1 + NONCE_BYTES + KEY_BYTES + TAG_BYTES or wrapped[0] != FORMAT_VERSION:
        raise DecryptionFailed(f"Clé de la personne {person_id} : format inconnu ou tronqué.")
    nonce, sealed = wrapped[1 : 1 + NONCE_BYTES], wrapped[1 + NONCE_BYTES :]
    try:
        return AESGCM(_master_key(master_key_id)).decrypt(
            nonce, sealed, _wrap_aad(person_id, master_key_id)
        )
    except InvalidTag:
        raise DecryptionFailed(
            f"La clé de la personne {person_id} ne s'ouvre pas avec la clé maîtresse "
            f"« {master_key_id} » : elle a été altérée ou copiée depuis une autre personne."
        ) from None


# --- Field values -------------------------------------------------------------------------------


def field_aad(*, table: str, column: str, row_id: uuid.UUID) -> bytes:
    """Binds a ciphertext to its place: table and column names cannot contain NUL."""
    return b"".join(
        [bytes([FORMAT_VERSION]), table.encode(), b"\x00", column.encode(), b"\x00", row_id.bytes]
    )


def _pad(data: bytes) -> bytes:
    data += b"\x80"
    return data + b"\x00" * (-len(data) % PAD_BLOCK)


def _unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise ValueError("bad padding")
    return stripped[:-1]


def encrypt_text(cipher: AESGCM, text: str, *, table: str, column: str, row_id: uuid.UUID) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    aad = field_aad(table=table, column=column, row_id=row_id)
    return bytes([FORMAT_VERSION]) + nonce + cipher.encrypt(nonce, _pad(text.encode()), aad)


def decrypt_text(cipher: AESGCM, blob: bytes, *, table: str, column: str, row_id: uuid.UUID) -> str:
    blob = bytes(blob)
    where = f"{table}.{column}, ligne {row_id}"
    if len(blob) < 1 + NONCE_BYTES + TAG_BYTES or blob[0] != FORMAT_VERSION:
        raise DecryptionFailed(f"Donnée chiffrée illisible ({where}) : format inconnu ou tronqué.")
    nonce, sealed = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        padded = cipher.decrypt(nonce, sealed, field_aad(table=table, column=column, row_id=row_id))
        return _unpad(padded).decode()
    except (InvalidTag, ValueError):
        raise DecryptionFailed(
            f"Donnée chiffrée illisible ({where}) : elle a été altérée, ou copiée depuis une "
            "autre ligne, une autre colonne ou une autre personne."
        ) from None


# --- Keyring: unwrapped keys for one operation --------------------------------------------------


class Keyring:
    """Ciphers of the data keys unwrapped during one operation, by person id."""

    def __init__(self):
        self._ciphers: dict[uuid.UUID, AESGCM] = {}

    def __repr__(self):
        return f"<Keyring: {len(self._ciphers)} clé(s)>"

    def cipher(self, person_key) -> AESGCM:
        """The cipher of a ``PersonKey``, unwrapped once per keyring."""
        person_id = person_key.person_id
        cipher = self._ciphers.get(person_id)
        if cipher is None:
            if person_key.wrapped_key is None:
                raise DataKeyDestroyed(
                    "Les données de cette personne ont été effacées définitivement "
                    f"(clé détruite le {timezone.localtime(person_key.destroyed_at):%d/%m/%Y})."
                )
            cipher = data_cipher(
                unwrap_data_key(
                    person_key.wrapped_key,
                    person_id=person_id,
                    master_key_id=person_key.master_key_id,
                )
            )
            self._ciphers[person_id] = cipher
        return cipher

    def add(self, person_id: uuid.UUID, cipher: AESGCM) -> None:
        """The cipher of a key just created: no need to unwrap it again in this operation."""
        self._ciphers[person_id] = cipher

    def forget(self, person_id: uuid.UUID) -> None:
        self._ciphers.pop(person_id, None)

    def clear(self) -> None:
        self._ciphers.clear()


_current_keyring: contextvars.ContextVar[Keyring | None] = contextvars.ContextVar(
    "cellule_keyring", default=None
)


@contextmanager
def keyring_scope():
    """Caches unwrapped data keys until the end of the block (nested scopes share the outer one).

    Wrap a request (``cellule.people.middleware.KeyringMiddleware``), a command batch or a search
    in it; the keys are dropped when it ends.
    """
    existing = _current_keyring.get()
    if existing is not None:
        yield existing
        return
    keyring = Keyring()
    token = _current_keyring.set(keyring)
    try:
        yield keyring
    finally:
        keyring.clear()
        _current_keyring.reset(token)


def current_keyring() -> Keyring:
    """The keyring of the current scope, or a throwaway one (no caching) outside any scope."""
    return _current_keyring.get() or Keyring()


# --- Crypto-shredding ---------------------------------------------------------------------------


def shred(person) -> None:
    """Destroys the person's data key: all their ciphertexts, copies included, become unreadable.

    The key row stays, without key, as the dated proof of the erasure. The person's blind indexes
    are cleared too: they are keyed hashes of the name and could still confirm a guess.
    Services call this through ``services.shred_person`` (permission check and journal).
    """
    from cellule.people.models import Person, PersonKey

    with transaction.atomic():
        key = PersonKey.objects.select_for_update().get(person_id=person.pk)
        if key.wrapped_key is not None:
            key.wrapped_key = None
            key.destroyed_at = timezone.now()
            key.save(update_fields=["wrapped_key", "destroyed_at"])
        Person.objects.filter(pk=person.pk).update(
            **dict.fromkeys(Person.BLIND_INDEX_FIELDS), updated_at=timezone.now()
        )
    current_keyring().forget(person.pk)
    for name in Person.BLIND_INDEX_FIELDS:
        setattr(person, name, None)
    person.key = key
    person.forget_identity()
