"""Facts: written at each wired event, anonymous by construction, and kept through purges."""

from datetime import date, datetime, timedelta

import pytest
from django.db import models
from django.utils import timezone

from cellule.reports import services as report_services
from cellule.stats.enums import AgeBand, DurationBucket, FactKind
from cellule.stats.models import Fact
from cellule.stats.services import age_band_of, duration_bucket, record_fact
from tests.accounts.factories import CellFactory
from tests.reports.factories import file_signalement
from tests.territory.factories import CommuneFactory

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 10) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


# --- The model cannot identify anyone -------------------------------------------------------------


ALLOWED_FIELDS = {
    "id",
    "cell_id",
    "commune_code",
    "departement_code",
    "month",
    "kind",
    "category",
    "age_band",
    "duration",
}


def test_a_fact_has_no_field_that_could_identify_a_person():
    fields = Fact._meta.get_fields()
    assert {field.name for field in fields} == ALLOWED_FIELDS, (
        "a new field on Fact: check it cannot single a person out, then add it here"
    )
    assert not [field.name for field in fields if field.is_relation], "no foreign key at all"
    assert not [f.name for f in fields if isinstance(f, (models.DateTimeField, models.TimeField))]
    assert [f.name for f in fields if isinstance(f, models.DateField)] == ["month"]
    # No field may point at a person, a report or anything of theirs, even as a plain value.
    for field in fields:
        for word in ("person", "personne", "name", "nom", "birth", "signalement", "situation"):
            assert word not in field.name


def test_a_fact_keeps_only_the_month():
    cell = CellFactory()
    fact = record_fact(kind=FactKind.SEANCE_HELD, cell=cell, when=datetime(2026, 3, 17, 15, 30))
    fact.refresh_from_db()
    assert fact.month == date(2026, 3, 1)


def test_commune_is_the_residence_else_the_cells_single_commune():
    home, elsewhere = CommuneFactory(), CommuneFactory()
    single = CellFactory(communes=[home])
    several = CellFactory(communes=[home, elsewhere])
    departmental = CellFactory(departmental=True)
    assert record_fact(kind=FactKind.SEANCE_HELD, cell=single).commune_code == home.code
    assert record_fact(kind=FactKind.SEANCE_HELD, cell=several).commune_code == ""
    assert record_fact(kind=FactKind.SEANCE_HELD, cell=departmental).commune_code == ""
    fact = record_fact(kind=FactKind.SEANCE_HELD, cell=several, commune=elsewhere)
    assert fact.commune_code == elsewhere.code
    assert fact.departement_code == several.departement_id


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, DurationBucket.UNDER_7_DAYS),
        (6, DurationBucket.UNDER_7_DAYS),
        (7, DurationBucket.FROM_7_TO_30_DAYS),
        (30, DurationBucket.FROM_7_TO_30_DAYS),
        (31, DurationBucket.FROM_1_TO_3_MONTHS),
        (91, DurationBucket.FROM_1_TO_3_MONTHS),
        (92, DurationBucket.FROM_3_TO_12_MONTHS),
        (365, DurationBucket.FROM_3_TO_12_MONTHS),
        (366, DurationBucket.OVER_12_MONTHS),
    ],
)
def test_duration_buckets(days, bucket):
    assert duration_bucket(timedelta(days=days, hours=5)) == bucket


def test_no_duration_no_bucket():
    assert duration_bucket(None) == ""


@pytest.mark.parametrize(
    ("identity", "band"),
    [
        ({"birth_date": years_ago(12)}, AgeBand.UNDER_13),
        ({"birth_date": years_ago(13)}, AgeBand.FROM_13_TO_17),
        ({"birth_date": years_ago(17)}, AgeBand.FROM_13_TO_17),
        ({"birth_date": years_ago(18)}, AgeBand.FROM_18_TO_25),
        ({"approximate_age": 25}, AgeBand.FROM_18_TO_25),
        ({"approximate_age": 26}, AgeBand.OVER_25),
    ],
)
def test_age_band_at_the_time_of_the_event(cell, identity, band):
    signalement = file_signalement(cell, **identity)
    assert age_band_of(signalement.person) == band


