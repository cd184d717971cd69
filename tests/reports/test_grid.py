import re

import pytest

from cellule.reports.enums import IndicatorDomain, SignalStrength
from cellule.reports.grid import FORBIDDEN_WORDS, GRID
from cellule.reports.models import Indicator

pytestmark = pytest.mark.django_db


def test_the_seeded_grid_covers_every_domain_with_weak_and_strong_signals():
    indicators = list(Indicator.objects.current())
    assert len(indicators) == len(GRID)
    assert {i.domain for i in indicators} == set(IndicatorDomain.values)
    assert {i.strength for i in indicators} == set(SignalStrength.values)
    assert all(i.is_imminent_danger == (i.domain == IndicatorDomain.IMMINENT) for i in indicators)


def test_the_grid_holds_no_belief_practice_origin_appearance_or_diet():
    pattern = re.compile(r"\b(" + "|".join(FORBIDDEN_WORDS) + r")\b", re.IGNORECASE)
    offending = [i.label for i in Indicator.objects.all() if pattern.search(i.label)]
    assert offending == []


def test_the_forbidden_word_check_would_catch_a_bad_item():
    pattern = re.compile(r"\b(" + "|".join(FORBIDDEN_WORDS) + r")\b", re.IGNORECASE)
    for bad in ["Port du voile", "Pratique religieuse accrue", "Changement de régime alimentaire", "Conversion récente"]:
        assert pattern.search(bad), bad
