"""The bench's casework generator (bench/casework.py): counts, invariants, and rows the
application reads back (decryption, dashboards). No server, no timing."""

import random
import types
import uuid
from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone

from bench import casework
from cellule.people.crypto import data_cipher, new_data_key
from cellule.people.identity import Identity

MONTHS_AGO = timedelta(days=900)


def test_allocation_gives_every_person_a_report_and_keeps_the_scales_counts():
    rng = random.Random(3)
    allocation = casework.allocate(
        1_000, signalements=1_500, situations=600, measures=2_000, rng=rng
    )

    assert sum(allocation.signalements) == 1_500 and min(allocation.signalements) == 1
    assert sum(allocation.followed) == 600
    assert sum(allocation.measures) == 2_000
    assert all(allocation.followed[i] for i, n in enumerate(allocation.measures) if n)
    # 600 opening reports are qualified; a third of the 900 others makes 60 % in all.
    assert allocation.qualify_share == pytest.approx(1 / 3)


def test_allocation_with_fewer_reports_than_persons_or_no_situation():
    rng = random.Random(4)
    allocation = casework.allocate(50, signalements=20, situations=0, measures=10, rng=rng)

    assert sum(allocation.signalements) == 20 and max(allocation.signalements) == 1
    assert not any(allocation.followed) and sum(allocation.measures) == 0
    assert allocation.qualify_share == pytest.approx(0.6)


def _grid():
    from cellule.reports.grid import GRID

    return [
        types.SimpleNamespace(pk=index, code=code, domain=domain, strength=strength, label=label)
        for index, (code, domain, strength, label) in enumerate(GRID, start=1)
    ]


def _context(rng):
    cell = types.SimpleNamespace(pk=uuid.uuid4(), departement_id="13", qualification_delay_days=7)
    names = {}
    members = []
    for role in ("president", "coordinator", "member", "member", "reporter"):
        user, org = uuid.uuid4(), uuid.uuid4()
        names[user] = f"Prénom Nom {len(names)}"
        members.append((user, org, role, uuid.uuid4()))
    orgs = {
        "ccas": types.SimpleNamespace(pk=members[2][1]),
        "education": types.SimpleNamespace(pk=uuid.uuid4()),
    }
    return cell, casework.staff_of(members, orgs, names)


def _person(rng, *, minor: bool, created_at):
    today = timezone.localdate()
    born = today - timedelta(days=(15 if minor else 30) * 365 + 40)
    return casework.PersonInfo(
        id=uuid.uuid4(),
        cell=0,
        commune_id="13047",
        cipher=data_cipher(new_data_key()),
        identity=Identity(last_name="Martin", first_name="Léa", birth_date=born),
        is_minor=minor,
        created_at=created_at,
    )


def _bundle(seed=7, persons=120):
    rng = random.Random(seed)
    cell, staff = _context(rng)
    now = timezone.now()
    infos = [
        _person(rng, minor=i % 2 == 0, created_at=now - MONTHS_AGO * rng.random())
        for i in range(persons)
    ]
    allocation = casework.allocate(persons, signalements=180, situations=70, measures=240, rng=rng)
    bundle = casework.Bundle()
    for index, info in enumerate(infos):
        bundle.add(
            casework.person_casework(
                info,
                cell=cell,
                staff=staff,
                reports=allocation.signalements[index],
                followed=allocation.followed[index],
                measures=allocation.measures[index],
                qualify_share=allocation.qualify_share,
                grid=_grid(),
                rng=rng,
                now=now,
            )
        )
    return bundle, {info.id: info for info in infos}, now


