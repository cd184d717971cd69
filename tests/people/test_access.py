"""Who sees persons: the president and coordinator of their cell, nobody else (for now)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cellule import access
from cellule.people.models import LegalRepresentative, Person
from tests.people.factories import PersonFactory, representative

SEE_THE_CELLS_PERSONS = {"president", "coordinator"}


@pytest.fixture
def persons(world):
    mine = PersonFactory(cell=world.cell, minor=True, legal_representatives=[representative()])
    theirs = PersonFactory(cell=world.other_cell)
    return mine, theirs


@pytest.mark.parametrize(
    "actor",
    [
        "president",
        "coordinator",
        "member",
        "state_delegate",
        "reporter",
        "guest",
        "unsigned",
        "admin",
        "dpo",
        "outsider",
    ],
)
def test_persons_are_seen_by_their_cells_president_and_coordinator_only(world, persons, actor):
    user = world.actors[actor]
    mine, theirs = persons

    visible = set(Person.objects.visible_to(user))
    representatives = set(LegalRepresentative.objects.visible_to(user))

    if actor in SEE_THE_CELLS_PERSONS:
        assert visible == {
            mine,
            world.signalement.person,
        }  # the world's report concerns a person too
        assert representatives == set(mine.legal_representatives.all())
        assert access.get_person(user, mine.pk).identity == mine.identity
    elif actor == "outsider":
        assert visible == {theirs}
        assert not representatives
    else:
        assert visible == set()
        assert representatives == set()
    if actor not in SEE_THE_CELLS_PERSONS:
        with pytest.raises(Http404):  # a 404, never a 403 that would confirm the person exists
            access.get_person(user, mine.pk)


def test_anonymous_users_see_no_one(persons):
    from django.contrib.auth.models import AnonymousUser

    assert not Person.objects.visible_to(AnonymousUser()).exists()
    assert not LegalRepresentative.objects.visible_to(AnonymousUser()).exists()


def test_a_deactivated_coordinator_sees_no_one(world, persons):
    coordinator = world.actors["coordinator"]
    coordinator.is_active = False
    coordinator.save()

    assert not Person.objects.visible_to(coordinator).exists()


def test_the_fetcher_checks_the_ability_asked_for(world, persons):
    mine, _ = persons

    assert access.get_person(world.actors["coordinator"], mine.pk, ability="erase") == mine
    with pytest.raises(PermissionDenied):
        access.get_person(world.actors["president"], mine.pk, ability="erase")
    with pytest.raises(PermissionDenied):
        access.get_person(world.actors["president"], mine.pk, ability="unknown")


def test_the_fetcher_loads_the_key_with_the_person(world, persons, django_assert_num_queries):
    mine, _ = persons
    coordinator = world.actors["coordinator"]
    access.get_person(coordinator, mine.pk)  # roles cached on the user

    with django_assert_num_queries(1):
        assert access.get_person(coordinator, mine.pk).identity.last_name
