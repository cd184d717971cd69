"""Signed checkpoints of the chain, kept outside the journal database.

A checkpoint says "event <seq> had hash <hash>", signed with the journal key. Someone who can
rewrite the database can drop the newest events without breaking the chain; the checkpoints,
written to a separate sink, reveal it. Two kinds:

- ``head``: written periodically by ``manage.py journal_checkpoint``;
- ``cut``: written by the purge for the last purged event; the remaining chain starts from it.
  Only a cut may justify a journal that does not start at seq 1, so a head checkpoint can never
  make the deletion of old events look legitimate.

The sink is a directory (``CELLULE_JOURNAL_CHECKPOINT_DIR``, by default
``VAR_DIR / "journal-checkpoints"``): mount it from another machine, or copy it to one, for the
checkpoints to be worth anything against the database's administrator. Files are never
rewritten; a purge does not remove old ones either, so that an append-only sink works.
"""

import datetime
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from cellule.journal.chain import canonical_time, journal_key

HEAD = "head"
CUT = "cut"
_DOMAIN = b"cellule-journal-checkpoint-v1\n"  # a checkpoint signature is never an event hash
_FILE_NAME = re.compile(r"(?P<seq>\d{12})-(?P<kind>head|cut)-\d{8}T\d{12}Z\.json")


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    time: str
    kind: str
    signature: str
    name: str = ""

    def expected_signature(self) -> str:
        return sign(seq=self.seq, hash=self.hash, time=self.time, kind=self.kind)


class CheckpointError(Exception):
    """A checkpoint of the sink is unreadable or its signature does not match."""

    def __init__(self, *, seq: int, message: str):
        super().__init__(message)
        self.seq = seq
        self.message = message


def checkpoint_dir() -> Path:
    default = Path(settings.VAR_DIR) / "journal-checkpoints"
    return Path(getattr(settings, "CELLULE_JOURNAL_CHECKPOINT_DIR", default))


def sign(*, seq: int, hash: str, time: str, kind: str) -> str:
    body = json.dumps(
        {"seq": seq, "hash": hash, "time": time, "kind": kind},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hmac.new(journal_key(), _DOMAIN + body.encode(), hashlib.sha256).hexdigest()


def write_checkpoint(*, kind: str, seq: int, hash: str) -> Path:
    """Write one signed checkpoint durably (fsync) and return its path."""
    if kind not in {HEAD, CUT}:
        raise ValueError(f"type de point de contrôle inconnu : {kind!r}")
    now = timezone.now()
    time = canonical_time(now)
    content = {
        "seq": seq,
        "hash": hash,
        "time": time,
        "kind": kind,
        "signature": sign(seq=seq, hash=hash, time=time, kind=kind),
    }
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = now.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%S%f")
    path = directory / f"{seq:012d}-{kind}-{stamp}Z.json"
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(content, handle, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_directory(directory)
    return path


def load_checkpoints() -> list[Checkpoint]:
    """Every checkpoint of the sink, signature checked; CheckpointError on the first bad one.

    Files whose name is not a checkpoint's are ignored.
    """
    directory = checkpoint_dir()
    if not directory.is_dir():
        return []
    checkpoints = []
    for path in sorted(directory.iterdir()):
        match = _FILE_NAME.fullmatch(path.name)
        if match is None:
            continue
        seq = int(match["seq"])
        try:
            data = json.loads(path.read_text())
            checkpoint = Checkpoint(
                seq=data["seq"],
                hash=data["hash"],
                time=data["time"],
                kind=data["kind"],
                signature=data["signature"],
                name=path.name,
            )
            signed = checkpoint.expected_signature()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(
                seq=seq, message=f"point de contrôle illisible ({path.name} : {exc})"
            ) from exc
        if not hmac.compare_digest(signed, str(checkpoint.signature)):
            raise CheckpointError(
                seq=seq, message=f"signature du point de contrôle invalide ({path.name})"
            )
        if (checkpoint.seq, checkpoint.kind) != (seq, match["kind"]):
            raise CheckpointError(
                seq=seq,
                message=f"nom du point de contrôle incohérent avec son contenu ({path.name})",
            )
        checkpoints.append(checkpoint)
    return checkpoints


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
