"""Where the bench's data, keys and files live, and the environment every bench process gets.

The bench never touches the developer's data: its own databases (``cellule_bench`` and
``cellule_bench_journal`` by default, see BENCH_DATABASE_URL / BENCH_JOURNAL_DATABASE_URL), its
own keys, checkpoints and static files under ``var/bench/``. Every bench process (generator,
runner, gunicorn) runs Cellule in production mode (CELLULE_ENV=production, DEBUG off) with the
same environment, built here.

The keys are bench-only but not thrown away after each run: the persons' ciphertexts and blind
indexes and the journal's hash chain are made under them, so they are kept beside the data set
(``var/bench/keys/``) and a data set made under other keys is regenerated.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
KEYS_DIR = BENCH_DIR / "keys"
RUNTIME_DIR = BENCH_DIR / "runtime"  # CELLULE_VAR_DIR of the bench: static files, logs
CHECKPOINT_DIR = BENCH_DIR / "checkpoints"

DEFAULT_DATABASE_URL = "postgres://postgres:postgres@127.0.0.1:5432/cellule_bench"
DEFAULT_JOURNAL_DATABASE_URL = "postgres://postgres:postgres@127.0.0.1:5432/cellule_bench_journal"
# Every bench account has this password (hashed once with Argon2, the production hasher).
BENCH_PASSWORD = "banc-essai-cellule-2026"


@dataclass(frozen=True)
class Scale:
    """How big the synthetic country is (issue 13: 500 cells, 100,000 persons, 150,000
    signalements, 60,000 situations, 200,000 measures, 2,000,000 journal events by default)."""

    name: str
    cells: int
    persons: int
    events: int
    # Duplicate-detection bench sizes (cellule.people.bench.measure), each in a throwaway cell.
    matching_sizes: tuple[int, ...]
    # Casework (bench/casework.py): reports, the situations some of them open, their measures.
    signalements: int = 0
    situations: int = 0
    measures: int = 0

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "cells": self.cells,
            "persons": self.persons,
            "events": self.events,
            "signalements": self.signalements,
            "situations": self.situations,
            "measures": self.measures,
        }


SCALES = {
    "small": Scale(
        "small",
        cells=50,
        persons=10_000,
        events=200_000,
        matching_sizes=(10_000,),
        signalements=15_000,
        situations=6_000,
        measures=20_000,
    ),
    "default": Scale(
        "default",
        cells=500,
        persons=100_000,
        events=2_000_000,
        matching_sizes=(10_000, 100_000),
        signalements=150_000,
        situations=60_000,
        measures=200_000,
    ),
    # For the harness's own tests and a first try: seconds, not minutes.
    "tiny": Scale(
        "tiny",
        cells=6,
        persons=300,
        events=3_000,
        matching_sizes=(200,),
        signalements=450,
        situations=180,
        measures=600,
    ),
}


def fail(message: str, code: int = 2):
    """Stop with a French message for the person at the terminal (no traceback)."""
    print(f"make bench : {message}", file=sys.stderr)
    raise SystemExit(code)


def database_urls() -> tuple[str, str]:
    return (
        os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        os.environ.get("BENCH_JOURNAL_DATABASE_URL", DEFAULT_JOURNAL_DATABASE_URL),
    )


def is_sqlite(url: str) -> bool:
    return urlsplit(url).scheme == "sqlite"


def check_engine(*, allow_sqlite: bool) -> None:
    urls = database_urls()
    if any(is_sqlite(url) for url in urls) and not allow_sqlite:
        fail(
            "le banc d'essai mesure Cellule sur PostgreSQL, comme en production. "
            "BENCH_DATABASE_URL / BENCH_JOURNAL_DATABASE_URL désignent SQLite : ajoutez "
            "--allow-sqlite pour un simple essai local (chiffres non comparables)."
        )
    for url in urls:
        if urlsplit(url).scheme not in {"postgres", "postgresql", "sqlite"}:
            fail(f"adresse de base de données non prise en charge : {redact(url)}")


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def _key_file(name: str, make) -> str:
    path = KEYS_DIR / name
    if not path.exists():
        KEYS_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(make() + "\n")
    return path.read_text().strip()


def keys() -> dict[str, str]:
    """The bench's keys (generated into var/bench/keys/ on first use), as environment values."""
    import secrets

    from config.keys import new_key_text

    return {
        "SECRET_KEY": _key_file("secret_key", lambda: secrets.token_urlsafe(64)),
        "CELLULE_MASTER_KEY": _key_file("master.key", lambda: f"bench1:{new_key_text()}"),
        "CELLULE_INDEX_KEY": _key_file("index.key", new_key_text),
        "CELLULE_JOURNAL_KEY": _key_file("journal.key", new_key_text),
    }


def keys_fingerprint(values: dict[str, str]) -> str:
    """Says whether a data set was made under these keys, without revealing them."""
    material = "\n".join(values[name] for name in sorted(values) if name != "SECRET_KEY")
    return hmac.new(material.encode(), b"cellule-bench-keys", hashlib.sha256).hexdigest()[:16]


def bench_env(**extra: str) -> dict[str, str]:
    """The environment of every bench process: production mode on the bench's databases."""
    database_url, journal_url = database_urls()
    env = {
        **os.environ,
        **keys(),
        "CELLULE_ENV": "production",
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "JOURNAL_DATABASE_URL": journal_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on the loopback: no redirect to HTTPS. The __Host- secure cookies are still
        # set; the load client sends them back over HTTP itself (bench/load.py), no switch needed.
        "SECURE_SSL_REDIRECT": "0",
        "EMAIL_URL": "memory://",
        "CELLULE_VAR_DIR": str(RUNTIME_DIR),
        "CELLULE_JOURNAL_CHECKPOINT_DIR": str(CHECKPOINT_DIR),
        "CELLULE_LOG_LEVEL": "WARNING",
        # Adds the floor page to the URL conf (config/urls.py); nothing else reads it.
        "CELLULE_BENCH": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BASE_DIR), os.environ.get("PYTHONPATH")])),
    }
    for name in ("BENCH_NO_JOURNAL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    env.update(extra)
    return env


def setup_django() -> None:
    """Configure this process as a bench process and start Django."""
    RUNTIME_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.clear()
    os.environ.update(bench_env())
    import django

    django.setup()
