"""Backups of the two databases (main data and journal des accès), and their verified restore.

A backup is a directory: one file per database and ``manifest.json`` (engine, file digests, the
row count of every table, the journal's last event). SQLite is copied with its online backup API
(a consistent copy while the service runs); PostgreSQL with ``pg_dump --format=custom``, the row
counts taken in the very snapshot pg_dump exports.

A restore checks the files' digests, refuses to overwrite a database that already holds accounts
or journal events unless forced, restores both databases (SQLite backup API, ``pg_restore``),
then verifies the result: the row count of every table equals the manifest's, and the journal's
hash chain verifies (``journal_verify``) up to the event the manifest names.

What a backup does not hold: the keys (master, index, journal, SECRET_KEY) and the signed journal
checkpoints, which live apart on purpose; without the same keys a restored copy cannot be read.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from cellule.journal.models import AuditEvent
from cellule.journal.verification import verify_journal

FORMAT = 1
MANIFEST = "manifest.json"
ALIASES = ("default", "journal")
JOURNAL_TABLE = AuditEvent._meta.db_table
# A database "holds data" once it has accounts or journal events (a freshly migrated one has
# only reference data).
DATA_TABLES = ("accounts_user", JOURNAL_TABLE)


class BackupError(Exception):
    """A backup or a restore could not be done or does not verify (French message)."""


def _engine(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Base « {alias} » : moteur {vendor} non pris en charge.")
    return vendor


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _count_tables(cursor, tables, quote) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (introspected names)
        counts[table] = cursor.fetchone()[0]
    return counts


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_file_counts(path: Path) -> tuple[dict[str, int], dict | None]:
    """Row counts of a SQLite file, and its journal head when it holds the journal table."""
    copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"Copie {path.name} endommagée : {check}")
        tables = [
            name
            for (name,) in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        cursor = copy.cursor()
        counts = _count_tables(cursor, tables, _sqlite_quote)
        head = None
        if JOURNAL_TABLE in tables:
            row = copy.execute(
                f"SELECT seq, hash FROM {JOURNAL_TABLE} ORDER BY seq DESC LIMIT 1"  # noqa: S608
            ).fetchone()
            head = {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": ""}
        return counts, head
    finally:
        copy.close()


def _pg_environment(alias: str) -> tuple[dict, list[str]]:
    """Environment and connection arguments of pg_dump / pg_restore for an alias."""
    options = connections[alias].settings_dict
    env = {**os.environ}
    if options.get("PASSWORD"):
        env["PGPASSWORD"] = str(options["PASSWORD"])
    arguments = ["--dbname", str(options["NAME"])]
    if options.get("HOST"):
        arguments += ["--host", str(options["HOST"])]
    if options.get("PORT"):
        arguments += ["--port", str(options["PORT"])]
    if options.get("USER"):
        arguments += ["--username", str(options["USER"])]
    return env, arguments


def _run(command: list[str], env: dict) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(
            f"{command[0]} est introuvable : installez les outils clients PostgreSQL."
        )
    result = subprocess.run(  # noqa: S603 (fixed program, arguments from settings)
        [program, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} a échoué : {result.stderr.strip()[:2000]}")


def _journal_head(cursor) -> dict:
    cursor.execute(f"SELECT seq, hash FROM {JOURNAL_TABLE} ORDER BY seq DESC LIMIT 1")  # noqa: S608
    row = cursor.fetchone()
    return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": ""}


# --- Backup -------------------------------------------------------------------------------------


@dataclass
class Backup:
    directory: Path
    manifest: dict = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(sum(db["tables"].values()) for db in self.manifest["databases"].values())


def _backup_sqlite(alias: str, target: Path) -> dict:
    connection = connections[alias]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # One self-contained file (no -wal / -shm beside it), whatever the live database uses.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
    counts, head = _sqlite_file_counts(target)
    return {"tables": counts, "journal_head": head}


def _backup_postgresql(alias: str, target: Path) -> dict:
    """pg_dump of the snapshot in which the rows are counted: counts and dump agree exactly."""
    connection = connections[alias]
    env, arguments = _pg_environment(alias)
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = connection.introspection.table_names(cursor)
        counts = _count_tables(cursor, tables, connection.ops.quote_name)
        head = _journal_head(cursor) if JOURNAL_TABLE in tables else None
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
                *arguments,
            ],
            env,
        )
    _run(["pg_restore", "--list", str(target)], env)  # the archive reads back
    return {"tables": counts, "journal_head": head}


def create_backup(directory: Path) -> Backup:
    """Backs up both databases into ``directory`` (created; must not exist or be empty)."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"Le répertoire {directory} n'est pas vide : choisissez-en un autre.")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    from cellule.access.journaling import Action, journal_event

    # A backup copies every personal datum: it is journaled (and the event is in the copy).
    journal_event(None, Action.EXPORT, reason="sauvegarde des bases (manage.py backup)")
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "databases": {},
    }
    for alias in ALIASES:
        engine = _engine(alias)
        name = f"{alias}.sqlite3" if engine == "sqlite" else f"{alias}.dump"
        target = directory / name
        copy = (_backup_sqlite if engine == "sqlite" else _backup_postgresql)(alias, target)
        target.chmod(0o600)
        manifest["databases"][alias] = {
            "engine": engine,
            "file": name,
            "sha256": _sha256(target),
            "tables": copy["tables"],
        }
        if alias == "journal":
            manifest["journal_head"] = copy["journal_head"] or {"seq": 0, "hash": ""}
    path = directory / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    path.chmod(0o600)
    return Backup(directory, manifest)


