"""Fault tests (issue 13): real processes — gunicorn, the task worker — killed or cut off from
their database, on PostgreSQL (the test database, committed data: transactional tests).

On SQLite the test database lives in the test process's memory, where no other process can reach
it: these tests are skipped there, with the reason; `.ci/run` runs them in its PostgreSQL pass.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import requests
from django.db import connections

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def on_postgresql():
    if connections["default"].vendor != "postgresql":
        pytest.skip(
            "tests de pannes : PostgreSQL requis (DATABASE_URL), la base de test SQLite est en "
            "mémoire et aucun autre processus ne peut l'ouvrir"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(alias: str, *, port: int | None = None) -> str:
    settings = connections[alias].settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    return (
        f"postgres://{user}{password}@{host}:{port or settings['PORT'] or 5432}/{settings['NAME']}"
    )


def child_env(**extra) -> dict:
    """The test settings, on the test databases (committed by the transactional test)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_test",
        DATABASE_URL=database_url("default"),
        JOURNAL_DATABASE_URL=database_url("journal"),
        CELLULE_TEST_CONN_MAX_AGE="60",  # as in production: connections kept and health-checked
    )
    env.update(extra)
    return env


class TcpProxy:
    """127.0.0.1:<port> → PostgreSQL. ``stop()`` cuts every connection and refuses new ones, as
    a stopped server would; ``start()`` lets them through again, on the same port."""

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.port = free_port()
        self._server = None
        self._links: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self):
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def stop(self):
        server, self._server = self._server, None
        if server is not None:
            with suppress(OSError):  # wakes the thread blocked in accept(), then closes
                server.shutdown(socket.SHUT_RDWR)
            server.close()
        with self._lock:
            links, self._links = self._links, []
        for link in links:
            with suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
            link.close()

    def _accept(self, server):
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._links += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


@contextmanager
def gunicorn(env: dict, *, workers: int = 1):
    """A real gunicorn serving the test settings; yields (base URL, process)."""
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 — closed below, read if gunicorn fails to start
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--timeout=30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,  # its own process group: killed with its workers
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log)
        yield base, process
    finally:
        kill_group(process)
        log.close()


def wait_until_up(base: str, process, log, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn s'est arrêté : {log.read().decode()[-2000:]}")
        try:
            requests.get(f"{base}/healthz", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn ne répond pas")


def kill_group(process, sig=signal.SIGKILL):
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    process.wait(timeout=30)


def logged_in(base: str, user) -> requests.Session:
    """An HTTP session of a user who passed the password and the second factor."""
    from tests.conftest import verified_client

    client = verified_client(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    session.get(f"{base}/", timeout=10)  # sets the CSRF cookie
    return session


def csrf_headers(session: requests.Session) -> dict:
    return {"X-CSRFToken": session.cookies.get("csrftoken", "")}
