"""Writes on persons: who may, what is validated, what is re-encrypted, and nothing half-done."""

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cellule.people import services
from cellule.people.identity import Identity
from cellule.people.models import LegalRepresentative, Person, PersonKey
from tests.people.factories import PersonFactory, representative

BENOIT = Identity("Lefèvre", "Benoît", birth_date=date(2004, 3, 12))


def nothing_stored():
    return not (
        Person.objects.exists()
        or PersonKey.objects.exists()
        or LegalRepresentative.objects.exists()
    )


@pytest.mark.parametrize(
    "actor", ["president", "coordinator", "member", "state_delegate", "reporter"]
)
def test_whoever_may_file_a_signalement_records_the_person(world, actor):
    person = services.create_person(cell=world.cell, identity=BENOIT, by=world.actors[actor])

    assert person.cell == world.cell
    assert Person.objects.with_keys().get(pk=person.pk).identity.first_name == "Benoît"


@pytest.mark.parametrize("actor", ["guest", "unsigned", "admin", "dpo", "outsider"])
def test_nobody_else_records_a_person_in_the_cell(world, actor):
    before = (
        Person.objects.count(),
        PersonKey.objects.count(),
        LegalRepresentative.objects.count(),
    )
    with pytest.raises(PermissionDenied):
        services.create_person(cell=world.cell, identity=BENOIT, by=world.actors[actor])
    after = (Person.objects.count(), PersonKey.objects.count(), LegalRepresentative.objects.count())
    assert after == before


def test_a_person_needs_an_actor(cell):
    with pytest.raises(PermissionDenied):
        services.create_person(cell=cell, identity=BENOIT, by=None)


def test_values_are_tidied_before_encryption(cell, reporter):
    messy = Identity(
        "  Lefèvre ", " Benoît   Jean ", birth_date=datetime(2004, 3, 12, 0, 0), address=None
    )
    person = services.create_person(cell=cell, identity=messy, by=reporter)

    stored = Person.objects.with_keys().get(pk=person.pk).identity
    assert (stored.last_name, stored.first_name) == ("Lefèvre", "Benoît Jean")
    assert (stored.birth_date, stored.address) == (date(2004, 3, 12), "")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"last_name": " "}, "last_name", "Le nom est obligatoire"),
        ({"first_name": "--"}, "first_name", "au moins une lettre"),
        ({"last_name": "A" * 151}, "last_name", "150 caractères"),
        ({"birth_date": date.today() + timedelta(days=1)}, "birth_date", "dans le futur"),
        ({"birth_date": date(1890, 1, 1)}, "birth_date", "plus de 120 ans"),
        ({"approximate_age": 16}, "approximate_age", "pas les deux"),
        ({"birth_date": None, "approximate_age": 130}, "approximate_age", "entre 0 et 120"),
        ({"birth_date": None, "approximate_age": "15"}, "approximate_age", "entre 0 et 120"),
        ({"address": "x" * 301}, "address", "300 caractères"),
        ({"phone": "0" * 31}, "phone", "30 caractères"),
    ],
)
def test_bad_identities_get_a_french_error_by_field_and_store_nothing(
    cell, reporter, changes, field, message
):
    with pytest.raises(ValidationError) as error:
        services.create_person(
            cell=cell, identity=dataclasses.replace(BENOIT, **changes), by=reporter
        )

    assert message in " ".join(error.value.message_dict[field])
    assert nothing_stored()


def test_a_bad_legal_representative_stores_nothing_at_all(cell, reporter):
    with pytest.raises(ValidationError) as error:
        services.create_person(
            cell=cell,
            identity=BENOIT,
            legal_representatives=[representative(), representative(relationship="oncle")],
            by=reporter,
        )

    assert error.value.message_dict["legal_representatives"] == [
        "Représentant légal n° 2 : Choisissez le lien avec la personne dans la liste."
    ]
    assert nothing_stored()


