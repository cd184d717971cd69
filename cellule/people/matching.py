"""Name normalisation, French phonetic keys and blind indexes (architecture §7).

A blind index is ``HMAC-SHA256(CELLULE_INDEX_KEY, label ‖ cell id ‖ normalised values)``
truncated to 64 bits, stored beside the ciphertexts so that a cell can find possible duplicates
by equality without decrypting its table. No clear name is ever stored.

- The key is separate from the master keys: the indexes can be recomputed, or their key
  replaced, without touching the encryption.
- The cell id is part of every index: the same person known to two cells has unrelated index
  values, so a database dump does not link cells' files (searches are per cell anyway).
- 64 bits: a false match inside a cell has a probability of n/2⁶⁴ per lookup (nothing at any
  realistic n), and a shorter value would not hide anything that matters — a blind index leaks
  the equality of two rows, whatever its length. Deliberate collisions (CipherSweet) would blur
  that only for cells far larger than ours, at the cost of extra decryptions. 16 hex characters
  index well on both SQLite and PostgreSQL.

Changing the normalisation or the phonetic code changes the index values: existing rows must
then be re-indexed (decrypt the names, recompute) in the same release.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date
from hashlib import sha256

from anyascii import anyascii
from django.conf import settings

INDEX_HEX_CHARS = 16  # 64 bits
OLDEST_AGE = 120  # a search without any date looks this far back

_NOT_LETTER = re.compile(r"[^a-z]+")


def normalise_name(text: str) -> str:
    """Lower-case ASCII letters only: accents stripped, spaces, hyphens and apostrophes removed.

    « N'Diaye » = « Ndiaye », « Le Gall » = « LEGALL », « Jean-Pierre » = « jean pierre »,
    « Benoît » = « BENOIT », « Œdipe » = « oedipe ». Names in other scripts are transliterated.
    """
    return _NOT_LETTER.sub("", anyascii(text or "").lower())


# --- Phonex -------------------------------------------------------------------------------------
# Phonex, a French phonetic code by Frédéric Brouard (1999), designed for French names; published
# with Soundex2 in his « Algorithmes phonétiques » (SQLPro) and used by French genealogy tools.
# Steps follow the original numbering. Two deliberate choices:
# - the input is normalise_name()'s output: accents are stripped first (the original maps é/è/ê
#   to the « é » sound), because clerks drop accents inconsistently and Lefèvre must meet Lefevre;
# - the final step (reading the code as a base-22 real number) is left out: that number is only
#   a compact encoding of the same string, less precise; the string itself goes into the HMAC.

_VOWEL_OR_SOUND = "aeiouy1234"
_PHONEX_RULES: list[tuple[re.Pattern, str]] = [
    # 1. y → i
    (re.compile("y"), "i"),
    # 2. h is silent unless it follows c, s or p (ch, sh, ph)
    (re.compile("(?<![csp])h"), ""),
    # 3. ph → f
    (re.compile("ph"), "f"),
    # 4. hard g before an « an / ain » sound
    (re.compile(r"g(?=ai?[nm])"), "k"),
    # 5. ain, ein, aim, eim before a vowel → yn (the « è » + n of « Germaine »)
    (re.compile(r"[ae]i[nm](?=[aeiou])"), "yn"),
    # 6. three-letter sounds: eau → o, oua → 2, ein/ain/eim/aim → 4
    (re.compile("eau"), "o"),
    (re.compile("oua"), "2"),
    (re.compile("[ae]i[nm]"), "4"),
    # 7. the « é » sound: ai, ei → y; er, ess, et, ez → y + consonant
    (re.compile("[ae]i"), "y"),
    (re.compile("e(?=[rtz])"), "y"),
    (re.compile("ess"), "yss"),
    # 8. nasals an, am, en, em → 1 and in → 4, unless a vowel or a sound follows
    (re.compile(f"(?:an|am|en|em)(?![{_VOWEL_OR_SOUND}])"), "1"),
    (re.compile(f"in(?![{_VOWEL_OR_SOUND}])"), "4"),
    # 9. s between vowels or sounds sounds like z
    (re.compile(f"(?<=[{_VOWEL_OR_SOUND}])s(?=[{_VOWEL_OR_SOUND}])"), "z"),
    # 10. two-letter sounds: oe, eu → e; au → o; oi, oy → 2; ou → 3
    (re.compile("oe|eu"), "e"),
    (re.compile("au"), "o"),
    (re.compile("o[iy]"), "2"),
    (re.compile("ou"), "3"),
    # 11. ch, sch, sh → 5; ss → s; sc before e or i → s
    (re.compile("sch|ch|sh"), "5"),
    (re.compile("ss"), "s"),
    (re.compile("sc(?=[eiy])"), "s"),
    # 12. soft c → s; hard c, q, qu, gu → k; ga, go, gy → k + vowel
    (re.compile("c(?=[eiy])"), "s"),
    (re.compile("qu|q|gu|c"), "k"),
    (re.compile("g(?=[aoy])"), "k"),
]
# 13. a → o, d → t, p → t, j → g, b → f, v → f, m → n
_PHONEX_LETTERS = str.maketrans("adpjbvm", "ottgffn")
_REPEATS = re.compile(r"(.)\1+")


def phonex(name: str) -> str:
    """The Phonex code of one name (any spelling; normalised first)."""
    code = normalise_name(name)
    for pattern, replacement in _PHONEX_RULES:
        code = pattern.sub(replacement, code)
    code = code.translate(_PHONEX_LETTERS)
    code = _REPEATS.sub(r"\1", code)  # 14. letters repeated in a row count once
    return code.rstrip("tx") if len(code) > 1 else code  # 15. final t and x are silent


# --- Blind indexes ------------------------------------------------------------------------------

BLIND_INDEX_FIELDS = (
    "index_name_birth",
    "index_name_year",
    "index_last_name_year",
    "index_first_name_year",
)


def _hmac(label: str, cell_id, *parts: str) -> str:
    # Parts are [a-z0-9-] strings: the unit separator cannot occur in them.
    message = "\x1f".join([label, str(cell_id), *parts]).encode()
    return hmac.new(settings.CELLULE_INDEX_KEY, message, sha256).hexdigest()[:INDEX_HEX_CHARS]


@dataclass(frozen=True)
class BirthKey:
    """What the year-based indexes know of a birth: an exact year, an estimated one, or nothing.

    Exact and estimated years are kept apart in the index (``d`` / ``a``) so that a search can ask
    for exact years close to its own and for estimated years within an age's uncertainty.
    """

    kind: str  # "d": from a birth date, "a": estimated from an approximate age, "-": unknown
    year: int = 0

    def token(self) -> str:
        return f"{self.kind}{self.year}" if self.kind != "-" else "-"


UNKNOWN_BIRTH = BirthKey("-")


def birth_key(identity) -> BirthKey:
    if identity.birth_date is not None:
        return BirthKey("d", identity.birth_date.year)
    if identity.approximate_age is not None:
        return BirthKey("a", identity.estimated_birth_year)
    return UNKNOWN_BIRTH


def _name_parts(identity) -> tuple[str, str]:
    return normalise_name(identity.last_name), normalise_name(identity.first_name)


def name_birth_index(cell_id, last: str, first: str, birth_date: date) -> str:
    """(a) Normalised full name, in either order, and exact birth date."""
    return _hmac("name+date", cell_id, *sorted([last, first]), birth_date.isoformat())


def name_year_index(cell_id, last: str, first: str, birth: BirthKey) -> str:
    """(b) Phonetic keys of both names, in either order, and birth year."""
    return _hmac(
        "phonex(name)+year", cell_id, *sorted([phonex(last), phonex(first)]), birth.token()
    )


def last_name_year_index(cell_id, last: str, birth: BirthKey) -> str:
    """Phonetic key of the last name alone and birth year: catches a mistyped first name."""
    return _hmac("phonex(last)+year", cell_id, phonex(last), birth.token())


def first_name_year_index(cell_id, first: str, birth: BirthKey) -> str:
    """Phonetic key of the first name alone and birth year: catches a mistyped last name."""
    return _hmac("phonex(first)+year", cell_id, phonex(first), birth.token())


def blind_indexes(cell_id, identity) -> dict[str, str | None]:
    """The index columns of a person of ``cell_id`` with this identity."""
    last, first = _name_parts(identity)
    last_sound, first_sound = phonex(last), phonex(first)
    birth = birth_key(identity)
    exact = identity.birth_date
    return {
        "index_name_birth": name_birth_index(cell_id, last, first, exact) if exact else None,
        "index_name_year": name_year_index(cell_id, last_sound, first_sound, birth),
        "index_last_name_year": last_name_year_index(cell_id, last_sound, birth),
        "index_first_name_year": first_name_year_index(cell_id, first_sound, birth),
    }


def compatible_birth_keys(identity, *, today: date, single_name: bool = False):
    """The stored birth keys that a search for this identity must look at.

    - Exact year Y: exact years Y-1..Y+1 (a mistyped year digit), estimated years Y-1..Y+2 (an
      age A given on day S puts the birth in S.year-A-1..S.year-A, give or take a year).
    - Approximate age, estimated year E: exact years E-2..E+1, estimated years E-3..E+3 (both
      ages uncertain).
    - Nothing known: every year of a plausible lifetime.
    Rows whose birth is unknown are always looked at. The single-name indexes, weaker evidence,
    look only at the exact year (or the age's window) and never at unknown births.
    """
    birth = birth_key(identity)
    if birth.kind == "d":
        spread = 0 if single_name else 1
        exact = range(birth.year - spread, birth.year + spread + 1)
        estimated = range(birth.year - 1, birth.year + 3)
    elif birth.kind == "a":
        exact = range(birth.year - 2, birth.year + 2)
        estimated = range(birth.year - 3, birth.year + 4)
    else:
        if single_name:
            return []
        exact = estimated = range(today.year - OLDEST_AGE, today.year + 1)
    keys = [BirthKey("d", y) for y in exact] + [BirthKey("a", y) for y in estimated]
    if not single_name:
        keys.append(UNKNOWN_BIRTH)
    return keys


def search_indexes(cell_id, identity, *, today: date) -> dict[str, list[str]]:
    """Index values to look up, by column, to gather the candidates of a duplicate search.

    Both name orders are tried, so that a last name typed in the first-name field still matches.
    """
    last, first = _name_parts(identity)
    sounds = (phonex(last), phonex(first))
    wanted: dict[str, set[str]] = {name: set() for name in BLIND_INDEX_FIELDS}
    for birth in compatible_birth_keys(identity, today=today):
        wanted["index_name_year"].add(name_year_index(cell_id, *sounds, birth))
    for birth in compatible_birth_keys(identity, today=today, single_name=True):
        for sound in sounds:
            wanted["index_last_name_year"].add(last_name_year_index(cell_id, sound, birth))
            wanted["index_first_name_year"].add(first_name_year_index(cell_id, sound, birth))
    if identity.birth_date is not None:
        wanted["index_name_birth"].add(name_birth_index(cell_id, last, first, identity.birth_date))
    return {column: sorted(values) for column, values in wanted.items() if values}
