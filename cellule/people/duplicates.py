"""Possible duplicates of a person within one cell: « personnes peut-être déjà connues ».

It says "these two records may be the same person", with the reasons, and nothing about anyone
(architecture §2.3): no score is returned, candidates are only ordered by strength of evidence.

1. Gather candidates through the blind indexes only (``matching.search_indexes``): exact name and
   date; phonetic name and compatible birth year; phonetic last name and year (a mistyped first
   name); phonetic first name and year (a mistyped last name). Never a table scan.
2. Decrypt the names and birth fields of those candidates only, compare them with rapidfuzz
   (Damerau-Levenshtein: a transposition is one typo) and the phonetic code, and keep those whose
   evidence is enough: a name identical, swapped, phonetically identical or one letter away, with
   a compatible birth; or a name two letters away, or a first name shortened, with the same birth
   date (or one digit away from it).

The caller must have checked that the user may see the persons of the cell (coordinator or
president): the mere presence of a candidate tells that someone is known to the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from anyascii import anyascii
from django.db.models import Q
from django.utils import timezone
from rapidfuzz.distance import DamerauLevenshtein

from cellule.people import crypto
from cellule.people.identity import Identity
from cellule.people.matching import normalise_name, phonex, search_indexes
from cellule.people.models import Person

AGE_TOLERANCE_YEARS = 1  # an age given "about" may be one year off either way
MIN_PREFIX = 3  # « Max » for « Maxime », not « Ma »


@dataclass(frozen=True, repr=False)
class Candidate:
    """A person of the cell who may be the one searched for, and why (French, for the screen)."""

    person: Person
    identity: Identity
    reasons: tuple[str, ...]

    def __repr__(self):
        return f"Candidate({self.person}, {len(self.reasons)} raison(s))"


@dataclass(frozen=True)
class _Evidence:
    strength: int
    reasons: tuple[str, ...]


_REJECTED = None


def _letters(count: int) -> str:
    return "1 lettre" if count == 1 else f"{count} lettres"


@dataclass(frozen=True, repr=False)
class _Names:
    """Normalised names and their phonetic codes, computed once per identity compared."""

    last: str
    first: str
    last_sound: str
    first_sound: str

    @classmethod
    def of(cls, identity: Identity) -> _Names:
        last, first = normalise_name(identity.last_name), normalise_name(identity.first_name)
        return cls(last, first, phonex(last), phonex(first))

    def swapped(self) -> _Names:
        return _Names(self.first, self.last, self.first_sound, self.last_sound)


def _compare_names(query: _Names, other: _Names) -> _Evidence | None:
    if (query.last, query.first) == (other.last, other.first):
        return _Evidence(4, ("même nom et même prénom",))
    if (query.last, query.first) == (other.first, other.last):
        return _Evidence(4, ("mêmes nom et prénom, inversés",))
    best: _Evidence | None = None
    for swapped, names in ((False, other), (True, other.swapped())):
        evidence = _compare_oriented(query, names)
        if evidence is None:
            continue
        if swapped:
            evidence = _Evidence(evidence.strength, (*evidence.reasons, "nom et prénom inversés"))
        if best is None or evidence.strength > best.strength:
            best = evidence
    return best


def _compare_oriented(query: _Names, other: _Names) -> _Evidence | None:
    distance = DamerauLevenshtein.distance(query.last, other.last) + DamerauLevenshtein.distance(
        query.first, other.first
    )
    same_sound = query.last_sound == other.last_sound and query.first_sound == other.first_sound
    reasons = []
    if distance <= 2:
        closeness = "très proche" if distance == 1 else "proche"
        reasons.append(f"nom {closeness} ({_letters(distance)} d'écart)")
    if same_sound:
        reasons.append("nom phonétiquement identique")
    if distance == 1 or same_sound:
        return _Evidence(3, tuple(reasons))
    lengths = (len(query.last) + len(query.first), len(other.last) + len(other.first))
    if distance == 2 and min(lengths) >= 8:
        return _Evidence(2, tuple(reasons))
    same_last = query.last == other.last or query.last_sound == other.last_sound
    shorter, longer = sorted((query.first, other.first), key=len)
    if same_last and len(shorter) >= MIN_PREFIX and longer.startswith(shorter):
        return _Evidence(2, ("même nom, prénom abrégé ou composé",))
    return _REJECTED


def _one_digit_apart(a: date, b: date) -> str | None:
    da, db = a.strftime("%d%m%Y"), b.strftime("%d%m%Y")
    if (a.day, a.month) == (b.month, b.day) and a.year == b.year:
        return "date de naissance avec jour et mois inversés"
    differences = [i for i in range(len(da)) if da[i] != db[i]]
    if len(differences) == 1:
        return "date de naissance à un chiffre près"
    if (
        len(differences) == 2
        and differences[1] == differences[0] + 1
        and da[differences[0]] == db[differences[1]]
        and da[differences[1]] == db[differences[0]]
    ):
        return "date de naissance à deux chiffres inversés près"
    return None


def _year_window(identity: Identity) -> range | None:
    """Years the birth may fall in: one for a birth date, a few for an approximate age."""
    if identity.birth_date is not None:
        return range(identity.birth_date.year, identity.birth_date.year + 1)
    if identity.approximate_age is None:
        return None
    year = identity.estimated_birth_year
    # Age A stated on day S: born in S.year-A-1 or S.year-A; "about A" adds the tolerance.
    return range(year - 1 - AGE_TOLERANCE_YEARS, year + 1 + AGE_TOLERANCE_YEARS)


def _compare_births(query: Identity, other: Identity) -> _Evidence | None:
    if query.birth_date is not None and other.birth_date is not None:
        if query.birth_date == other.birth_date:
            return _Evidence(4, ("même date de naissance",))
        near = _one_digit_apart(query.birth_date, other.birth_date)
        return _Evidence(2, (near,)) if near else _REJECTED
    mine, theirs = _year_window(query), _year_window(other)
    if mine is None or theirs is None:
        return _Evidence(0, ("date de naissance ou âge non renseigné",))
    if not set(mine) & set(theirs):
        return _REJECTED
    if query.birth_date is None and other.birth_date is None:
        return _Evidence(1, ("âges indiqués compatibles",))
    return _Evidence(1, ("année de naissance compatible avec l'âge indiqué",))


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", anyascii(text).lower())


def _same_contact(query: Identity, other: Identity) -> tuple[str, ...]:
    """Extra reasons, for candidates already kept: the same phone (last 9 digits) or address."""
    reasons = []
    digits = ["".join(filter(str.isdigit, i.phone))[-9:] for i in (query, other)]
    if len(digits[0]) == 9 and digits[0] == digits[1]:
        reasons.append("même numéro de téléphone")
    if _compact(query.address) and _compact(query.address) == _compact(other.address):
        reasons.append("même adresse")
    return tuple(reasons)


def compare(query: Identity, other: Identity, *, query_names: _Names | None = None):
    """(strength, reasons) if ``other`` may be the same person as ``query``, else None.

    The strength only orders candidates; it is never shown.
    """
    names = _compare_names(query_names or _Names.of(query), _Names.of(other))
    births = _compare_births(query, other)
    if names is None or births is None:
        return None
    if names.strength >= 3 or (names.strength == 2 and births.strength >= 2):
        return names.strength + births.strength, births.reasons + names.reasons
    return None


_BIRTH_FIELDS = ["last_name", "first_name", "birth_date", "approximate_age"]


def find_possible_duplicates(*, cell, identity: Identity, exclude=None) -> list[Candidate]:
    """Persons of ``cell`` who may be the person described by ``identity``, strongest first.

    ``exclude``: a person not to return (the one being edited). Decrypts only the candidates that
    the blind indexes point to, and their address and phone only once they are kept.
    """
    today = timezone.localdate()
    condition = Q()
    for column, values in search_indexes(cell.pk, identity, today=today).items():
        condition |= Q(**{f"{column}__in": values})
    # Two steps, each led by an index the planner cannot pass over: the blind indexes, then the
    # primary key (with the cell in the WHERE clause, SQLite would rather scan the whole cell).
    ids = list(Person.objects.filter(condition).order_by().values_list("pk", flat=True))
    rows = Person.objects.with_keys().filter(pk__in=ids, key__wrapped_key__isnull=False)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)

    found = []
    query_names = _Names.of(identity)
    with crypto.keyring_scope():
        for person in rows.order_by():
            if person.cell_id != cell.pk:
                continue  # index values are per cell already; this keeps the scope explicit
            cipher = person.cipher()
            partial = Identity(
                **person.unseal(cipher, _BIRTH_FIELDS), age_stated_on=person.age_stated_on
            )
            verdict = compare(identity, partial, query_names=query_names)
            if verdict is None:
                continue
            strength, reasons = verdict
            full = person.identity
            found.append(
                (strength, person.created_at, person, full, reasons + _same_contact(identity, full))
            )
    found.sort(key=lambda item: (-item[0], item[1]))
    return [Candidate(person=p, identity=i, reasons=r) for _, _, p, i, r in found]