def test_a_failure_midway_rolls_everything_back(cell, reporter, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(services, "_new_representative", broken)
    with pytest.raises(RuntimeError):
        services.create_person(
            cell=cell, identity=BENOIT, legal_representatives=[representative()], by=reporter
        )
    assert nothing_stored()


def test_an_update_re_encrypts_with_fresh_nonces_and_re_indexes(cell, coordinator):
    person = PersonFactory(cell=cell, last_name="Lefèvre", first_name="Benoît")
    before = Person.objects.get(pk=person.pk)

    updated = services.update_person(
        person=person,
        identity=dataclasses.replace(person.identity, last_name="Lefebvre"),
        by=coordinator,
    )

    after = Person.objects.with_keys().get(pk=person.pk)
    assert after.identity.last_name == "Lefebvre"
    assert bytes(after.first_name_encrypted) != bytes(before.first_name_encrypted)
    assert after.index_name_birth != before.index_name_birth
    assert after.index_name_year == before.index_name_year  # same sound, same year
    assert updated.updated_at > before.updated_at


def test_the_commune_may_change_alone(cell, coordinator):
    from tests.territory.factories import CommuneFactory

    person = PersonFactory(cell=cell)
    commune = CommuneFactory()

    services.update_person(person=person, commune=commune, by=coordinator)

    assert Person.objects.get(pk=person.pk).commune == commune


def test_an_approximate_age_given_again_keeps_running_from_when_it_was_first_given(
    cell, coordinator
):
    person = PersonFactory(cell=cell, approximate_age=15)
    Person.objects.filter(pk=person.pk).update(
        age_stated_on=timezone.localdate() - timedelta(days=800)
    )
    person.refresh_from_db()

    same_age = Identity(person.identity.last_name, "Nouveau prénom", approximate_age=15)
    updated = services.update_person(person=person, identity=same_age, by=coordinator)
    assert updated.identity.age() == 17

    new_age = Identity(person.identity.last_name, "Nouveau prénom", approximate_age=16)
    updated = services.update_person(person=updated, identity=new_age, by=coordinator)
    assert updated.age_stated_on == timezone.localdate()
    assert updated.identity.age() == 16


@pytest.mark.parametrize("actor", ["member", "reporter", "guest", "admin", "dpo", "outsider"])
def test_only_the_cells_managers_change_a_person(world, actor):
    person = PersonFactory(cell=world.cell)

    with pytest.raises(PermissionDenied):
        services.update_person(person=person, identity=BENOIT, by=world.actors[actor])
    with pytest.raises(PermissionDenied):
        services.add_legal_representative(
            person=person, representative=representative(), by=world.actors[actor]
        )
    assert Person.objects.with_keys().get(pk=person.pk).identity != BENOIT


def test_legal_representatives_are_added_changed_and_removed(cell, president):
    person = PersonFactory(cell=cell, minor=True)

    added = services.add_legal_representative(
        person=person, representative=representative(), by=president
    )
    changed = services.update_legal_representative(
        representative=added,
        identity=representative(first_name="Karim", relationship="father"),
        by=president,
    )
    assert LegalRepresentative.objects.get(pk=changed.pk).identity.first_name == "Karim"
    assert LegalRepresentative.objects.get(pk=changed.pk).relationship == "father"

    services.remove_legal_representative(representative=changed, by=president)
    assert not person.legal_representatives.exists()


def test_erasing_takes_a_reason_and_the_coordinator(cell, coordinator, president):
    person = PersonFactory(cell=cell)

    with pytest.raises(PermissionDenied):
        services.shred_person(person=person, reason="Doublon", by=president)
    with pytest.raises(ValidationError):
        services.shred_person(person=person, reason="  ", by=coordinator)
    assert not PersonKey.objects.get(pk=person.pk).is_destroyed

    services.shred_person(person=person, reason="Doublon", by=coordinator)
    assert PersonKey.objects.get(pk=person.pk).is_destroyed


def test_the_retention_job_erases_without_a_user(cell):
    person = PersonFactory(cell=cell)

    services.shred_person(person=person, reason="Durée de conservation échue", by=None)

    assert PersonKey.objects.get(pk=person.pk).is_destroyed
