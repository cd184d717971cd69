"""bench.measure, which `make bench` calls at 10,000 and 100,000 persons: tested small here."""

from datetime import date

import pytest

from cellule.accounts.models import Cell
from cellule.people import bench
from cellule.people.identity import Identity
from cellule.people.models import Person, PersonKey


def test_measure_reports_the_figures_and_leaves_the_database_as_it_was(db):
    result = bench.measure(n_people=200, seed=1)

    assert set(result) >= {
        "recall",
        "precision",
        "latency_ms_median",
        "latency_ms_p95",
        "candidates_per_query",
        "false_alarm_rate",
    }
    assert result["n_people"] == 200 and result["n_queries"] == 20
    assert 0 < result["latency_ms_median"] <= result["latency_ms_p95"]
    assert 0.0 <= result["precision"] <= 1.0
    assert not Person.objects.exists()
    assert not PersonKey.objects.exists()
    assert not Cell.objects.exists()


def test_measure_is_reproducible(db):
    first = bench.measure(n_people=100, seed=5)
    second = bench.measure(n_people=100, seed=5)

    for figure in ("recall", "precision", "candidates_per_query", "false_alarm_rate"):
        assert first[figure] == second[figure]


def test_measure_refuses_a_set_too_small_to_mean_anything(db):
    with pytest.raises(ValueError, match="at least 20"):
        bench.measure(n_people=5, seed=1)


@pytest.mark.parametrize("kind", bench.VARIANTS)
def test_each_variant_changes_the_identity(kind):
    import random

    original = Identity("Lefèvre", "Philippe", birth_date=date(2004, 3, 12))

    variant = bench._variant(original, kind, random.Random(3), date(2026, 6, 1))

    assert variant != original