# --- Restore ------------------------------------------------------------------------------------


def read_backup(directory: Path) -> Backup:
    directory = Path(directory)
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(
            f"{directory} n'est pas une sauvegarde de Cellule ({MANIFEST} absent)."
        ) from exc
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} illisible : {exc}") from exc
    if manifest.get("format") != FORMAT or set(manifest.get("databases", {})) != set(ALIASES):
        raise BackupError(f"{path} : format de sauvegarde inconnu.")
    for alias, database in manifest["databases"].items():
        file = directory / database["file"]
        if not file.is_file():
            raise BackupError(f"Fichier {file} absent de la sauvegarde.")
        if _sha256(file) != database["sha256"]:
            raise BackupError(f"Fichier {file} altéré : son empreinte ne correspond plus.")
        if database["engine"] != _engine(alias):
            raise BackupError(
                f"Base « {alias} » : la sauvegarde vient de {database['engine']}, la base cible "
                f"est {_engine(alias)}. Restaurez sur le même moteur."
            )
    return Backup(directory, manifest)


def live_counts(alias: str) -> dict[str, int]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return _count_tables(cursor, tables, connection.ops.quote_name)


def holds_data() -> list[str]:
    """The data tables that already have rows in the target databases."""
    found = []
    for alias in ALIASES:
        counts = live_counts(alias)
        found += [f"{alias}.{table}" for table in DATA_TABLES if counts.get(table)]
    return found


def _restore_sqlite(alias: str, file: Path) -> None:
    connection = connections[alias]
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _restore_postgresql(alias: str, file: Path) -> None:
    connections[alias].close()
    env, arguments = _pg_environment(alias)
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *arguments,
            str(file),
        ],
        env,
    )


@dataclass
class Verification:
    tables: int
    rows: int
    journal: str


def verify_restore(backup: Backup) -> Verification:
    """Row counts equal to the manifest's, and a journal that verifies up to its head."""
    problems, tables, rows = [], 0, 0
    for alias, database in backup.manifest["databases"].items():
        counts = live_counts(alias)
        for table, expected in database["tables"].items():
            found = counts.get(table)
            if found != expected:
                problems.append(f"{alias}.{table} : {found} ligne(s) au lieu de {expected}")
            tables += 1
            rows += expected
    verdict = verify_journal()
    head = backup.manifest["journal_head"]
    if not verdict.ok:
        problems.append(f"journal des accès : {verdict}")
    elif verdict.last_seq != head["seq"]:
        problems.append(
            f"journal des accès : dernier événement seq {verdict.last_seq}, la sauvegarde "
            f"s'arrête à la seq {head['seq']}"
        )
    if problems:
        raise BackupError("La base restaurée ne se vérifie pas : " + " ; ".join(problems) + ".")
    return Verification(tables=tables, rows=rows, journal=str(verdict))


def restore_backup(directory: Path, *, force: bool = False) -> Verification:
    backup = read_backup(directory)
    occupied = holds_data()
    if occupied and not force:
        raise BackupError(
            "Les bases cibles contiennent déjà des données (" + ", ".join(occupied) + ") : "
            "restaurez dans des bases vides, ou ajoutez --force pour les remplacer."
        )
    for alias, database in backup.manifest["databases"].items():
        file = backup.directory / database["file"]
        if database["engine"] == "sqlite":
            _restore_sqlite(alias, file)
        else:
            _restore_postgresql(alias, file)
    return verify_restore(backup)


def default_directory() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / stamp
