"""Persons concerned and their legal representatives, with identities encrypted at rest (§7).

Writes go through ``cellule.people.services`` (encryption, blind indexes, permission, journal);
reads through ``Person.objects.visible_to(user)`` or ``cellule.access.get_person``; the clear
identity through ``person.identity``. The admin must not register these models.

Deliberately absent: any field for religion, beliefs, opinions, origin, nationality, appearance
or diet (architecture §2.2; a test fails if one appears).
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import models
from django.utils import timezone

from cellule.people import crypto
from cellule.people.enums import Relationship
from cellule.people.identity import Identity, RepresentativeIdentity
from cellule.people.matching import BLIND_INDEX_FIELDS


class EncryptedField(models.BinaryField):
    """The ciphertext of one value (``crypto.encrypt_text``), bound to its table, column and row.

    A marker subclass: never editable, never rendered; ``Sealed`` reads and writes it.
    """

    description = "Valeur chiffrée (AES-256-GCM)"


class BlindIndexField(models.CharField):
    """A blind index (``matching.py``): 16 hex characters, NULL where the index does not apply
    (no birth date, shredded person), so that absent values do not pile up under one key."""

    def __init__(self, *args, **kwargs):
        kwargs.update(max_length=16, null=True, editable=False, db_index=True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for fixed in ("max_length", "null", "editable", "db_index"):
            kwargs.pop(fixed, None)
        return name, path, args, kwargs


class Sealed(models.Model):
    """Encrypts and decrypts a model's ``<name>_encrypted`` fields under its person's data key.

    ``SEALED`` maps each logical name to its clear type (str, date or int). Empty values are
    stored as NULL: encrypting them would hide nothing (a ciphertext's presence is visible).
    """

    SEALED: dict[str, type] = {}

    class Meta:
        abstract = True

    def _place(self, name: str) -> dict:
        column = self._meta.get_field(f"{name}_encrypted").column
        return {"table": self._meta.db_table, "column": column, "row_id": self.pk}

    def seal(self, cipher, values: dict) -> None:
        for name, kind in self.SEALED.items():
            value = values.get(name)
            if value is None or value == "":
                blob = None
            else:
                text = value.isoformat() if kind is date else str(value)
                blob = crypto.encrypt_text(cipher, text, **self._place(name))
            setattr(self, f"{name}_encrypted", blob)

    def unseal(self, cipher, names=None) -> dict:
        values = {}
        for name in names or self.SEALED:
            kind = self.SEALED[name]
            blob = getattr(self, f"{name}_encrypted")
            if blob is None:
                values[name] = "" if kind is str else None
                continue
            text = crypto.decrypt_text(cipher, blob, **self._place(name))
            values[name] = date.fromisoformat(text) if kind is date else kind(text)
        return values


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.persons(self, user)

    def with_keys(self):
        return self.select_related("key")


NAME_FIELDS = ("last_name", "first_name")


class Person(Sealed):
    """A person concerned by a signalement, known to one cell. Identity encrypted, never in clear.

    The commune of residence stays in clear: it is public reference data (a code of the official
    geographic code), needed to route and count by commune, and it does not single anyone out;
    the street address, which does, is encrypted.
    """

    SEALED = {
        "last_name": str,
        "first_name": str,
        "birth_date": date,
        "approximate_age": int,
        "address": str,
        "phone": str,
    }
    BLIND_INDEX_FIELDS = BLIND_INDEX_FIELDS

    # Generated at instantiation: ciphertexts are bound to the id before the first save.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cell = models.ForeignKey(
        "accounts.Cell", verbose_name="cellule", on_delete=models.PROTECT, related_name="persons"
    )
    last_name_encrypted = EncryptedField("nom (chiffré)")
    first_name_encrypted = EncryptedField("prénom (chiffré)")
    birth_date_encrypted = EncryptedField("date de naissance (chiffrée)", null=True)
    approximate_age_encrypted = EncryptedField("âge approximatif (chiffré)", null=True)
    age_stated_on = models.DateField("âge indiqué le", null=True, blank=True)
    address_encrypted = EncryptedField("adresse (chiffrée)", null=True)
    phone_encrypted = EncryptedField("téléphone (chiffré)", null=True)
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name="commune de résidence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_minor = models.BooleanField(
        "mineur", default=False, help_text="Calculé à l'enregistrement ; voir is_minor_today."
    )
    # Blind indexes (matching.py): keyed hashes for duplicate detection, no clear value.
    index_name_birth = BlindIndexField()
    index_name_year = BlindIndexField()
    index_last_name_year = BlindIndexField()
    index_first_name_year = BlindIndexField()
    created_at = models.DateTimeField("créée le", default=timezone.now)
    updated_at = models.DateTimeField("modifiée le", default=timezone.now)

    objects = PersonQuerySet.as_manager()

    _identity: Identity | None = None

    class Meta:
        verbose_name = "personne concernée"
        verbose_name_plural = "personnes concernées"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Personne {str(self.pk)[:8]}"  # never the name: __str__ ends up in logs

    def refresh_from_db(self, *args, **kwargs):
        self.forget_identity()
        super().refresh_from_db(*args, **kwargs)

    def cipher(self):
        """The cipher of this person's data key (raises DataKeyDestroyed once shredded)."""
        return crypto.current_keyring().cipher(self.key)

    @property
    def identity(self) -> Identity:
        """The decrypted identity (one key unwrap, then cached on this object)."""
        if self._identity is None:
            self._identity = Identity(
                **self.unseal(self.cipher()), age_stated_on=self.age_stated_on
            )
        return self._identity

    def names(self) -> dict:
        """Only what a list shows, {"last_name", "first_name"}: two fields decrypted, not the
        whole identity."""
        return self.unseal(self.cipher(), NAME_FIELDS)

    def forget_identity(self) -> None:
        self._identity = None

    @property
    def is_minor_today(self) -> bool:
        """Recomputed from the decrypted birth date or approximate age (``is_minor`` may be stale)."""
        return self.identity.is_minor()

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_person(self, user)


class PersonKey(models.Model):
    """A person's data key, wrapped by a master key; without key once destroyed (crypto-shredding).

    Kept in its own table so that rotation rewrites only this table, and so that its backups can
    follow a shorter cycle than the data's.
    """

    person = models.OneToOneField(
        Person, primary_key=True, on_delete=models.CASCADE, related_name="key"
    )
    wrapped_key = models.BinaryField(null=True)
    master_key_id = models.CharField("clé maîtresse", max_length=40)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    rewrapped_at = models.DateTimeField("rechiffrée le", null=True, blank=True)
    destroyed_at = models.DateTimeField("détruite le", null=True, blank=True)

    class Meta:
        verbose_name = "clé de personne"
        verbose_name_plural = "clés de personnes"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(wrapped_key__isnull=False, destroyed_at__isnull=True)
                | models.Q(wrapped_key__isnull=True, destroyed_at__isnull=False),
                name="personkey_wrapped_xor_destroyed",
            )
        ]

    def __str__(self):
        state = "détruite" if self.destroyed_at else f"clé maîtresse {self.master_key_id}"
        return f"Clé de la personne {str(self.person_id)[:8]} ({state})"

    @property
    def is_destroyed(self) -> bool:
        return self.wrapped_key is None


class LegalRepresentativeQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.legal_representatives(self, user)


class LegalRepresentative(Sealed):
    """A legal representative of a minor, encrypted under the minor's data key.

    Sharing the person's key means one shredding erases the representatives too.
    """

    SEALED = {"last_name": str, "first_name": str, "phone": str, "address": str}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        Person,
        verbose_name="personne",
        on_delete=models.CASCADE,
        related_name="legal_representatives",
    )
    relationship = models.CharField("lien", max_length=20, choices=Relationship.choices)
    last_name_encrypted = EncryptedField("nom (chiffré)")
    first_name_encrypted = EncryptedField("prénom (chiffré)")
    phone_encrypted = EncryptedField("téléphone (chiffré)", null=True)
    address_encrypted = EncryptedField("adresse (chiffrée)", null=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    updated_at = models.DateTimeField("modifié le", default=timezone.now)

    objects = LegalRepresentativeQuerySet.as_manager()

    class Meta:
        verbose_name = "représentant légal"
        verbose_name_plural = "représentants légaux"
        ordering = ["created_at"]

    def __str__(self):
        return f"Représentant légal {str(self.pk)[:8]} ({self.get_relationship_display()})"

    @property
    def identity(self) -> RepresentativeIdentity:
        return RepresentativeIdentity(
            **self.unseal(self.person.cipher()), relationship=self.relationship
        )

    def abilities(self, user) -> dict[str, bool]:
        from cellule.access import abilities

        return abilities.for_person(self.person, user)
