"""« Personnes peut-être déjà connues de la cellule »: what is found, why, and what is not."""

import dataclasses
from datetime import date

import pytest

from cellule.people import bench, crypto
from cellule.people.duplicates import compare, find_possible_duplicates
from cellule.people.identity import Identity
from tests.people.factories import PersonFactory

BIRTH = date(2004, 3, 12)


@pytest.fixture
def benoit(cell, coordinator):
    """Benoît Lefèvre, born 12/03/2004, among a few dozen other persons of the cell."""
    for _ in range(30):
        PersonFactory(cell=cell)
    return PersonFactory(
        cell=cell,
        last_name="Lefèvre",
        first_name="Benoît",
        birth_date=BIRTH,
        phone="06 12 34 56 78",
    )


def search(cell, last, first, **birth):
    return find_possible_duplicates(cell=cell, identity=Identity(last, first, **birth))


@pytest.mark.parametrize(
    ("last", "first", "reason"),
    [
        ("lefevre", "benoit", "même nom et même prénom"),
        ("LEFEBVRE", "Benoit", "nom très proche (1 lettre d'écart)"),
        ("Benoit", "LEFEBVRE", "nom et prénom inversés"),
        ("Lefevbre", "Benoit", "nom phonétiquement identique"),
        ("Lefèvrr", "Benoît", "nom très proche (1 lettre d'écart)"),
        ("Lefèvre", "Benoït", "même nom et même prénom"),  # tréma for circonflexe
        ("Lefèvre", "Benpît", "nom très proche (1 lettre d'écart)"),
        ("Benoît", "Lefèvre", "mêmes nom et prénom, inversés"),
    ],
)
def test_benoit_lefevre_is_found_whatever_the_spelling(cell, benoit, last, first, reason):
    candidates = search(cell, last, first, birth_date=BIRTH)

    assert [candidate.person for candidate in candidates] == [benoit]
    assert candidates[0].reasons[0] == "même date de naissance"
    assert reason in candidates[0].reasons
    assert candidates[0].identity.last_name == "Lefèvre"


def test_an_approximate_age_finds_the_same_sounding_name_of_a_compatible_year(cell, benoit):
    age = benoit.identity.age()

    for given in (age - 1, age, age + 1):
        candidates = search(cell, "LEFEBVRE", "Benoit", approximate_age=given)
        assert [c.person for c in candidates] == [benoit]
        assert candidates[0].reasons[:2] == (
            "année de naissance compatible avec l'âge indiqué",
            "nom très proche (1 lettre d'écart)",
        )
    assert search(cell, "Lefèvre", "Benoît", approximate_age=age + 4) == []
    assert search(cell, "Lefèvre", "Benoît", approximate_age=age - 3) == []


def test_a_person_known_by_approximate_age_is_found_from_a_birth_date(cell, coordinator):
    known = PersonFactory(cell=cell, last_name="Gautier", first_name="Philippe", approximate_age=17)
    birth = date(date.today().year - 17, 6, 15)

    candidates = search(cell, "Gauthier", "Filipe", birth_date=birth)

    assert [c.person for c in candidates] == [known]
    assert "nom phonétiquement identique" in candidates[0].reasons


def test_a_typo_in_the_birth_date_is_tolerated_with_the_same_name(cell, benoit):
    candidates = search(cell, "Lefèvre", "Benoît", birth_date=date(2004, 3, 13))
    assert candidates[0].reasons[0] == "date de naissance à un chiffre près"
    swapped = search(cell, "Lefèvre", "Benoît", birth_date=date(2004, 12, 3))
    assert swapped[0].reasons[0] == "date de naissance avec jour et mois inversés"


def test_nothing_is_offered_for_someone_else(cell, benoit):
    assert search(cell, "Lefèvre", "Benoît", birth_date=date(1971, 8, 30)) == []  # a father
    assert search(cell, "Lefèvre", "Nicolas", birth_date=BIRTH) == []  # a twin brother
    assert search(cell, "Martin", "Benoît", birth_date=BIRTH) == []
    assert search(cell, "Lefèvre", "Benoît", birth_date=date(2004, 9, 28)) == []  # same year


