"""Retention: old events go, the rest still verifies from a signed cut (security P5)."""

import datetime
import json
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from cellule import journal
from cellule.journal.checks import journal_retention
from cellule.journal.models import AuditEvent
from cellule.journal.retention import months_before
from tests.journal.helpers import TABLE, tamper
from tests.journal.test_verify import verify

pytestmark = pytest.mark.django_db(databases="__all__")

UTC = datetime.UTC


def at(*args):
    return time_machine.travel(datetime.datetime(*args, tzinfo=UTC))


def purge(*args) -> str:
    out = StringIO()
    call_command("journal_purge", *args, stdout=out)
    return out.getvalue()


def record(n, action="record_viewed"):
    for _ in range(n):
        journal.record(actor=None, action=action)


@pytest.fixture
def history(db):
    """Three events in January 2023, two in June 2023."""
    with at(2023, 1, 15, 10):
        record(3)
    with at(2023, 6, 15, 10):
        record(2)


def seqs():
    return list(AuditEvent.objects.values_list("seq", flat=True))


def test_purge_keeps_the_recent_events_and_the_rest_verifies(history, checkpoint_dir):
    with at(2024, 3, 1, 12):
        out = purge()  # 12 months by default: before 1 March 2023
    assert "3 événements supprimés (seq 1 à 3" in out
    assert seqs() == [4, 5, 6]
    purged = AuditEvent.objects.get(seq=6)
    assert purged.action == "journal_purged"
    assert purged.actor_id is None
    assert "12 mois" in purged.reason
    (cut,) = checkpoint_dir.glob("*-cut-*.json")
    assert json.loads(cut.read_text())["seq"] == 3
    assert verify()[:2] == (0, "OK 3 events")


def test_the_retention_can_be_set(history, settings):
    settings.CELLULE_JOURNAL_RETENTION_MONTHS = 6
    with at(2024, 1, 1, 12):  # six months: before 1 July 2023
        purge()
    assert seqs() == [6]
    assert verify()[:2] == (0, "OK 1 events")
    with at(2024, 1, 1, 12):
        assert "Rien à purger" in purge("--months", "36")


def test_purging_everything_keeps_the_chain_going(history):
    with at(2025, 1, 1, 12):
        purge("--months", "6")
        record(1, "login")
    assert seqs() == [6, 7]
    assert verify()[:2] == (0, "OK 2 events")


def test_successive_purges_keep_the_chain_verifiable(history):
    with at(2024, 3, 1, 12):
        purge()
        record(2)
    with at(2024, 9, 1, 12):
        purge()
    assert seqs() == [6, 7, 8, 9]
    assert verify()[:2] == (0, "OK 4 events")


def test_dry_run_changes_nothing(history, checkpoint_dir):
    with at(2024, 3, 1, 12):
        out = purge("--dry-run")
    assert "les événements 1 à 3" in out and "seraient supprimés" in out
    assert seqs() == [1, 2, 3, 4, 5]
    assert not checkpoint_dir.exists()


@pytest.mark.parametrize("months", ["5", "37", "0", "-12"])
def test_retention_outside_6_to_36_months_is_refused(history, months):
    with pytest.raises(CommandError, match="entre 6 et 36 mois"):
        purge("--months", months)
    assert seqs() == [1, 2, 3, 4, 5]


def test_a_bad_retention_setting_is_refused_at_start_and_by_the_command(history, settings):
    settings.CELLULE_JOURNAL_RETENTION_MONTHS = 48
    assert [error.id for error in journal_retention(None)] == ["journal.E003"]
    with pytest.raises(CommandError, match="entre 6 et 36 mois"):
        purge()


def test_purge_refuses_to_erase_a_tampered_chain(history, checkpoint_dir):
    tamper(f"UPDATE {TABLE} SET reason = 'x' WHERE seq = 2")
    with at(2024, 3, 1, 12), pytest.raises(CommandError, match="ERREUR seq 2"):
        purge()
    assert seqs() == [1, 2, 3, 4, 5]
    assert not checkpoint_dir.exists()


def test_an_edit_after_a_purge_is_named(history):
    with at(2024, 3, 1, 12):
        purge()
    tamper(f"UPDATE {TABLE} SET reason = 'x' WHERE seq = 5")
    assert verify()[:2] == (
        1,
        "ERREUR seq 5: empreinte invalide : événement modifié, déplacé ou inséré",
    )


def test_deleting_beyond_the_cut_is_named(history):
    with at(2024, 3, 1, 12):
        purge()
    tamper(f"DELETE FROM {TABLE} WHERE seq = 4")
    code, out, _ = verify()
    assert code == 1
    assert out.startswith("ERREUR seq 4: événements manquants au début")


def test_losing_the_cut_checkpoint_is_named(history, checkpoint_dir):
    with at(2024, 3, 1, 12):
        purge()
    for path in checkpoint_dir.glob("*-cut-*.json"):
        path.unlink()
    assert verify()[1].startswith("ERREUR seq 1: événements manquants au début")


def test_a_head_checkpoint_cannot_stand_in_for_a_cut(history, checkpoint_dir):
    """Deleting old events up to a head checkpoint must not look like a purge."""
    with at(2023, 1, 16):
        call_command("journal_checkpoint", stdout=StringIO())  # head at seq 5
    record(1)
    tamper(f"DELETE FROM {TABLE} WHERE seq <= 5")
    assert verify()[1].startswith("ERREUR seq 1: événements manquants au début")


def test_months_before_keeps_the_day_or_takes_the_month_end():
    moment = datetime.datetime(2024, 8, 31, 9, 30, tzinfo=UTC)
    assert months_before(moment, 6) == datetime.datetime(2024, 2, 29, 9, 30, tzinfo=UTC)
    assert months_before(moment, 12) == datetime.datetime(2023, 8, 31, 9, 30, tzinfo=UTC)
    assert months_before(moment, 20) == datetime.datetime(2022, 12, 31, 9, 30, tzinfo=UTC)
