"""The DPO's journal reads its two parts apart (cells' events, members' account events) and
merges them: the pages and the export must hold exactly what the single OR query gave."""

import csv
import io
import random
import types
from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.db import connections
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cellule import journal
from cellule.accounts.enums import Role
from cellule.accounts.models import Cell, Membership, User
from cellule.journal import Action, views
from cellule.journal.forms import JournalFilterForm
from cellule.journal.models import AuditEvent
from cellule.journal.recording import journal_db
from tests.accounts.factories import CellFactory, MembershipFactory

pytestmark = pytest.mark.django_db

PAGE_SIZE = 4
TARGETS = [
    "0b5d1c9e-6a3f-4f0e-9d7a-1f2e3d4c5b6a",
    "7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
    "e2f3a4b5-c6d7-4e8f-9a0b-1c2d3e4f5a6b",
]
ACCOUNT_ACTIONS = [Action.LOGIN, Action.OTP_VERIFIED, Action.LOGOUT]
CELL_ACTIONS = [Action.RECORD_VIEWED, Action.LIST_VIEWED, Action.CELL_VIEWED]


# --- The oracle: the single query the page made before it was split --------------------------


def oracle_events(dpo, form):
    cell_ids = list(
        Cell.objects.filter(organisation_id=dpo.organisation_id).values_list("pk", flat=True)
    )
    actor_ids = list(
        Membership.objects.filter(cell_id__in=cell_ids).values_list("user_id", flat=True).distinct()
    )
    events = AuditEvent.objects.filter(
        Q(cell_id__in=cell_ids) | Q(cell_id__isnull=True, actor_id__in=actor_ids)
    ).order_by("-seq")
    if not form.is_valid():
        return events.none()
    data = form.cleaned_data
    if data["user"]:
        user = User.objects.filter(email__iexact=data["user"]).first()
        events = events.filter(actor_id=user.pk) if user else events.none()
    if data["target"]:
        events = events.filter(target_id=str(data["target"]))
    if data["action"]:
        events = events.filter(action=data["action"])
    zone = timezone.get_current_timezone()
    if data["start"]:
        events = events.filter(time__gte=datetime.combine(data["start"], time.min, tzinfo=zone))
    if data["end"]:
        events = events.filter(time__lte=datetime.combine(data["end"], time.max, tzinfo=zone))
    return events


def oracle_page(dpo, params) -> tuple[list, int | None, int | None]:
    """(seqs shown, newer_than, older_than) as the single query computed them."""
    form = JournalFilterForm(params)
    events = oracle_events(dpo, form)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("apres") is not None:
        window = list(events.filter(seq__gt=data["apres"]).order_by("seq")[: PAGE_SIZE + 1])
        newer = len(window) > PAGE_SIZE
        rows = window[:PAGE_SIZE][::-1]
        older = bool(rows) and events.filter(seq__lt=rows[-1].seq).exists()
    else:
        if data.get("avant") is not None:
            events = events.filter(seq__lt=data["avant"])
        window = list(events[: PAGE_SIZE + 1])
        rows = window[:PAGE_SIZE]
        newer = data.get("avant") is not None and bool(rows)
        older = len(window) > PAGE_SIZE
    seqs = [event.seq for event in rows]
    return seqs, seqs[0] if newer else None, seqs[-1] if older else None


# --- A mix of events ------------------------------------------------------------------------


@pytest.fixture
def journal_mix(cell, other_cell, coordinator, member, outsider, admin_user, dpo):
    """90 events from 2025-01-01, 7 hours apart: account events (no cell) of the DPO's members
    and of others, events in the DPO's two cells and in a foreign one, by members, outsiders,
    the administrator and nobody (a system event)."""
    second_cell = CellFactory(organisation=cell.organisation, name="CMER de Saint-Chamas")
    second = MembershipFactory(cell=second_cell, role=Role.MEMBER).user
    rng = random.Random(2026)
    people = [coordinator, member, second, outsider, admin_user, None]
    start = datetime(2025, 1, 1, 8, tzinfo=UTC)
    for i in range(90):
        actor = rng.choice(people)
        with time_machine.travel(start + timedelta(hours=7 * i), tick=False):
            if rng.random() < 0.35:
                journal.record(actor=actor, action=rng.choice(ACCOUNT_ACTIONS))
            else:
                journal.record(
                    actor=actor,
                    action=rng.choice(CELL_ACTIONS),
                    cell=rng.choice([cell, cell, second_cell, other_cell]),
                    target_type="people.person",
                    target_id=rng.choice(TARGETS),
                )
    return types.SimpleNamespace(
        coordinator=coordinator, member=member, second=second, outsider=outsider, dpo=dpo
    )


SEARCHES = {
    "everything": lambda w: {},
    "a member": lambda w: {"user": w.coordinator.email},
    "a member of the second cell, address in capitals": lambda w: {"user": w.second.email.upper()},
    "an outsider": lambda w: {"user": w.outsider.email},
    "an unknown address": lambda w: {"user": "personne@exemple.test"},
    "a target": lambda w: {"target": TARGETS[1]},
    "an account action": lambda w: {"action": Action.LOGIN},
    "a reading action": lambda w: {"action": Action.RECORD_VIEWED},
    "an action nobody did": lambda w: {"action": Action.LOCKOUT},
    "a period": lambda w: {"start": "2025-01-06", "end": "2025-01-17"},
    "only a start": lambda w: {"start": "2025-01-20"},
    "everything at once": lambda w: {
        "user": w.member.email,
        "action": Action.LOGIN,
        "start": "2025-01-03",
        "end": "2025-01-25",
    },
    "a period that ends before it starts": lambda w: {"start": "2025-01-17", "end": "2025-01-06"},
}