def test_persons_of_another_cell_are_never_offered(cell, other_cell, benoit):
    PersonFactory(cell=other_cell, last_name="Lefèvre", first_name="Benoît", birth_date=BIRTH)

    assert [c.person for c in search(other_cell, "Lefèvre", "Benoît", birth_date=BIRTH)] != [benoit]
    assert [c.person.cell for c in search(other_cell, "Lefèvre", "Benoît", birth_date=BIRTH)] == [
        other_cell
    ]
    assert [c.person for c in search(cell, "Lefèvre", "Benoît", birth_date=BIRTH)] == [benoit]


def test_the_person_being_edited_is_left_out(cell, benoit):
    identity = Identity("Lefèvre", "Benoît", birth_date=BIRTH)
    assert find_possible_duplicates(cell=cell, identity=identity, exclude=benoit) == []


def test_shredded_persons_are_never_offered(cell, benoit):
    crypto.shred(benoit)
    assert search(cell, "Lefèvre", "Benoît", birth_date=BIRTH) == []


def test_the_strongest_evidence_comes_first(cell, benoit):
    close = PersonFactory(cell=cell, last_name="Lefebvre", first_name="Benoit", birth_date=BIRTH)
    age = Identity("x", "x", birth_date=BIRTH).age()
    by_age = PersonFactory(cell=cell, last_name="Lefèvre", first_name="Benoît", approximate_age=age)

    candidates = search(cell, "Lefèvre", "Benoît", birth_date=BIRTH)

    assert [c.person for c in candidates] == [benoit, close, by_age]


def test_a_shared_phone_number_or_address_is_given_as_a_reason(cell, benoit):
    identity = Identity("Lefebvre", "Benoit", birth_date=BIRTH, phone="+33 6 12 34 56 78")
    candidates = find_possible_duplicates(cell=cell, identity=identity)
    assert "même numéro de téléphone" in candidates[0].reasons

    address = benoit.identity.address
    same = Identity("Lefebvre", "Benoit", birth_date=BIRTH, address=address.upper())
    assert "même adresse" in find_possible_duplicates(cell=cell, identity=same)[0].reasons
    other_number = Identity("Lefebvre", "Benoit", birth_date=BIRTH, address=f"9{address}")
    (candidate,) = find_possible_duplicates(cell=cell, identity=other_number)
    assert "même adresse" not in candidate.reasons


def test_only_the_candidates_are_decrypted(cell, benoit, monkeypatch):
    unwrapped = []
    unwrap = crypto.unwrap_data_key

    def counting(*args, **kwargs):
        unwrapped.append(kwargs["person_id"])
        return unwrap(*args, **kwargs)

    monkeypatch.setattr(crypto, "unwrap_data_key", counting)
    search(cell, "Lefebvre", "Benoit", birth_date=BIRTH)

    assert benoit.pk in unwrapped
    assert len(unwrapped) <= 3  # out of 31 persons in the cell


def test_a_candidate_does_not_show_its_name_in_logs(cell, benoit):
    (candidate,) = search(cell, "Lefèvre", "Benoît", birth_date=BIRTH)
    assert "Lef" not in repr(candidate)
    assert {field.name for field in dataclasses.fields(candidate)} == {
        "person",
        "identity",
        "reasons",
    }  # no score: candidates are only ordered


@pytest.mark.parametrize(
    ("stored", "searched", "same"),
    [
        (Identity("Dupont", "Marie", BIRTH), Identity("Dupond", "Marie", BIRTH), True),
        (Identity("Dupont", "Marie", BIRTH), Identity("Dupont", "Marie-Claire", BIRTH), True),
        (Identity("Dupont", "Marie", BIRTH), Identity("Dupont", "Maria", date(1990, 1, 1)), False),
        (Identity("Durand", "Ali"), Identity("Durand", "Ali", approximate_age=40), True),
        (Identity("Li", "Wu", BIRTH), Identity("Lu", "Xi", BIRTH), False),
    ],
)
def test_comparison_rules(stored, searched, same):
    assert (compare(searched, stored) is not None) is same


def test_recall_and_precision_on_a_generated_cell(db):
    """400 persons with French names, 40 of them typo duplicates of another (bench.measure)."""
    result = bench.measure(n_people=400, seed=20260312)

    assert result["n_queries"] == 40
    assert result["recall"] >= 0.95
    assert result["candidates_per_query"] <= 1.5
    assert result["false_alarm_rate"] <= 0.1
