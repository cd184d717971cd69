"""Schemas shared by the API's resources, and the helpers that fill them."""

import re
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from ninja import Field, Schema
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from cellule.api.errors import ERROR_STATUSES, Error

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value):
    """Only « AAAA-MM-JJ »: pydantic alone would read 0 or "0" as 1970-01-01."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_parsing", "Input should be a date in the format YYYY-MM-DD")


# A date in requests: a string « AAAA-MM-JJ » and nothing else.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]

# Every operation documents these answers with the error shape (schemathesis checks it).
ERRORS = {ERROR_STATUSES: Error}


class Named(Schema):
    id: UUID
    name: str


class PersonName(Schema):
    last_name: str
    first_name: str


class Commune(Schema):
    code: str
    name: str


class PersonOut(Schema):
    id: UUID
    last_name: str
    first_name: str
    birth_date: date | None
    approximate_age: int | None = Field(description="Âge approximatif déclaré, sans date.")
    is_minor: bool
    commune: Commune | None
    address: str
    phone: str


class DateFilters(Schema):
    date_from: IsoDate | None = Field(None, description="Depuis ce jour inclus (AAAA-MM-JJ).")
    date_to: IsoDate | None = Field(None, description="Jusqu'à ce jour inclus (AAAA-MM-JJ).")


def named(obj) -> dict | None:
    if obj is None:
        return None
    name = obj.get_full_name() if hasattr(obj, "get_full_name") else str(obj)
    return {"id": obj.pk, "name": name}


def person_name(person) -> dict:
    identity = person.identity
    return {"last_name": identity.last_name, "first_name": identity.first_name}


def person_out(person) -> dict:
    identity = person.identity
    commune = person.commune
    return {
        "id": person.pk,
        "last_name": identity.last_name,
        "first_name": identity.first_name,
        "birth_date": identity.birth_date,
        "approximate_age": identity.approximate_age,
        "is_minor": identity.is_minor(),
        "commune": {"code": commune.code, "name": commune.name} if commune else None,
        "address": identity.address,
        "phone": identity.phone,
    }


def date_range(field: str, filters: DateFilters) -> Q:
    """The filter of a date range on a date or date-time ``field`` (local days, inclusive)."""
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationError(
            {"query.date_to": "La date de fin doit suivre la date de début (ou être la même)."}
        )
    condition = Q()
    if filters.date_from:
        condition &= Q(**{f"{field}__gte": filters.date_from})
    if filters.date_to:
        condition &= Q(**{f"{field}__lte": filters.date_to})
    return condition


def local(moment: datetime | None) -> datetime | None:
    """A date-time in Cellule's time zone (Europe/Paris), as the pages show it."""
    return timezone.localtime(moment) if moment else None