def test_age_band_of_a_shredded_person_is_unknown(cell, coordinator):
    from cellule.people.services import shred_person

    person = file_signalement(cell).person
    shred_person(person=person, reason="erreur de saisie", by=coordinator)
    person.refresh_from_db()
    assert age_band_of(person) == AgeBand.UNKNOWN


# --- Wired events ---------------------------------------------------------------------------------


def test_filing_a_signalement_writes_a_received_fact(cell):
    signalement = file_signalement(cell, birth_date=years_ago(15))
    (fact,) = Fact.objects.filter(kind=FactKind.SIGNALEMENT_RECEIVED)
    assert fact.cell_id == cell.pk
    assert fact.category == signalement.source_category == "school"
    assert fact.age_band == AgeBand.FROM_13_TO_17
    assert fact.commune_code == cell.communes.get().code  # no residence given: the cell's commune
    assert fact.month == timezone.localdate().replace(day=1)
    assert fact.duration == ""


def test_the_residence_commune_is_counted_when_known(cell, reporter):
    from cellule.people.identity import Identity
    from cellule.reports.enums import SourceCategory
    from cellule.reports.models import Indicator

    home = CommuneFactory()
    day = timezone.localdate() - timedelta(days=2)
    report_services.file_signalement(
        cell=cell,
        identity=Identity(last_name="Durand", first_name="Léa", approximate_age=30),
        commune=home,
        observed_on=day,
        source_category=SourceCategory.CCAS,
        indicators=[(Indicator.objects.filter(is_current=True).first(), day)],
        text="Faits observés.",
        by=reporter,
    )
    fact = Fact.objects.get(kind=FactKind.SIGNALEMENT_RECEIVED)
    assert (fact.commune_code, fact.category, fact.age_band) == (home.code, "ccas", "over_25")


def test_qualifying_writes_one_fact_with_the_delay(cell, coordinator):
    signalement = file_signalement(cell)
    report_services.confirm_new_person(signalement=signalement, by=coordinator)
    Fact.objects.all().delete()
    report_services.qualify_signalement(
        signalement=signalement,
        decision=report_services.Qualification(
            closed=True, closure_reason="unfounded", reason="Rien d'inquiétant."
        ),
        by=coordinator,
    )
    (fact,) = Fact.objects.all()
    assert (fact.kind, fact.category) == (FactKind.SIGNALEMENT_QUALIFIED, "closed")
    assert fact.duration == DurationBucket.UNDER_7_DAYS
    assert fact.age_band == AgeBand.FROM_13_TO_17


def test_qualifying_with_several_outcomes_writes_one_fact_per_outcome(cell, coordinator):
    import time_machine

    with time_machine.travel(timezone.now() - timedelta(days=12)):
        signalement = file_signalement(cell)
    report_services.confirm_new_person(signalement=signalement, by=coordinator)
    report_services.qualify_signalement(
        signalement=signalement,
        decision=report_services.Qualification(
            redirected=True, redirect_service="ccas", transmitted=True, reason="À suivre."
        ),
        by=coordinator,
    )
    facts = Fact.objects.filter(kind=FactKind.SIGNALEMENT_QUALIFIED)
    assert sorted(facts.values_list("category", flat=True)) == ["redirected", "transmitted"]
    assert set(facts.values_list("duration", flat=True)) == {DurationBucket.FROM_7_TO_30_DAYS}


def test_facts_survive_the_erasure_of_the_person(cell, coordinator):
    from cellule.people.services import shred_person

    signalement = file_signalement(cell)
    before = list(Fact.objects.values_list("kind", "category", "age_band"))
    shred_person(person=signalement.person, reason="erreur de saisie", by=coordinator)
    assert list(Fact.objects.values_list("kind", "category", "age_band")) == before != []
