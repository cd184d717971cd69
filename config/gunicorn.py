"""gunicorn's configuration in production: ``gunicorn -c config/gunicorn.py config.wsgi``.

Every value may be overridden by an environment variable (``GUNICORN_*`` below), so that the
systemd unit of docs/deploy.md stays the same from one server to the next.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


# Behind the TLS reverse proxy (nginx), on the loopback only.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: Cellule's pages are short database-bound requests. The classic rule, 2 × CPU + 1,
# capped so that a large server does not open more PostgreSQL connections than it was sized for.
workers = _int("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 12))
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)  # a PDF of a long relevé takes a few seconds, not 30
graceful_timeout = 30
keepalive = 5

# A worker is replaced after this many requests (a slow leak cannot grow without bound); the
# jitter keeps workers from restarting all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = 200

# The application is loaded in each worker after fork: no database connection or key material is
# shared between processes.
preload_app = False

# Requests are logged by the proxy; gunicorn logs errors to the journal (systemd) through stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The proxy sets X-Forwarded-Proto; only the loopback is trusted to set it.
forwarded_allow_ips = "127.0.0.1"

# No request line or header larger than this reaches Django.
limit_request_line = 8190
limit_request_fields = 100
