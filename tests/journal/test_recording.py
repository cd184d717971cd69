import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connections
from django.test import RequestFactory

from cellule import journal
from cellule.accounts.enums import Role
from cellule.journal.chain import GENESIS, HASHED_FIELDS, canonical, event_hash
from cellule.journal.models import AuditEvent
from cellule.journal.recording import journal_db, request_id
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.journal.helpers import TABLE

pytestmark = pytest.mark.django_db(databases="__all__")


def test_an_event_holds_who_what_where_and_chains_onto_the_previous(cell, coordinator):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7", HTTP_X_REQUEST_ID="req-42")
    first = journal.record(actor=None, action=journal.Action.LOGIN_FAILED, request=request)
    second = journal.record(
        actor=coordinator,
        action=journal.Action.CELL_VIEWED,
        target=cell,
        cell=cell,
        role=Role.COORDINATOR,
        reason="préparation de la séance",
        request=request,
    )

    stored = AuditEvent.objects.get(seq=second.seq)
    assert (first.seq, second.seq) == (1, 2)
    assert stored.actor_id == coordinator.pk
    assert stored.actor_organisation_id == coordinator.organisation_id
    assert stored.actor_role == "coordinator"
    assert stored.action == "cell_viewed"
    assert (stored.target_type, stored.target_id) == ("accounts.cell", str(cell.pk))
    assert stored.cell_id == cell.pk
    assert stored.reason == "préparation de la séance"
    assert (stored.request_id, stored.ip) == ("req-42", "192.0.2.7")
    assert first.prev_hash == GENESIS
    assert stored.prev_hash == first.hash
    values = [getattr(stored, name) for name in HASHED_FIELDS]
    assert stored.hash == event_hash(
        key=settings.CELLULE_JOURNAL_KEY, prev_hash=first.hash, values=values
    )


def test_anonymous_event_has_no_actor(db):
    event = journal.record(actor=None, action="login_failed")
    assert (event.actor_id, event.actor_organisation_id, event.actor_role) == (None, None, "")


def test_role_defaults_to_the_global_role(dpo):
    event = journal.record(actor=dpo, action=journal.Action.JOURNAL_EXPORTED)
    assert event.actor_role == "dpo"


def test_a_list_page_records_one_event_with_the_ids_shown(coordinator, cell):
    shown = [uuid.uuid4(), uuid.uuid4(), uuid.uuid4()]
    journal.record(
        actor=coordinator,
        action=journal.Action.LIST_VIEWED,
        target_type="cases.situation",
        target_ids=shown,
        cell=cell.pk,
    )
    event = AuditEvent.objects.get()
    assert event.target_ids == [str(pk) for pk in shown]
    assert event.cell_id == cell.pk


def test_the_cell_comes_from_the_target_when_not_given(coordinator, cell):
    membership = coordinator.memberships.get()
    event = journal.record(
        actor=coordinator, action=journal.Action.MEMBERSHIP_CHANGED, target=membership
    )
    assert event.cell_id == cell.pk
    assert event.target_type == "accounts.membership"


def test_field_contents_never_reach_the_journal(coordinator):
    organisation = OrganisationFactory(name="CANARI-7f3e organisation")
    user = UserFactory(first_name="CANARI-7f3e", email="canari-7f3e@example.org")
    journal.record(actor=coordinator, action=journal.Action.RECORD_VIEWED, target=organisation)
    journal.record(actor=user, action=journal.Action.LOGIN)
    with connections[journal_db()].cursor() as cursor:
        cursor.execute(f"SELECT * FROM {TABLE}")
        dump = repr(cursor.fetchall()).lower()
    assert "canari-7f3e" not in dump


def test_unknown_action_and_oversized_values_are_bugs_not_outages(db):
    with pytest.raises(ValueError):
        journal.record(actor=None, action="deleted_everything")
    with pytest.raises(ValueError, match="target_id"):
        journal.record(actor=None, action="record_viewed", target_id="x" * 101)
    assert not AuditEvent.objects.exists()


def test_request_id_is_the_proxy_header_when_sane_else_generated_once_per_request():
    factory = RequestFactory()
    assert request_id(factory.get("/", HTTP_X_REQUEST_ID="abc-123")) == "abc-123"
    request = factory.get("/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    generated = request_id(request)
    assert generated != "<script>alert(1)</script>"
    assert len(generated) == 32
    assert request_id(request) == generated
    assert request_id(factory.get("/")) != generated


def test_events_of_one_request_share_its_id(db):
    request = RequestFactory().get("/", REMOTE_ADDR="2001:db8:0:0:0:0:0:1")
    first = journal.record(actor=None, action="login_failed", request=request)
    second = journal.record(actor=None, action="lockout", request=request)
    assert first.request_id == second.request_id != ""
    assert first.ip == "2001:db8::1"


def test_unusable_remote_addr_is_stored_empty(db):
    event = journal.record(
        actor=None, action="login_failed", request=RequestFactory().get("/", REMOTE_ADDR="")
    )
    assert event.ip == ""


def test_canonical_json_is_sorted_compact_utf8_and_utc():
    import datetime

    moment = datetime.datetime(
        2025, 3, 1, 13, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
    )
    values = [1, moment, None, None, "", "login", "", "", [], None, "motif é", "", ""]
    assert (
        canonical(values)
        == (
            '{"action":"login","actor_id":null,"actor_organisation_id":null,"actor_role":"",'
            '"cell_id":null,"ip":"","reason":"motif é","request_id":"","seq":1,"target_id":"",'
            '"target_ids":[],"target_type":"","time":"2025-03-01T12:00:00.000000+00:00"}'
        ).encode()
    )


def test_importing_the_package_loads_no_model():
    code = (
        "import sys, cellule.journal as j; "
        "assert 'cellule.journal.models' not in sys.modules, 'models imported'; "
        "assert 'cellule.journal.recording' not in sys.modules, 'recording imported'; "
        "assert callable(j.record) and issubclass(j.JournalUnavailable, Exception)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
