"""The person model: what it holds, what it must never hold, and what it shows of itself."""

import re
from datetime import date

import pytest
import time_machine
from anyascii import anyascii
from django.apps import apps
from django.db import IntegrityError, transaction

from cellule.people import services
from cellule.people.enums import Relationship
from cellule.people.identity import Identity
from cellule.people.models import EncryptedField, LegalRepresentative, Person, PersonKey
from tests.people.factories import PersonFactory, representative

# Architecture §2.2: no field for religion, beliefs, opinions, origin, nationality, appearance, diet.
FORBIDDEN_STEMS = (
    "relig",
    "croyance",
    "belief",
    "faith",
    "culte",
    "confession",
    "opinion",
    "politi",
    "syndic",
    "origin",
    "ethni",
    "race",
    "racial",
    "nationalit",
    "citizen",
    "appearance",
    "apparence",
    "physique",
    "tenue",
    "cloth",
    "vetement",
    "barbe",
    "beard",
    "voile",
    "veil",
    "diet",
    "regime",
    "aliment",
    "halal",
    "casher",
    "kosher",
)


def forbidden_fields(fields) -> list[str]:
    """(name, verbose name) pairs whose words start like a forbidden stem."""
    found = []
    for name, verbose_name in fields:
        words = re.split(r"[^a-z]+", anyascii(f"{name} {verbose_name}".lower()))
        if any(word.startswith(FORBIDDEN_STEMS) for word in words):
            found.append(name)
    return found


def test_no_field_of_the_people_app_records_beliefs_origin_appearance_or_diet():
    fields = [
        (field.name, str(getattr(field, "verbose_name", "")))
        for model in apps.get_app_config("people").get_models()
        for field in model._meta.get_fields()
    ]
    assert len(fields) > 20
    assert forbidden_fields(fields) == []


def test_the_forbidden_field_check_catches_such_a_field():
    assert forbidden_fields([("religion", "religion"), ("place", "pays d'origine")]) == [
        "religion",
        "place",
    ]
    assert forbidden_fields([("diet_notes", "notes")]) == ["diet_notes"]


def test_identity_fields_are_stored_encrypted_only():
    encrypted = {field.name for field in Person._meta.fields if isinstance(field, EncryptedField)}
    assert encrypted == {f"{name}_encrypted" for name in Person.SEALED}
    clear_text_fields = {
        field.name
        for field in Person._meta.fields
        if field.get_internal_type() in {"CharField", "TextField"}
    }
    assert clear_text_fields == set(Person.BLIND_INDEX_FIELDS)


def test_the_id_exists_before_the_first_save_so_ciphertexts_can_bind_it(cell):
    unsaved = Person(cell=cell)
    assert unsaved.pk is not None

    person = PersonFactory(cell=cell, last_name="Lefèvre")
    stored = Person.objects.with_keys().get(pk=person.pk)
    assert stored.identity.last_name == "Lefèvre"


def test_the_identity_round_trips_through_the_database(cell):
    person = PersonFactory(
        cell=cell,
        last_name="Lefèvre",
        first_name="Benoît",
        birth_date=date(2004, 3, 12),
        address="3 rue des Lilas",
        phone="06 12 34 56 78",
    )

    identity = Person.objects.with_keys().get(pk=person.pk).identity
    assert identity == Identity(
        "Lefèvre", "Benoît", date(2004, 3, 12), None, "3 rue des Lilas", "06 12 34 56 78"
    )


def test_names_never_show_in_str_or_repr(cell, coordinator):
    person = PersonFactory(cell=cell, last_name="Canardeau", first_name="Zébulon")
    rep = services.add_legal_representative(
        person=person,
        representative=representative(last_name="Canardeau"),
        by=coordinator,
    )

    shown = " ".join(
        [str(person), repr(person), repr(person.identity), str(rep), repr(rep.identity)]
    )
    assert "Canardeau" not in shown
    assert "Zébulon" not in shown
    assert "last_name=…" in repr(person.identity)


@time_machine.travel(date(2026, 3, 11))
def test_a_minor_is_flagged_from_the_birth_date(cell):
    assert PersonFactory(cell=cell, minor=True).is_minor
    assert not PersonFactory(cell=cell).is_minor
    assert PersonFactory(cell=cell, birth_date=date(2008, 3, 12)).is_minor
    assert not PersonFactory(cell=cell, birth_date=date(2008, 3, 11)).is_minor


def test_a_minor_is_flagged_from_an_approximate_age(cell):
    assert PersonFactory(cell=cell, approximate_age=15).is_minor
    assert not PersonFactory(cell=cell, approximate_age=30).is_minor
    assert not PersonFactory(cell=cell, birth_date=None).is_minor  # age unknown


def test_the_minor_flag_is_recomputed_as_time_passes(cell):
    with time_machine.travel(date(2026, 1, 10)):
        by_date = PersonFactory(cell=cell, birth_date=date(2008, 6, 1))
        by_age = PersonFactory(cell=cell, approximate_age=17)
        still_minor = PersonFactory(cell=cell, birth_date=date(2010, 6, 1))
    assert by_date.is_minor and by_age.is_minor

    with time_machine.travel(date(2027, 1, 10)):
        assert not Person.objects.with_keys().get(pk=by_date.pk).is_minor_today
        assert not Person.objects.with_keys().get(pk=by_age.pk).is_minor_today
        assert services.refresh_minor_flags() == 2
    assert set(Person.objects.filter(is_minor=True).values_list("pk", flat=True)) == {
        still_minor.pk
    }


def test_legal_representatives_are_encrypted_under_the_minors_key(cell):
    person = PersonFactory(cell=cell, minor=True, legal_representatives=[representative()])

    stored = LegalRepresentative.objects.get(person=person)
    assert stored.relationship == Relationship.MOTHER
    assert b"Moreau" not in bytes(stored.last_name_encrypted)
    assert stored.identity.last_name == "Moreau"
    assert stored.identity.address == "3 rue des Lilas, 13140 Miramas"


def test_a_key_row_is_either_wrapped_or_destroyed(cell):
    person = PersonFactory(cell=cell)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonKey.objects.filter(pk=person.pk).update(wrapped_key=None)
