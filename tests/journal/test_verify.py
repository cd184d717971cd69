"""manage.py journal_verify names the first bad event, whatever the tampering (security P4b)."""

import hashlib
import hmac
import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cellule import journal
from cellule.journal.chain import HASHED_FIELDS, canonical, event_hash
from cellule.journal.models import AuditEvent
from tests.journal.helpers import ON_POSTGRESQL, TABLE, tamper

pytestmark = pytest.mark.django_db(databases="__all__")


def verify() -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of manage.py journal_verify."""
    out, err = StringIO(), StringIO()
    try:
        call_command("journal_verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue().strip(), err.getvalue()
    return 0, out.getvalue().strip(), err.getvalue()


def checkpoint() -> str:
    out = StringIO()
    call_command("journal_checkpoint", stdout=out)
    return out.getvalue()


@pytest.fixture
def five(db):
    """Five events, seq 1 to 5."""
    return [
        journal.record(actor=None, action="record_viewed", target_id=str(n)) for n in range(1, 6)
    ]


def _swap_seq(a, b):
    tamper(f"UPDATE {TABLE} SET seq = -1 WHERE seq = %s", [a])
    tamper(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [a, b])
    tamper(f"UPDATE {TABLE} SET seq = %s WHERE seq = -1", [b])


def _forged_row(*, seq, prev_hash):
    """A plausible event made by someone without the journal key."""
    event = AuditEvent.objects.get(seq=1)
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    values["seq"] = seq
    digest = hmac.new(
        b"not-the-key",
        prev_hash.encode() + canonical([values[n] for n in HASHED_FIELDS]),
        hashlib.sha256,
    ).hexdigest()
    return values, digest


def _insert(values, *, prev_hash, digest):
    tamper(
        f"INSERT INTO {TABLE} (seq, time, action, actor_role, target_type, target_id, "
        "target_ids, reason, request_id, ip, prev_hash, hash) "
        "VALUES (%s, %s, %s, '', '', %s, '[]', '', '', '', %s, %s)",
        [values["seq"], values["time"], values["action"], values["target_id"], prev_hash, digest],
    )


def test_an_intact_journal_verifies(five):
    assert verify()[:2] == (0, "OK 5 events")


def test_an_empty_journal_verifies(db):
    assert verify()[:2] == (0, "OK 0 events")


def test_an_edited_event_is_named(five):
    tamper(f"UPDATE {TABLE} SET reason = 'motif réécrit' WHERE seq = 3")
    code, out, _ = verify()
    assert code == 1
    assert out.startswith("ERREUR seq 3: empreinte invalide")


def test_an_unreadable_value_is_named_not_a_crash(five):
    # SQLite stores any text in a datetime column; PostgreSQL only a valid time.
    garbage = "2000-01-01 00:00:00" if ON_POSTGRESQL else "pas une date"
    tamper(f"UPDATE {TABLE} SET time = %s WHERE seq = 2", [garbage])
    assert verify()[:2] == (
        1,
        "ERREUR seq 2: empreinte invalide : événement modifié, déplacé ou inséré",
    )


def test_an_edit_with_the_hash_recomputed_without_the_key_is_named(five):
    values, digest = _forged_row(seq=4, prev_hash=five[2].hash)
    tamper(
        f"UPDATE {TABLE} SET target_id = %s, hash = %s WHERE seq = 4", [values["target_id"], digest]
    )
    assert verify()[1].startswith("ERREUR seq 4:")


def test_a_deleted_event_is_named(five):
    tamper(f"DELETE FROM {TABLE} WHERE seq = 3")
    code, out, _ = verify()
    assert code == 1
    assert out.startswith("ERREUR seq 3: événement manquant")


def test_deleted_first_events_are_named(five):
    tamper(f"DELETE FROM {TABLE} WHERE seq <= 2")
    code, out, _ = verify()
    assert code == 1
    assert out.startswith("ERREUR seq 1: événements manquants au début")


def test_a_reordered_pair_is_named(five):
    _swap_seq(3, 4)
    code, out, _ = verify()
    assert code == 1
    assert out.startswith("ERREUR seq 3: chaînage rompu")


def test_an_event_inserted_in_the_middle_is_named(five):
    for seq in (5, 4):  # make room after seq 3, from the top to keep seq unique
        tamper(f"UPDATE {TABLE} SET seq = seq + 1 WHERE seq = %s", [seq])
    values, digest = _forged_row(seq=4, prev_hash=five[2].hash)
    _insert(values, prev_hash=five[2].hash, digest=digest)
    code, out, _ = verify()
    assert code == 1
    assert out.startswith("ERREUR seq 4: empreinte invalide")


def test_an_event_appended_by_hand_is_named(five):
    values, digest = _forged_row(seq=6, prev_hash=five[4].hash)
    _insert(values, prev_hash=five[4].hash, digest=digest)
    assert verify()[1].startswith("ERREUR seq 6: empreinte invalide")


def test_a_truncated_tail_is_named_against_the_last_checkpoint(five, checkpoint_dir):
    assert "000000000005-head" in checkpoint()
    tamper(f"DELETE FROM {TABLE} WHERE seq >= 4")
    code, out, _ = verify()
    assert code == 1
    assert out.startswith("ERREUR seq 4: fin du journal tronquée")


def test_a_fully_deleted_journal_is_named_against_the_checkpoints(five, checkpoint_dir):
    checkpoint()
    tamper(f"DELETE FROM {TABLE}")
    assert verify()[1].startswith("ERREUR seq 1: journal vide")


def test_without_checkpoints_a_truncated_tail_goes_unseen_and_verify_says_so(five):
    tamper(f"DELETE FROM {TABLE} WHERE seq = 5")
    code, out, err = verify()
    assert (code, out) == (0, "OK 4 events")
    assert "aucun point de contrôle" in err


def test_events_after_a_checkpoint_keep_verifying(five, checkpoint_dir):
    checkpoint()
    journal.record(actor=None, action="logout")
    checkpoint()
    journal.record(actor=None, action="login")
    assert verify()[:2] == (0, "OK 7 events")
    assert len(list(checkpoint_dir.glob("*.json"))) == 2


def test_a_forged_checkpoint_is_named(five, checkpoint_dir):
    path = checkpoint_dir / checkpoint().split("/")[-1].strip()
    data = json.loads(path.read_text())
    data["hash"] = "0" * 64
    path.write_text(json.dumps(data))
    code, out, _ = verify()
    assert code == 1
    assert out.startswith("ERREUR seq 5: signature du point de contrôle invalide")


def test_a_chain_rewritten_with_the_key_is_caught_by_the_checkpoints(five, checkpoint_dir):
    """Someone holding the journal key rewrites seq 3 and re-chains 3 to 5: HMACs all hold."""
    checkpoint()
    tamper(f"UPDATE {TABLE} SET reason = 'motif réécrit' WHERE seq = 3")
    prev_hash = five[1].hash
    for event in AuditEvent.objects.filter(seq__gte=3).order_by("seq"):
        digest = event_hash(
            key=settings.CELLULE_JOURNAL_KEY,
            prev_hash=prev_hash,
            values=[getattr(event, name) for name in HASHED_FIELDS],
        )
        tamper(
            f"UPDATE {TABLE} SET prev_hash = %s, hash = %s WHERE seq = %s",
            [prev_hash, digest, event.seq],
        )
        prev_hash = digest
    code, out, _ = verify()
    assert code == 1
    assert out.startswith("ERREUR seq 5: ne correspond pas au point de contrôle signé")


def test_checkpoint_refuses_to_vouch_for_a_forged_head(five, checkpoint_dir):
    tamper(f"UPDATE {TABLE} SET reason = 'x' WHERE seq = 5")
    with pytest.raises(CommandError, match="seq 5 ne se vérifie pas"):
        checkpoint()
    assert not checkpoint_dir.exists() or not list(checkpoint_dir.iterdir())


def test_checkpoint_of_an_empty_journal_writes_nothing(db, checkpoint_dir):
    assert "Journal vide" in checkpoint()
    assert not checkpoint_dir.exists()


def test_checkpoint_files_are_private_and_signed(five, checkpoint_dir):
    checkpoint()
    (path,) = checkpoint_dir.glob("*.json")
    assert path.stat().st_mode & 0o777 == 0o600
    data = json.loads(path.read_text())
    assert set(data) == {"seq", "hash", "time", "kind", "signature"}
    assert (data["seq"], data["hash"], data["kind"]) == (5, five[4].hash, "head")
