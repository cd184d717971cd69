"""Writing facts. Called by the services of the other apps, inside their transaction, at the
moment an event happens: what a fact keeps is computed then (age band, duration bucket) and
nothing else about the person is kept."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from cellule.people.crypto import CryptoError
from cellule.stats.enums import AgeBand, DurationBucket
from cellule.stats.models import Fact

# Upper bounds (days, excluded) of each duration bucket; beyond the last: more than 12 months.
DURATION_BOUNDS = (
    (7, DurationBucket.UNDER_7_DAYS),
    (31, DurationBucket.FROM_7_TO_30_DAYS),
    (92, DurationBucket.FROM_1_TO_3_MONTHS),
    (366, DurationBucket.FROM_3_TO_12_MONTHS),
)


def age_band_of(person, *, on: date | None = None) -> str:
    """The person's age band on the day (today by default), from their decrypted birth date or
    approximate age; ``unknown`` when neither is known or the key is gone."""
    try:
        age = person.identity.age(today=on or timezone.localdate())
    except CryptoError:  # a shredded person: the age is simply not known
        return AgeBand.UNKNOWN
    if age is None:
        return AgeBand.UNKNOWN
    if age < 13:
        return AgeBand.UNDER_13
    if age < 18:
        return AgeBand.FROM_13_TO_17
    if age <= 25:
        return AgeBand.FROM_18_TO_25
    return AgeBand.OVER_25


def duration_bucket(delta: timedelta | None) -> str:
    if delta is None:
        return ""
    days = max(delta.days, 0)
    for bound, bucket in DURATION_BOUNDS:
        if days < bound:
            return bucket
    return DurationBucket.OVER_12_MONTHS


def _commune_code(cell, commune) -> str:
    if commune is not None:
        return getattr(commune, "pk", commune) or ""
    codes = list(cell.communes.values_list("code", flat=True)[:2])
    return codes[0] if len(codes) == 1 else ""


def record_fact(
    *,
    kind: str,
    cell,
    commune=None,
    category: str = "",
    age_band: str = "",
    duration: timedelta | None = None,
    when: date | datetime | None = None,
) -> Fact:
    """Writes one anonymous fact. ``commune`` (a Commune or its code) is the person's commune of
    residence when known; without it, the cell's commune if it has exactly one."""
    when = when or timezone.now()
    if isinstance(when, datetime):
        when = timezone.localtime(when).date() if timezone.is_aware(when) else when.date()
    return Fact.objects.create(
        cell_id=cell.pk,
        commune_code=_commune_code(cell, commune),
        departement_code=cell.departement_id,
        month=when.replace(day=1),
        kind=kind,
        category=category,
        age_band=age_band,
        duration=duration_bucket(duration),
    )
