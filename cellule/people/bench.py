"""Duplicate-detection bench: recall, precision and latency on a generated cell (``make bench``).

``measure(n_people, seed)`` fills a throwaway cell with ``n_people`` persons with realistic French
names (Faker fr_FR), a tenth of which are *injected duplicates*: copies of another person of the
cell with one realistic change (see ``VARIANTS``). For each duplicate it asks
``find_possible_duplicates`` as the intake screen would, and counts whether its original came
back (recall) and how many other persons came with it (precision). It also asks for as many fresh
identities, not in the cell, and counts how often anything came back (false alarms).

Everything runs in one transaction rolled back at the end: the database is left as it was.
Persons are bulk-created with the very builder the services use (``services.build_person``), so
ciphertexts and blind indexes are the real ones. Needs Faker (the ``test`` extra).

Known blind spot, by design of the indexes: a birth year mistyped by more than one year, together
with a change in the name, is not found. The generator's date typos are a day or month digit, or
the year's last digit off by one.
"""

from __future__ import annotations

import random
import statistics
import unicodedata
from collections import Counter
from datetime import date, timedelta
from time import perf_counter

from django.db import transaction
from django.utils import timezone

from cellule.people.duplicates import find_possible_duplicates
from cellule.people.identity import Identity
from cellule.people.models import Person, PersonKey
from cellule.people.services import build_person

