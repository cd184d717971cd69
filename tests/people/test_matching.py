"""Name normalisation, the Phonex code and the blind indexes."""

from datetime import date

import pytest

from cellule.people import matching
from cellule.people.identity import Identity
from cellule.people.matching import BirthKey, blind_indexes, normalise_name, phonex, search_indexes

CELL = "5b0a8f1e-0000-4000-8000-000000000001"
OTHER_CELL = "5b0a8f1e-0000-4000-8000-000000000002"
BIRTH = date(2004, 3, 12)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("Benoît", "benoit"),
        ("  LEFÈVRE ", "lefevre"),
        ("N'Diaye", "ndiaye"),
        ("N’Diaye", "ndiaye"),
        ("Le Gall", "legall"),
        ("Jean-Pierre", "jeanpierre"),
        ("Œdipe", "oedipe"),
        ("Łukasz", "lukasz"),
        ("Müller", "muller"),
    ],
)
def test_normalisation_keeps_letters_only(typed, normalised):
    assert normalise_name(typed) == normalised


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Lefèvre", "Lefebvre"),
        ("Benoît", "Benoit"),
        ("Philippe", "Filipe"),
        ("Gauthier", "Gautier"),
        ("Mathieu", "Matthieu"),
        ("Dupont", "Dupond"),
        ("Laurent", "Laurant"),
        ("Caroline", "Karoline"),
        ("Lemaire", "Lemerre"),
        ("Hélène", "Elene"),
    ],
)
def test_phonex_gives_the_same_code_to_names_that_sound_the_same(one, other):
    assert phonex(one) == phonex(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Martin", "Martinez"),
        ("Dupont", "Durand"),
        ("Benoît", "Bernard"),
        ("Lefèvre", "Lefort"),
        ("Thomas", "Lucas"),
        ("Fabien", "Fabienne"),
        ("Jean", "Jeanne"),
    ],
)
def test_phonex_tells_different_names_apart(one, other):
    assert phonex(one) != phonex(other)


def test_phonex_codes_are_pinned():
    # Stored indexes depend on these codes: changing the algorithm needs a re-indexing migration.
    assert [phonex(n) for n in ("Lefèvre", "Benoît", "Gauthier", "Schmitt", "Vincent")] == [
        "lefefre",
        "fen2",
        "kotiyr",
        "5ni",
        "f4k1",
    ]


def identity(last="Lefèvre", first="Benoît", **kwargs):
    return Identity(last_name=last, first_name=first, **({"birth_date": BIRTH} | kwargs))


def test_the_exact_index_ignores_accents_case_spacing_and_name_order():
    reference = blind_indexes(CELL, identity())["index_name_birth"]

    assert blind_indexes(CELL, identity("LEFEVRE", "benoit"))["index_name_birth"] == reference
    assert blind_indexes(CELL, identity("Benoit", "Lefèvre"))["index_name_birth"] == reference
    assert blind_indexes(CELL, identity("Lefebvre", "Benoît"))["index_name_birth"] != reference
    other_day = identity(birth_date=date(2004, 3, 13))
    assert blind_indexes(CELL, other_day)["index_name_birth"] != reference


def test_the_phonetic_index_matches_spellings_of_the_same_name_and_year():
    reference = blind_indexes(CELL, identity())["index_name_year"]

    same_sound = identity("Lefebvre", "Benoit", birth_date=date(2004, 11, 30))
    assert blind_indexes(CELL, same_sound)["index_name_year"] == reference
    next_year = identity(birth_date=date(2005, 3, 12))
    assert blind_indexes(CELL, next_year)["index_name_year"] != reference


def test_indexes_are_short_keyed_hashes_that_differ_from_cell_to_cell(settings):
    mine = blind_indexes(CELL, identity())
    theirs = blind_indexes(OTHER_CELL, identity())

    assert all(len(value) == 16 and int(value, 16) >= 0 for value in mine.values())
    assert not set(mine.values()) & set(theirs.values())
    settings.CELLULE_INDEX_KEY = b"\x07" * 32
    assert not set(blind_indexes(CELL, identity()).values()) & set(mine.values())


def test_without_a_birth_date_the_date_indexes_are_empty():
    indexes = blind_indexes(CELL, identity(birth_date=None, approximate_age=16))

    assert indexes["index_name_birth"] is None
    assert indexes["index_name_year"] and indexes["index_last_name_year"]


@pytest.mark.parametrize(
    ("stored", "searched", "found"),
    [
        ({"birth_date": BIRTH}, {"birth_date": BIRTH}, True),
        ({"birth_date": BIRTH}, {"birth_date": date(2005, 1, 1)}, True),  # a year digit off by one
        ({"birth_date": BIRTH}, {"birth_date": date(2007, 3, 12)}, False),
        # Searched on 2026-06-01: "about 22" puts the birth in 2003 or 2004, give or take a year.
        ({"birth_date": BIRTH}, {"approximate_age": 22}, True),
        ({"birth_date": BIRTH}, {"approximate_age": 23}, True),
        ({"birth_date": BIRTH}, {"approximate_age": 18}, False),
        ({"approximate_age": 15, "age_stated_on": date(2019, 6, 1)}, {"birth_date": BIRTH}, True),
        ({"approximate_age": 15, "age_stated_on": date(2019, 6, 1)}, {"approximate_age": 22}, True),
        ({}, {"birth_date": BIRTH}, True),  # birth unknown: always looked at
        ({"birth_date": BIRTH}, {}, True),  # nothing known: every year looked at
    ],
)
def test_searches_look_at_every_compatible_birth(stored, searched, found):
    today = date(2026, 6, 1)
    stored_value = blind_indexes(CELL, Identity("Lefèvre", "Benoît", **stored))["index_name_year"]
    wanted = search_indexes(CELL, Identity("Lefebvre", "Benoit", **searched), today=today)

    assert (stored_value in wanted["index_name_year"]) is found


def test_a_mistyped_name_is_still_searched_through_the_other_name():
    stored = blind_indexes(CELL, identity())
    last_typo = search_indexes(CELL, identity("Lefèvrr"), today=date(2026, 6, 1))
    first_typo = search_indexes(CELL, identity(first="Benpît"), today=date(2026, 6, 1))

    assert stored["index_name_year"] not in last_typo["index_name_year"]
    assert stored["index_first_name_year"] in last_typo["index_first_name_year"]
    assert stored["index_last_name_year"] in first_typo["index_last_name_year"]


def test_the_birth_key_separates_exact_and_estimated_years():
    assert matching.birth_key(identity()) == BirthKey("d", 2004)
    estimated = identity(birth_date=None, approximate_age=15, age_stated_on=date(2019, 6, 1))
    assert matching.birth_key(estimated) == BirthKey("a", 2004)
    assert matching.birth_key(identity(birth_date=None)) == matching.UNKNOWN_BIRTH
