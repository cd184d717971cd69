"""Configuration: development generates its keys, production refuses to start without them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.keys import new_key_text

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_overrides, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CELLULE_", "DATABASE_URL", "JOURNAL_"))
    }
    env.pop("SECRET_KEY", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by conftest for the browser tests
    env.update({"CELLULE_VAR_DIR": str(tmp_path / "var"), **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(tmp_path, **overrides):
    env = {
        "CELLULE_ENV": "production",
        "SECRET_KEY": new_key_text() + new_key_text(),
        "CELLULE_MASTER_KEY": f"k1:{new_key_text()}",
        "CELLULE_INDEX_KEY": new_key_text(),
        "CELLULE_JOURNAL_KEY": new_key_text(),
        "ALLOWED_HOSTS": "cellule.miramas.fr",
        "EMAIL_URL": "smtp://relais.miramas.fr:25",
        "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3",
        "JOURNAL_DATABASE_URL": f"sqlite:///{tmp_path}/journal.sqlite3",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_development_generates_keys_once_into_var(tmp_path):
    first = run_manage("check", env_overrides={"CELLULE_ENV": "development"}, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    keys = tmp_path / "var" / "keys"
    files = sorted(p.name for p in keys.iterdir())
    assert files == ["index.key", "journal.key", "master.key", "secret_key"]
    assert all((keys / name).stat().st_mode & 0o777 == 0o600 for name in files)
    contents = {name: (keys / name).read_text() for name in files}

    run_manage("check", env_overrides={"CELLULE_ENV": "development"}, tmp_path=tmp_path)
    assert {name: (keys / name).read_text() for name in files} == contents


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides=production_env(tmp_path),
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
    assert not (tmp_path / "var" / "keys").exists()


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY est obligatoire en production"),
        ("CELLULE_MASTER_KEY", "CELLULE_MASTER_KEY est obligatoire en production"),
        ("CELLULE_INDEX_KEY", "CELLULE_INDEX_KEY est obligatoire en production"),
        ("CELLULE_JOURNAL_KEY", "CELLULE_JOURNAL_KEY est obligatoire en production"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS est obligatoire en production"),
        ("EMAIL_URL", "EMAIL_URL est obligatoire en production"),
    ],
)
def test_production_refuses_to_start_without_a_secret(tmp_path, missing, message):
    result = run_manage(
        "check", env_overrides=production_env(tmp_path, **{missing: None}), tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert not (tmp_path / "var" / "keys").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DEBUG": "1"}, "DEBUG ne peut pas être activé en production"),
        ({"SECRET_KEY": "court"}, "SECRET_KEY est trop court"),
        ({"CELLULE_JOURNAL_KEY": "pas-une-cle"}, "CELLULE_JOURNAL_KEY"),
        ({"CELLULE_MASTER_KEY": new_key_text()}, "paires « identifiant:clé »"),
        ({"CELLULE_ENV": "prod"}, "valeurs possibles"),
    ],
)
def test_production_refuses_insecure_or_malformed_settings(tmp_path, overrides, message):
    result = run_manage(
        "check", env_overrides=production_env(tmp_path, **overrides), tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert message in result.stderr


PRAGMAS = (
    "from django.db import connections\n"
    "for alias in ('default', 'journal'):\n"
    "    with connections[alias].cursor() as cursor:\n"
    "        print(alias, *(cursor.execute(f'PRAGMA {name}').fetchone()[0]"
    " for name in ('journal_mode', 'synchronous', 'secure_delete')))\n"
)


@pytest.mark.parametrize("environment", ["production", "development"])
def test_sqlite_commits_reach_the_disk_outside_the_tests(tmp_path, environment):
    """WAL, synchronous=FULL (2) and secure_delete on both databases; only the tests, whose files
    are thrown away, run without the fsyncs."""
    overrides = (
        production_env(tmp_path) if environment == "production" else {"CELLULE_ENV": environment}
    )
    result = run_manage(
        "shell", "--verbosity", "0", "-c", PRAGMAS, env_overrides=overrides, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["default wal 2 1", "journal wal 2 1"], result.stdout
