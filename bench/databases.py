"""Create, drop and label the bench's databases (PostgreSQL; SQLite for a local try).

A finished data set is labelled with what it holds (scale, seed, keys fingerprint, format), in
``COMMENT ON DATABASE`` on PostgreSQL or a sidecar file beside a SQLite file, so that
``make bench`` regenerates only when something differs.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bench.environment import BASE_DIR, fail, is_sqlite, redact

# Bump when the generator's output changes shape: older data sets are then regenerated.
FORMAT = 2  # 2: signalements, situations, measures, statistics facts


def _sqlite_path(url: str) -> Path:
    """sqlite:////absolute/path or sqlite:///path/relative/to/the/project (dj-database-url's)."""
    path = unquote(urlsplit(url).path)[1:]
    return Path(path) if path.startswith("/") else BASE_DIR / path


def _parts(url: str) -> tuple[dict, str]:
    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        fail(f"nom de base absent de {redact(url)}")
    params = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "dbname": "postgres",
        "connect_timeout": 5,
    }
    return params, name


def _admin_connection(url: str):
    import psycopg

    params, _name = _parts(url)
    try:
        return psycopg.connect(**params, autocommit=True)
    except psycopg.OperationalError as exc:
        fail(
            f"PostgreSQL ne répond pas ({redact(url)}) : {str(exc).strip()}. "
            "Démarrez-le (make bench le fait : pg_ctlcluster … main start) ou réglez "
            "BENCH_DATABASE_URL."
        )


def exists(url: str) -> bool:
    if is_sqlite(url):
        return _sqlite_path(url).exists()
    _params, name = _parts(url)
    with _admin_connection(url) as connection:
        return (
            connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def create(url: str) -> None:
    if is_sqlite(url):
        _sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
        return
    from psycopg import sql

    _params, name = _parts(url)
    with _admin_connection(url) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not found:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop(url: str) -> None:
    """Drop a bench database (the journal's triggers refuse DELETE and TRUNCATE, not this)."""
    if is_sqlite(url):
        path = _sqlite_path(url)
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), _label_path(url)):
            candidate.unlink(missing_ok=True)
        return
    from psycopg import sql

    _params, name = _parts(url)
    if "bench" not in name:
        fail(f"refus de supprimer la base « {name} » : son nom ne contient pas « bench ».")
    with _admin_connection(url) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _label_path(url: str) -> Path:
    path = _sqlite_path(url)
    return path.with_name(path.name + ".bench.json")


def read_label(url: str) -> dict | None:
    if is_sqlite(url):
        path = _label_path(url)
        return json.loads(path.read_text()) if path.exists() else None
    _params, name = _parts(url)
    with _admin_connection(url) as connection:
        row = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if not row or not row[0]:
        return None
    try:
        return json.loads(row[0])
    except ValueError:
        return None


def write_label(url: str, label: dict) -> None:
    text = json.dumps(label, sort_keys=True)
    if is_sqlite(url):
        _label_path(url).write_text(text)
        return
    from psycopg import sql

    _params, name = _parts(url)
    with _admin_connection(url) as connection:
        connection.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(text))
        )
