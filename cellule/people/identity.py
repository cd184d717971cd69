"""Decrypted identities: small frozen values, what services take and ``person.identity`` returns.

Their ``repr`` hides every value, so that a name never lands in a log line or an error report.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from cellule.people.enums import Relationship
from cellule.people.matching import normalise_name

MAJORITY_AGE = 18
MAX_AGE = 120
NAME_MAX_LENGTH = 150
ADDRESS_MAX_LENGTH = 300
PHONE_MAX_LENGTH = 30


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def current_age(
    *, birth_date: date | None, approximate_age: int | None, age_stated_on: date | None, today: date
) -> int | None:
    """Exact from a birth date, or the stated age plus the years since it was stated."""
    if birth_date is not None:
        return age_on(birth_date, today)
    if approximate_age is None:
        return None
    return approximate_age + age_on(age_stated_on or today, today)


def is_minor_age(age: int | None) -> bool:
    return age is not None and age < MAJORITY_AGE


def _clean_text(value) -> str:
    return " ".join(str(value or "").split())


class _Masked:
    def __repr__(self):
        shown = ", ".join(f"{field.name}=…" for field in dataclasses.fields(self))
        return f"{type(self).__name__}({shown})"

    __str__ = __repr__

    def cleaned(self):
        """The same identity with surrounding and repeated spaces removed (None becomes "")."""
        changes = {
            field.name: _clean_text(getattr(self, field.name))
            for field in dataclasses.fields(self)
            if field.type in ("str", str)
        }
        birth_date = getattr(self, "birth_date", None)
        if isinstance(birth_date, datetime):
            changes["birth_date"] = birth_date.date()
        return dataclasses.replace(self, **changes)

    def _check_names(self, errors: dict) -> None:
        for name, label in (("last_name", "Le nom"), ("first_name", "Le prénom")):
            value = getattr(self, name)
            if not normalise_name(value):
                errors[name] = f"{label} est obligatoire et doit contenir au moins une lettre."
            elif len(value) > NAME_MAX_LENGTH:
                errors[name] = f"{label} ne doit pas dépasser {NAME_MAX_LENGTH} caractères."
        if len(self.address) > ADDRESS_MAX_LENGTH:
            errors["address"] = f"L'adresse ne doit pas dépasser {ADDRESS_MAX_LENGTH} caractères."
        if len(self.phone) > PHONE_MAX_LENGTH:
            errors["phone"] = f"Le téléphone ne doit pas dépasser {PHONE_MAX_LENGTH} caractères."


@dataclass(frozen=True, repr=False)
class Identity(_Masked):
    """A person's identity in clear. ``birth_date`` and ``approximate_age`` exclude each other.

    ``age_stated_on`` is the day the approximate age was given (today for a search): the age is
    re-aged from it, so that a 15-year-old reported two years ago is searched as 17 now.
    """

    last_name: str
    first_name: str
    birth_date: date | None = None
    approximate_age: int | None = None
    address: str = ""
    phone: str = ""
    age_stated_on: date | None = None

    def validate(self, *, today: date | None = None) -> None:
        """Raises a ValidationError by field, in French, for the form to show."""
        today = today or timezone.localdate()
        errors: dict[str, str] = {}
        self._check_names(errors)
        if self.birth_date is not None and self.approximate_age is not None:
            errors["approximate_age"] = (
                "Indiquez soit la date de naissance, soit un âge approximatif, pas les deux."
            )
        if self.birth_date is not None:
            if self.birth_date > today:
                errors["birth_date"] = "La date de naissance ne peut pas être dans le futur."
            elif age_on(self.birth_date, today) > MAX_AGE:
                errors["birth_date"] = f"La date de naissance donne plus de {MAX_AGE} ans."
        age = self.approximate_age
        if age is not None and (not isinstance(age, int) or not 0 <= age <= MAX_AGE):
            errors["approximate_age"] = (
                f"L'âge approximatif doit être compris entre 0 et {MAX_AGE}."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def estimated_birth_year(self) -> int | None:
        """Exact year, or the year an approximate age points to (the birthday already passed)."""
        if self.birth_date is not None:
            return self.birth_date.year
        if self.approximate_age is None:
            return None
        stated = self.age_stated_on or timezone.localdate()
        return stated.year - self.approximate_age

    def age(self, *, today: date | None = None) -> int | None:
        """Age today: exact from a birth date, or the stated age plus the years since it was given."""
        return current_age(
            birth_date=self.birth_date,
            approximate_age=self.approximate_age,
            age_stated_on=self.age_stated_on,
            today=today or timezone.localdate(),
        )

    def is_minor(self, *, today: date | None = None) -> bool:
        """Minor when the age (exact or approximate) is under 18; unknown age: not flagged."""
        return is_minor_age(self.age(today=today))


@dataclass(frozen=True, repr=False)
class RepresentativeIdentity(_Masked):
    """A legal representative of a minor, in clear."""

    last_name: str
    first_name: str
    relationship: str
    phone: str = ""
    address: str = ""

    def validate(self) -> None:
        errors: dict[str, str] = {}
        self._check_names(errors)
        if self.relationship not in Relationship.values:
            errors["relationship"] = "Choisissez le lien avec la personne dans la liste."
        if errors:
            raise ValidationError(errors)
