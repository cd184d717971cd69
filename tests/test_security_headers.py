"""The security headers a browser gets from Cellule in production (issue 13's security gate).

The production settings are loaded for real, in a child process (as ``test_settings`` does), and
the headers read from the responses of a public page and of the login page over HTTPS.
"""

import json
import subprocess
import sys

import pytest

from tests.test_settings import ROOT, production_env, run_manage

# Static files are not collected here (the hashed manifest takes a minute to build): only the
# storage is swapped for the probe, every header setting is production's.
PROBE = """
import json
from django.test import Client, override_settings
from django.conf import settings
storages = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=storages):
    client = Client(HTTP_HOST="cellule.miramas.fr")
    pages = {}
    for path in ("/healthz", "/connexion/", "/mentions-legales/"):
        response = client.get(path, secure=True)
        pages[path] = {"status": response.status_code, "headers": dict(response.headers)}
print(json.dumps(pages))
"""


@pytest.fixture(scope="module")
def production_pages(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    env = production_env(tmp_path)
    for database in ("default", "journal"):
        migrated = run_manage(
            "migrate", "--database", database, env_overrides=env, tmp_path=tmp_path
        )
        assert migrated.returncode == 0, migrated.stderr
    result = run_manage("shell", "-c", PROBE, env_overrides=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_probed_pages_answer(production_pages):
    assert {page["status"] for page in production_pages.values()} == {200}


@pytest.mark.parametrize("path", ["/healthz", "/connexion/", "/mentions-legales/"])
def test_every_page_carries_the_security_headers(production_pages, path):
    headers = production_pages[path]["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


@pytest.mark.parametrize("path", ["/connexion/", "/mentions-legales/"])
def test_the_content_security_policy_allows_no_inline_code(production_pages, path):
    csp = production_pages[path]["headers"]["Content-Security-Policy"]
    directives = dict(part.strip().partition(" ")[::2] for part in csp.split(";") if part.strip())
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["default-src"] == "'self'"
    # Scripts: our own files, and a nonce when a page needs one (never inline code without it).
    sources = directives["script-src"].split()
    assert sources[0] == "'self'"
    assert all(source.startswith("'nonce-") for source in sources[1:])
    assert directives["style-src"] == "'self'"


def test_session_cookies_are_secure_and_host_bound(tmp_path):
    probe = """
from django.conf import settings
print(settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_NAME,
      settings.CSRF_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY)
"""
    result = run_manage(
        "shell", "-c", probe, env_overrides=production_env(tmp_path), tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "__Host-sessionid",
        "True",
        "__Host-csrftoken",
        "True",
        "True",
    ]


def test_bandit_finds_no_high_severity_issue():
    """The static security analysis of our code: no finding of high severity (make audit)."""
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-r", "cellule", "config", "-lll", "-f", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    assert report["results"] == [], [
        (issue["filename"], issue["line_number"], issue["test_id"]) for issue in report["results"]
    ]
