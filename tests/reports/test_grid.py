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
    for bad in [
        "Port du voile",
        "Pratique religieuse accrue",
        "Changement de régime alimentaire",
        "Conversion récente",
    ]:
        assert pattern.search(bad), bad


def test_the_administrator_rewords_an_item_as_a_new_version(client_for, admin_user, cell):
    from django.urls import reverse

    from tests.reports.factories import file_signalement

    signalement = file_signalement(cell, codes=("withdrawal",))
    old = Indicator.objects.get(code="withdrawal", is_current=True)
    client = client_for(admin_user)
    response = client.post(
        reverse("admin:reports_indicator_change", args=[old.pk]),
        {
            "domain": old.domain,
            "strength": old.strength,
            "label": "Isolement marqué, repli sur soi",
            "order": old.order,
            "is_current": "on",
        },
    )
    assert response.status_code == 302
    current = Indicator.objects.get(code="withdrawal", is_current=True)
    assert (current.version, current.label) == (2, "Isolement marqué, repli sur soi")
    old.refresh_from_db()
    assert not old.is_current
    assert signalement.indicators.get().indicator.label == "Repli sur soi, isolement marqué"


def test_the_administrator_sees_no_signalement_in_the_admin(client_for, admin_user):
    from django.urls import NoReverseMatch, reverse

    with pytest.raises(NoReverseMatch):
        reverse("admin:reports_signalement_changelist")
    page = client_for(admin_user).get(reverse("admin:index")).content.decode()
    assert "Indicateurs" in page
