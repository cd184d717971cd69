"""Persons made through ``services.create_person``: ciphertexts and blind indexes are the real ones.

PersonFactory(cell=cell)                       an adult with a birth date
PersonFactory(minor=True)                      born 10 to 17 years ago
PersonFactory(approximate_age=15)              no birth date, « about 15 »
PersonFactory(last_name="Lefèvre", first_name="Benoît", birth_date=date(2004, 3, 12))
"""

from datetime import timedelta

import factory
import factory.random
from django.utils import timezone

from cellule.accounts.enums import Role
from cellule.accounts.models import Membership
from cellule.people import services
from cellule.people.enums import Relationship
from cellule.people.identity import Identity, RepresentativeIdentity
from cellule.people.models import Person
from tests.accounts.factories import CellFactory, MembershipFactory


def years_ago(low: int, high: int):
    """A birth date between ``low`` and ``high`` years ago (inclusive), at random."""

    def make():
        today = timezone.localdate()
        return today - timedelta(days=factory.random.randgen.randint(low * 365 + 1, high * 365))

    return factory.LazyFunction(make)


def coordinator_of(cell):
    """The cell's coordinator, created on first need (the actor of the factory's writes)."""
    membership = Membership.objects.filter(cell=cell, role=Role.COORDINATOR).first()
    return (
        membership.user if membership else MembershipFactory(cell=cell, role=Role.COORDINATOR).user
    )


class PersonFactory(factory.Factory):
    class Meta:
        model = Person

    cell = factory.SubFactory(CellFactory)
    last_name = factory.Faker("last_name", locale="fr_FR")
    first_name = factory.Faker("first_name", locale="fr_FR")
    birth_date = years_ago(19, 60)
    approximate_age = None
    address = factory.Faker("street_address", locale="fr_FR")
    phone = factory.Faker("phone_number", locale="fr_FR")
    commune = None
    legal_representatives = ()
    by = factory.LazyAttribute(lambda o: coordinator_of(o.cell))

    class Params:
        minor = factory.Trait(birth_date=years_ago(10, 17))

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise TypeError("PersonFactory only creates: persons exist only through the service.")

    @classmethod
    def _create(cls, model_class, *, cell, by, commune, legal_representatives, **fields):
        if fields["approximate_age"] is not None:
            fields["birth_date"] = None
        return services.create_person(
            cell=cell,
            identity=Identity(**fields),
            commune=commune,
            legal_representatives=legal_representatives,
            by=by,
        )


def representative(**overrides) -> RepresentativeIdentity:
    values = {
        "last_name": "Moreau",
        "first_name": "Sandrine",
        "relationship": Relationship.MOTHER,
        "phone": "06 12 34 56 78",
        "address": "3 rue des Lilas, 13140 Miramas",
    }
    return RepresentativeIdentity(**(values | overrides))
