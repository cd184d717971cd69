"""Start and stop the bench's gunicorn on 127.0.0.1, and read its workers' memory from /proc."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.environment import BASE_DIR, RUNTIME_DIR, bench_env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """``gunicorn bench.wsgi:application`` (config.wsgi plus the bench's shims), sync workers."""

    def __init__(self, name: str, *, workers: int = 2, **env: str):
        self.name = name
        self.workers = workers
        self.port = free_port()
        self.env = bench_env(**env)
        self.log_path = RUNTIME_DIR / f"gunicorn-{name}.log"
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        RUNTIME_DIR.mkdir(parents=True, exist_ok=True)
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "bench.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.workers}",
            "--worker-class=sync",
            "--timeout=60",
            "--graceful-timeout=5",
            "--backlog=256",
            "--error-logfile=-",
            "--log-level=warning",
            f"--chdir={BASE_DIR}",
        ]
        # gunicorn's messages and Django's (errors go to the console handler) land in one file.
        with open(self.log_path, "wb") as log_file:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn « {self.name} » s'est arrêté au démarrage (code "
                    f"{self.process.returncode}) ; voir {self.log_path}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as answer:
                    if answer.status == 200 and len(self.worker_pids()) >= self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn « {self.name} » ne répond pas après {timeout:.0f} s")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        return children(self.process.pid)

    def memory(self) -> list[dict]:
        """Per worker: resident memory now and its peak (MB), from /proc/<pid>/status."""
        return [rss(pid) for pid in self.worker_pids()]

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the master (and so its workers); kill our own process group if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in text.split()]
    except OSError:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
        return found


def rss(pid: int) -> dict:
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in {"VmRSS", "VmHWM"}:
                values[key] = int(value.split()[0]) / 1024  # kB -> MB
    except OSError:
        pass
    return {
        "pid": pid,
        "rss_mb": round(values.get("VmRSS", 0), 1),
        "peak_mb": round(values.get("VmHWM", 0), 1),
    }