DUPLICATE_SHARE = 10  # one person in ten is an injected duplicate
MAX_QUERIES = 1000
VARIANTS = (
    "accents_and_case",  # « LEFEVRE benoit » for « Lefèvre Benoît »
    "swapped",  # last name typed as first name and the reverse
    "substituted_letter",
    "deleted_letter",
    "inserted_letter",
    "transposed_letters",
    "doubled_letter",  # « Lefèvrr »
    "phonetic_spelling",  # « Filipe » for « Philippe »
    "approximate_age",  # about N years old instead of the birth date
    "date_digit",  # one digit of the birth date mistyped
)
_RESPELLINGS = (
    ("ph", "f"),
    ("f", "ph"),
    ("é", "e"),
    ("è", "e"),
    ("ë", "e"),
    ("î", "i"),
    ("y", "i"),
    ("th", "t"),
    ("eau", "o"),
    ("au", "o"),
    ("ll", "l"),
    ("nn", "n"),
    ("tt", "t"),
    ("ss", "s"),
    ("qu", "k"),
    ("ai", "é"),
)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def measure(n_people: int, seed: int) -> dict:
    """Recall, precision, false alarms and latency (ms) of duplicate detection in a cell of n."""
    if n_people < 20:
        raise ValueError("n_people: at least 20.")
    from faker import Faker

    rng = random.Random(seed)  # noqa: S311 — reproducible test data, not secrets
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    today = timezone.localdate()
    n_queries = min(MAX_QUERIES, max(1, n_people // DUPLICATE_SHARE))

    with transaction.atomic():
        cell = _bench_cell(seed)
        originals = [_random_identity(fake, rng, today) for _ in range(n_people - n_queries)]
        picked = rng.sample(range(len(originals)), n_queries)
        kinds = [VARIANTS[i % len(VARIANTS)] for i in range(n_queries)]
        variants = [
            _variant(originals[i], kind, rng, today) for i, kind in zip(picked, kinds, strict=True)
        ]
        started = perf_counter()
        persons = _bulk_create(cell, originals + variants, today)
        generation_s = perf_counter() - started

        latencies, found, returned = [], 0, 0
        missed: Counter = Counter()
        for index, kind, identity, person in zip(
            picked, kinds, variants, persons[len(originals) :], strict=True
        ):
            started = perf_counter()
            candidates = find_possible_duplicates(cell=cell, identity=identity, exclude=person)
            latencies.append((perf_counter() - started) * 1000)
            returned += len(candidates)
            if persons[index].pk in {candidate.person.pk for candidate in candidates}:
                found += 1
            else:
                missed[kind] += 1

        false_alarms = 0
        for _ in range(n_queries):
            identity = _random_identity(fake, rng, today)
            started = perf_counter()
            false_alarms += bool(find_possible_duplicates(cell=cell, identity=identity))
            latencies.append((perf_counter() - started) * 1000)
        transaction.set_rollback(True)

    return {
        "n_people": n_people,
        "n_queries": n_queries,
        "recall": found / n_queries,
        "precision": found / returned if returned else 1.0,
        "candidates_per_query": returned / n_queries,
        "false_alarm_rate": false_alarms / n_queries,
        "latency_ms_median": statistics.median(latencies),
        "latency_ms_p95": _percentile(latencies, 95),
        "generation_s": generation_s,
        "missed_by_variant": dict(missed),
    }


def _percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * percent // 100) - 1)]


def _bench_cell(seed: int):
    from cellule.accounts.enums import CellKind, OrganisationKind
    from cellule.accounts.models import Cell, Organisation
    from cellule.territory.models import Departement, Region

    departement = Departement.objects.first()
    if departement is None:
        region = Region.objects.create(code="00", name="Banc d'essai")
        departement = Departement.objects.create(code="00", name="Banc d'essai", region=region)
    organisation = Organisation.objects.create(
        name=f"Banc d'essai {seed}", kind=OrganisationKind.COMMUNE, departement=departement
    )
    return Cell.objects.create(
        kind=CellKind.MUNICIPAL,
        name=f"Banc d'essai des doublons {seed} {timezone.now():%H%M%S%f}",
        departement=departement,
        organisation=organisation,
    )


def _random_identity(fake, rng: random.Random, today: date) -> Identity:
    """Mostly young people (CMER files are about 12–25-year-olds), a tenth by approximate age."""
    age = rng.randint(10, 25) if rng.random() < 0.65 else rng.randint(26, 70)
    birth_date = today - timedelta(days=age * 365 + rng.randint(0, 364))
    common = {"last_name": fake.last_name(), "first_name": fake.first_name()}
    common |= {"address": fake.street_address(), "phone": fake.phone_number()}
    if rng.random() < 0.1:
        return Identity(**common, approximate_age=age)
    return Identity(**common, birth_date=birth_date)


def _bulk_create(cell, identities: list[Identity], today: date) -> list[Person]:
    persons, keys = [], []
    for identity in identities:
        person, key, _cipher = build_person(cell=cell, identity=identity, today=today)
        persons.append(person)
        keys.append(key)
    Person.objects.bulk_create(persons, batch_size=1000)
    PersonKey.objects.bulk_create(keys, batch_size=1000)
    return persons


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _variant(identity: Identity, kind: str, rng: random.Random, today: date) -> Identity:
    """The same person as entered again by someone else, with one change of the given kind."""
    if kind == "approximate_age" and identity.birth_date is not None:
        age = identity.age(today=today) + rng.choice((-1, 0, 0, 1))
        return Identity(identity.last_name, identity.first_name, approximate_age=max(age, 0))
    if kind == "date_digit" and identity.birth_date is not None:
        return _replace(identity, birth_date=_mistyped_date(identity.birth_date, rng, today))
    if kind == "swapped":
        return _replace(identity, last_name=identity.first_name, first_name=identity.last_name)
    if kind in {"accents_and_case", "approximate_age", "date_digit"}:
        upper = _strip_accents(identity.last_name).upper()
        return _replace(identity, last_name=upper, first_name=identity.first_name.lower())
    field = "last_name" if rng.random() < 0.7 else "first_name"
    name = getattr(identity, field)
    return _replace(identity, **{field: _mistyped_name(name, kind, rng)})


def _replace(identity: Identity, **changes) -> Identity:
    values = {
        "last_name": identity.last_name,
        "first_name": identity.first_name,
        "birth_date": identity.birth_date,
        "approximate_age": identity.approximate_age,
    }
    return Identity(**(values | changes))


def _mistyped_name(name: str, kind: str, rng: random.Random) -> str:
    if kind == "phonetic_spelling":
        lowered = name.lower()
        options = [(old, new) for old, new in _RESPELLINGS if old in lowered]
        if options:
            old, new = rng.choice(options)
            at = lowered.index(old)
            return name[:at] + new + name[at + len(old) :]
        kind = "doubled_letter"
    at = rng.randrange(len(name))
    if kind == "deleted_letter" and len(name) > 3:
        return name[:at] + name[at + 1 :]
    if kind == "inserted_letter":
        return name[:at] + rng.choice(_LETTERS) + name[at:]
    if kind == "transposed_letters" and len(name) > 2:
        at = min(at, len(name) - 2)
        if name[at] != name[at + 1]:
            return name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    if kind == "doubled_letter":
        return name[: at + 1] + name[at] + name[at + 1 :]
    letter = rng.choice([c for c in _LETTERS if c != name[at].lower()])
    return name[:at] + letter + name[at + 1 :]


def _mistyped_date(birth_date: date, rng: random.Random, today: date) -> date:
    for _ in range(50):
        if rng.random() < 0.2:
            # The year's last digit off by one (never across a decade: that is not a typo).
            last_digit = birth_date.year % 10
            step = -1 if last_digit == 9 else 1 if last_digit == 0 else rng.choice((-1, 1))
            try:
                candidate = birth_date.replace(year=birth_date.year + step)
            except ValueError:  # 29 February
                continue
        else:
            digits = list(birth_date.strftime("%d%m"))
            position = rng.randrange(4)
            digits[position] = rng.choice([d for d in "0123456789" if d != digits[position]])
            try:
                candidate = date(
                    birth_date.year, int("".join(digits[2:])), int("".join(digits[:2]))
                )
            except ValueError:
                continue
        if candidate != birth_date and candidate <= today:
            return candidate
    return birth_date
