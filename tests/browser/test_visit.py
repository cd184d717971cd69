"""A visit of the demo cell, role by role: every page reachable from the dashboard answers, has no
serious or critical accessibility violation (axe-core), no error in the browser console (a CSP
violation included), and — with ``make screenshots`` — is photographed at desktop and mobile widths
into ``var/screenshots/``."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cellule.accounts.models import User
from cellule.core.demo import DEMO_PASSWORD
from tests.browser.a11y import describe, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("CELLULE_SCREENSHOTS", "")
# Who visits (demo accounts), in the order a newcomer would meet them.
VISITORS = (
    ("coordination.miramas@cellule.test", "coordonnateur"),
    ("maire.miramas@cellule.test", "maire"),
    ("ccas.miramas@cellule.test", "membre"),
    ("agent.miramas@cellule.test", "agent"),
    ("referent.prefecture@cellule.test", "prefecture"),
    ("dpo.miramas@cellule.test", "dpd"),
    ("admin@cellule.test", "administrateur"),
)
PAGES_PER_VISITOR = 30
# Not pages: downloads, the administrator's Django admin, the API's docs, actions; opening a
# notification only leads to a page reached otherwise.
SKIPPED = re.compile(
    r"^/(admin|api)/|/(export|telecharger|pdf|csv)|\.(csv|pdf|json)$|deconnexion"
    r"|^/notifications/[0-9a-f-]{36}/"
)


def log_in(page, base_url, user):
    page.goto(f"{base_url}/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.get_by_label("Code à usage unique").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Valider").click()


def links(page, base_url) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "header a[href], main a[href], nav a[href]", "els => els.map(e => e.href)"
    )
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base_url or SKIPPED.search(parts.path):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in paths:
            paths.append(path)
    return paths


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:60] or "accueil"


def shoot(page, name: str) -> None:
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-bureau.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(folder / f"{name}-mobile.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_every_page_of_the_demo_is_accessible_and_clean(browser, live_server):
    call_command("seed_demo")
    base = live_server.url
    problems, visited = [], 0
    for email, who in VISITORS:
        user = User.objects.get(email=email)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        context.set_default_timeout(10_000)
        page = context.new_page()
        console = []
        page.on("console", lambda m, c=console: c.append(m.text) if m.type == "error" else None)
        log_in(page, base, user)
        queue, seen = ["/"], set()
        while queue and len(seen) < PAGES_PER_VISITOR:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            console.clear()
            response = page.goto(f"{base}{path}")
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue
            visited += 1
            where = f"{who} {path}"
            if response.status >= 500:
                problems.append(f"{where}: HTTP {response.status}")
                continue
            found = violations(page)
            if found:
                problems.append(f"{where}:\n{describe(found)}")
            if console:
                problems.append(f"{where}: console: {console}")
            if SCREENSHOTS:
                shoot(page, f"{who}-{slug(path)}")
            queue += [link for link in links(page, base) if link not in seen]
        context.close()
    assert visited >= 30, visited
    assert not problems, "\n".join(problems)
