"""The production server's configuration (config/gunicorn.py, docs/deploy.md)."""

import multiprocessing
import runpy
import subprocess
import sys
from pathlib import Path

from tests.test_settings import ROOT, production_env


def load(monkeypatch, **env):
    for name in ("GUNICORN_WORKERS", "GUNICORN_BIND", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "gunicorn.py"))


def test_workers_follow_the_cpu_count_on_the_loopback(monkeypatch):
    config = load(monkeypatch)
    assert config["workers"] == min(2 * multiprocessing.cpu_count() + 1, 12)
    assert config["bind"] == "127.0.0.1:8000"
    assert config["forwarded_allow_ips"] == "127.0.0.1"
    assert config["preload_app"] is False


def test_the_environment_overrides_the_defaults(monkeypatch):
    config = load(monkeypatch, GUNICORN_WORKERS="3", GUNICORN_BIND="127.0.0.1:9000")
    assert (config["workers"], config["bind"]) == (3, "127.0.0.1:9000")


def test_gunicorn_accepts_the_configuration_and_loads_the_application(tmp_path):
    """``gunicorn --check-config`` imports config.wsgi with the production settings."""
    env = {"PATH": "/usr/bin:/bin", "CELLULE_VAR_DIR": str(tmp_path / "var")}
    env.update(production_env(tmp_path))
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--check-config",
            "-c",
            "config/gunicorn.py",
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
