"""Writes on persons concerned: encryption, blind indexes, permission and journal in one place.

Every service is keyword-only, takes the acting user as ``by=``, checks that user's abilities,
runs in ``transaction.atomic()`` and returns the object. ``_record_in_journal`` is the one place
where these writes reach the journal des accès.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cellule.people import crypto
from cellule.people.identity import (
    Identity,
    RepresentativeIdentity,
    current_age,
    is_minor_age,
)
from cellule.people.matching import blind_indexes
from cellule.people.models import LegalRepresentative, Person, PersonKey

UNCHANGED = object()


def _record_in_journal(*, by, action: str, person: Person, reason: str | None = None) -> None:
    """Where the writes of this module are journaled, inside their transaction: if the journal
    cannot be written, the write is rolled back. References only (person id, cell), never values.
    ``by=None`` is the retention job."""
    from cellule.access.journaling import journal_event

    journal_event(by, action, target=person, reason=reason or "")


def _ability(user, obj, name: str) -> bool:
    return user is not None and obj.abilities(user).get(name, False)


def build_person(
    *, cell, identity: Identity, commune=None, today: date | None = None
) -> tuple[Person, PersonKey, crypto.AESGCM]:
    """An unsaved person with a fresh wrapped data key, ciphertexts and blind indexes.

    Returns (person, key, cipher). Shared by ``create_person`` and the bench's bulk loading, so
    that both store exactly the same formats; it neither validates nor checks permissions.
    """
    person = Person(cell=cell, commune=commune)
    data_key = crypto.new_data_key()
    master_key_id, wrapped = crypto.wrap_data_key(data_key, person_id=person.pk)
    key = PersonKey(person=person, wrapped_key=wrapped, master_key_id=master_key_id)
    cipher = crypto.data_cipher(data_key)
    _write_identity(person, cipher, identity, today=today or timezone.localdate())
    return person, key, cipher


def _write_identity(person: Person, cipher, identity: Identity, *, today: date) -> None:
    stated_on = (identity.age_stated_on or today) if identity.approximate_age is not None else None
    identity = dataclasses.replace(identity, age_stated_on=stated_on)
    person.seal(cipher, dataclasses.asdict(identity))
    person.age_stated_on = stated_on
    person.is_minor = identity.is_minor(today=today)
    for column, value in blind_indexes(person.cell_id, identity).items():
        setattr(person, column, value)
    person._identity = identity


def _validated(identity):
    identity = identity.cleaned()
    identity.validate()
    return identity


def _validated_representatives(representatives) -> list[RepresentativeIdentity]:
    cleaned, errors = [], []
    for number, representative in enumerate(representatives, start=1):
        try:
            cleaned.append(_validated(representative))
        except ValidationError as error:
            errors.append(f"Représentant légal n° {number} : {' '.join(error.messages)}")
    if errors:
        raise ValidationError({"legal_representatives": errors})
    return cleaned


def _new_representative(person: Person, cipher, representative: RepresentativeIdentity):
    row = LegalRepresentative(person=person, relationship=representative.relationship)
    row.seal(cipher, dataclasses.asdict(representative))
    row.save(force_insert=True)
    return row


def create_person(
    *, cell, identity: Identity, commune=None, legal_representatives=(), by
) -> Person:
    """Records a person concerned in ``cell``, with the legal representatives of a minor.

    Allowed to whoever may file a signalement in the cell (the reporter included, who will not
    see the person afterwards). Search for duplicates first: this always creates a new person.
    """
    from cellule.access import abilities

    if by is None or not abilities.may_record_person(by, cell):
        raise PermissionDenied("Vous ne pouvez pas enregistrer de personne dans cette cellule.")
    identity = _validated(identity)
    representatives = _validated_representatives(legal_representatives)
    with transaction.atomic():
        person, key, cipher = build_person(cell=cell, identity=identity, commune=commune)
        person.save(force_insert=True)
        key.save(force_insert=True)
        crypto.current_keyring().add(person.pk, cipher)
        for representative in representatives:
            _new_representative(person, cipher, representative)
        _record_in_journal(by=by, action="record_created", person=person)
    return person


def update_person(*, person: Person, identity: Identity | None = None, commune=UNCHANGED, by):
    """Replaces the identity (re-encrypted with fresh nonces, re-indexed) and/or the commune.

    Returns the person as stored now. An approximate age given again unchanged keeps the day it
    was first stated, so that the age keeps running from then.
    """
    if not _ability(by, person, "edit"):
        raise PermissionDenied("Vous ne pouvez pas modifier cette personne.")
    if identity is not None:
        identity = _validated(identity)
    with transaction.atomic():
        locked = Person.objects.select_for_update(of=("self",)).with_keys().get(pk=person.pk)
        cipher = locked.cipher()
        if identity is not None:
            previous = locked.identity
            if (
                identity.age_stated_on is None
                and identity.approximate_age is not None
                and identity.approximate_age == previous.approximate_age
            ):
                identity = dataclasses.replace(identity, age_stated_on=previous.age_stated_on)
            _write_identity(locked, cipher, identity, today=timezone.localdate())
        if commune is not UNCHANGED:
            locked.commune = commune
        locked.updated_at = timezone.now()
        locked.save()
        _record_in_journal(by=by, action="record_updated", person=locked)
    person.forget_identity()
    return locked


def add_legal_representative(
    *, person: Person, representative: RepresentativeIdentity, by
) -> LegalRepresentative:
    if not _ability(by, person, "edit"):
        raise PermissionDenied("Vous ne pouvez pas modifier cette personne.")
    representative = _validated(representative)
    with transaction.atomic():
        row = _new_representative(person, person.cipher(), representative)
        _record_in_journal(by=by, action="record_updated", person=person)
    return row


def update_legal_representative(
    *, representative: LegalRepresentative, identity: RepresentativeIdentity, by
) -> LegalRepresentative:
    person = representative.person
    if not _ability(by, person, "edit"):
        raise PermissionDenied("Vous ne pouvez pas modifier cette personne.")
    identity = _validated(identity)
    with transaction.atomic():
        representative.seal(person.cipher(), dataclasses.asdict(identity))
        representative.relationship = identity.relationship
        representative.updated_at = timezone.now()
        representative.save()
        _record_in_journal(by=by, action="record_updated", person=person)
    return representative


def remove_legal_representative(*, representative: LegalRepresentative, by) -> None:
    person = representative.person
    if not _ability(by, person, "edit"):
        raise PermissionDenied("Vous ne pouvez pas modifier cette personne.")
    with transaction.atomic():
        representative.delete()
        _record_in_journal(by=by, action="record_updated", person=person)


def shred_person(*, person: Person, reason: str, by) -> Person:
    """Erases a person for good by destroying their data key (crypto-shredding).

    ``by=None`` is the retention job; a user needs the ``erase`` ability. The rows stay, without
    readable content, until the retention purge deletes them; backups become unreadable at once.
    """
    if by is not None and not _ability(by, person, "erase"):
        raise PermissionDenied("Vous ne pouvez pas effacer cette personne.")
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de l'effacement."})
    with transaction.atomic():
        crypto.shred(person)
        _record_in_journal(by=by, action="record_erased", person=person, reason=reason.strip())
    return person


def refresh_minor_flags(*, today: date | None = None) -> int:
    """Clears ``is_minor`` for those who have come of age; for a daily scheduled job.

    Decrypts the birth fields of flagged minors only, one batch at a time; returns how many
    flags changed.
    """
    today = today or timezone.localdate()
    changed = 0
    last_pk = None
    while True:
        batch = Person.objects.with_keys().filter(is_minor=True, key__wrapped_key__isnull=False)
        if last_pk is not None:
            batch = batch.filter(pk__gt=last_pk)
        batch = list(batch.order_by("pk")[:500])
        if not batch:
            return changed
        last_pk = batch[-1].pk
        with crypto.keyring_scope():
            adults = [
                person.pk
                for person in batch
                if not is_minor_age(
                    current_age(
                        **person.unseal(person.cipher(), ["birth_date", "approximate_age"]),
                        age_stated_on=person.age_stated_on,
                        today=today,
                    )
                )
            ]
        changed += Person.objects.filter(pk__in=adults).update(is_minor=False)