def shown(response) -> tuple[list, int | None, int | None]:
    context = response.context
    return (
        [event.seq for event, _, _ in context["rows"]],
        context["newer_than"],
        context["older_than"],
    )


@pytest.mark.parametrize("search", SEARCHES.values(), ids=SEARCHES.keys())
def test_pages_hold_what_the_single_query_gave_both_ways(
    client_for, journal_mix, monkeypatch, search
):
    monkeypatch.setattr(views, "PAGE_SIZE", PAGE_SIZE)
    filters = search(journal_mix)
    client = client_for(journal_mix.dpo)
    url = reverse("journal:list")

    # Older and older pages, from the newest.
    params, forward = dict(filters), []
    while True:
        page = shown(client.get(url, params))
        assert page == oracle_page(journal_mix.dpo, params)
        forward.append(page[0])
        if page[2] is None:
            break
        params = {**filters, "avant": page[2]}
    newer_than = page[1]
    everything = [event.seq for event in oracle_events(journal_mix.dpo, JournalFilterForm(filters))]
    assert [seq for seqs in forward for seq in seqs] == everything

    # And back up, newer and newer pages, from the oldest.
    backward = [forward[-1]]
    while newer_than is not None:
        params = {**filters, "apres": newer_than}
        page = shown(client.get(url, params))
        assert page == oracle_page(journal_mix.dpo, params)
        backward.append(page[0])
        newer_than = page[1]
    assert backward[::-1] == forward


def test_the_mix_has_both_parts_and_several_pages(client_for, journal_mix, monkeypatch):
    """The test above compares something: both parts on the first pages, interleaved."""
    monkeypatch.setattr(views, "PAGE_SIZE", 20)
    rows = client_for(journal_mix.dpo).get(reverse("journal:list")).context["rows"]
    kinds = ["account" if event.cell_id is None else "cell" for event, _, _ in rows]
    assert len(rows) == 20 and {"account", "cell"} == set(kinds)
    assert kinds != sorted(kinds) and kinds != sorted(kinds, reverse=True)


def test_pages_between_bounds_that_hold_nothing(client_for, journal_mix):
    client = client_for(journal_mix.dpo)
    url = reverse("journal:list")
    newest = max(oracle_page(journal_mix.dpo, {})[0])
    for params in ({"avant": 1}, {"apres": newest}, {"action": Action.LOCKOUT, "apres": 0}):
        page = shown(client.get(url, params))
        assert page == ([], None, None) == oracle_page(journal_mix.dpo, params)


def test_an_empty_journal_shows_an_empty_page(client_for, dpo):
    response = client_for(dpo).get(reverse("journal:list"))
    assert shown(response) == ([], None, None)
    assert "Aucun événement ne correspond" in response.content.decode()


@pytest.mark.parametrize("search", SEARCHES.values(), ids=SEARCHES.keys())
def test_the_export_holds_what_the_single_query_gave(client_for, journal_mix, search):
    filters = search(journal_mix)
    response = client_for(journal_mix.dpo).get(reverse("journal:export"), filters)
    content = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    lines = list(csv.reader(io.StringIO(content), delimiter=";"))[1:]
    expected = oracle_events(journal_mix.dpo, JournalFilterForm(filters))
    assert [int(line[0]) for line in lines] == [event.seq for event in expected]


def page_queries(client, params, django_assert_max_num_queries) -> tuple[int, int]:
    """(queries on the main database, on the journal's) to show one page. The journal's bound
    is PostgreSQL's: a « plus récents » page costs 10 there (8 on SQLite)."""
    with (
        django_assert_max_num_queries(15) as main,
        django_assert_max_num_queries(10, connection=connections[journal_db()]) as log,
    ):
        response = client.get(reverse("journal:list"), params)
    assert response.status_code == 200
    return len(main.captured_queries), len(log.captured_queries)


def record_pairs(n, *, member, coordinator, cell):
    """n account events of a member, each followed by a reading in the cell."""
    for _ in range(n):
        journal.record(actor=member, action=Action.LOGIN)
        journal.record(actor=coordinator, action=Action.CELL_VIEWED, cell=cell)


@pytest.mark.parametrize(
    "params", [{}, {"start": "2000-01-01"}, {"user": "x@exemple.test"}, {"avant": 5}, {"apres": 1}]
)
def test_the_page_costs_the_same_queries_with_few_or_many_events(
    client_for, dpo, cell, coordinator, member, django_assert_max_num_queries, params
):
    if "user" in params:
        params = {"user": member.email}
    client = client_for(dpo)
    client.get(reverse("journal:list"))  # the session's first request may cost more
    record_pairs(3, member=member, coordinator=coordinator, cell=cell)
    few = page_queries(client, params, django_assert_max_num_queries)
    record_pairs(150, member=member, coordinator=coordinator, cell=cell)
    assert page_queries(client, params, django_assert_max_num_queries) == few