def test_casework_rows_keep_the_applications_rules():
    bundle, persons, now = _bundle()

    assert len(bundle.signalements) == 180 and len(bundle.situations) == 70
    assert len(bundle.measures) == 240
    qualified = [s for s in bundle.signalements if s.status == "qualified"]
    assert 0.5 < len(qualified) / 180 < 0.7
    for report in bundle.signalements:
        outcomes = [report.outcome_closed, report.outcome_redirected, report.outcome_agenda,
                    report.outcome_transmitted]  # fmt: skip
        assert report.status == "received" or any(outcomes)
        assert not report.outcome_closed or not any(outcomes[1:])
        assert report.created_at <= now and (report.qualified_at or report.created_at) <= now
        assert report.created_at <= (report.qualified_at or report.created_at)
        values = report.unseal(persons[report.person_id].cipher)
        assert values["text"].startswith("Le ")
        assert bool(values["qualification_reason"]) == (report.status == "qualified")
        assert (report.situation_id is not None) == (
            report.outcome_agenda or report.outcome_transmitted
        )
    followed = Counter(s.person_id for s in bundle.situations)
    assert max(followed.values()) == 1  # one situation per person
    for situation in bundle.situations:
        closed = situation.status in ("closed", "archived")
        assert closed == (situation.closed_at is not None) == bool(situation.closure_reason)
        assert (situation.status == "archived") == (situation.archived_at is not None)
        assert (situation.next_review_on is None) == closed
        text = situation.unseal(persons[situation.person_id].cipher)["closure_text"]
        assert bool(text) == closed
    opened = Counter(e.situation_id for e in bundle.events if e.kind == "opened")
    assert set(opened) == {s.pk for s in bundle.situations} and set(opened.values()) == {1}
    for measure in bundle.measures:
        assert measure.status == "proposed" or measure.consent_on is not None
        assert measure.consent_on is None or measure.consent_on >= measure.proposed_on
        assert measure.ended_on is None or measure.ended_on >= (
            measure.started_on or measure.proposed_on
        )
        minor = persons[
            next(s.person_id for s in bundle.situations if s.pk == measure.situation_id)
        ]
        if measure.status in ("accepted", "ongoing", "ended") and minor.is_minor:
            assert measure.parental_consent_on is not None


def test_facts_are_the_ones_record_fact_writes_for_those_events():
    bundle, _persons, _now = _bundle(seed=11)
    facts = Counter(row[casework.FACT_COLUMNS.index("kind")] for row in bundle.facts)

    assert facts["signalement_received"] == len(bundle.signalements)
    outcomes = sum(
        s.outcome_closed + s.outcome_redirected + s.outcome_agenda + s.outcome_transmitted
        for s in bundle.signalements
    )
    assert facts["signalement_qualified"] == outcomes
    assert facts["situation_opened"] == len(bundle.situations)
    assert facts["situation_closed"] == sum(s.closed_at is not None for s in bundle.situations)
    assert facts["measure_proposed"] == len(bundle.measures)
    assert facts["measure_refused"] == sum(m.status == "refused" for m in bundle.measures)
    assert facts["measure_ended"] == sum(m.status == "ended" for m in bundle.measures)
    for row in bundle.facts:
        fact = dict(zip(casework.FACT_COLUMNS, row, strict=True))
        assert fact["month"].day == 1 and fact["departement_code"] == "13"
        # A closure is counted without an age band, as close_situation records it.
        assert (fact["age_band"] == "") == (fact["kind"] == "situation_closed")


@pytest.mark.django_db
def test_saved_casework_is_read_back_by_the_application(cell, coordinator, reporter, member):
    from cellule.cases.models import Situation
    from cellule.people.services import build_person
    from cellule.reports.models import Indicator, Signalement
    from cellule.stats import dashboards
    from cellule.stats.aggregates import Period

    rng = random.Random(5)
    names = {u.pk: u.get_full_name() for u in (coordinator, reporter, member)}
    members = [(u.pk, u.organisation_id, role, None)
               for u, role in ((coordinator, "coordinator"), (reporter, "reporter"), (member, "member"))]  # fmt: skip
    staff = casework.staff_of(members, {"ccas": member.organisation}, names)
    now = timezone.now()
    bundle = casework.Bundle()
    for index in range(6):
        person, key, cipher = build_person(
            cell=cell, identity=Identity(last_name="Durand", first_name=f"Inès{index}",
                                         birth_date=date(2010, 3, 4)))  # fmt: skip
        person.created_at = now - timedelta(days=200 + index)
        person.save(force_insert=True)
        key.save(force_insert=True)
        info = casework.PersonInfo(
            person.pk, 0, None, cipher, person.identity, True, person.created_at
        )
        bundle.add(
            casework.person_casework(
                info,
                cell=cell,
                staff=staff,
                reports=2,
                followed=index < 4,
                measures=3,
                qualify_share=0.5,
                grid=list(Indicator.objects.current()),
                rng=rng,
                now=now,
            )
        )
    casework.save(bundle)

    assert Signalement.objects.count() == 12 and Situation.objects.count() == 4
    report = Signalement.objects.select_related("person__key").first()
    assert report.text.startswith("Le ") and report.indicators.exists()
    period = Period.last_months(12, today=timezone.localdate())
    totals = {
        b.section.kind: b.table.total.value for b in dashboards.for_cell(cell, period) if b.table
    }
    assert totals["signalement_received"] == 12 and totals["situation_opened"] == 4
