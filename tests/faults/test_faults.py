"""Faults survived (issue 13): the database stopped, the web process and the task worker killed.

Each test drives real processes (gunicorn, ``manage.py db_worker``) on the committed test
databases; see conftest for why they need PostgreSQL.
"""

import email
import random
import signal
import subprocess
import sys
import time

import pytest
import requests
from django.core.management import call_command
from django.db import connections

from cellule.alerts.emails import send_due_emails
from cellule.alerts.enums import EmailStatus
from cellule.alerts.models import EmailDelivery, Notification
from cellule.alerts.services import notify
from tests.alerts.conftest import Mailbox
from tests.faults.conftest import (
    ROOT,
    TcpProxy,
    child_env,
    csrf_headers,
    database_url,
    free_port,
    gunicorn,
    kill_group,
    logged_in,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("on_postgresql")]


def test_a_stopped_database_gets_a_french_503_within_seconds_and_recovery_needs_no_restart(
    coordinator,
):
    port = connections["default"].settings_dict["PORT"] or 5432
    proxy = TcpProxy(int(port))
    proxy.start()
    env = child_env(DATABASE_URL=database_url("default", port=proxy.port))
    try:
        with gunicorn(env) as (base, _):
            session = logged_in(base, coordinator)
            assert session.get(f"{base}/", timeout=10).status_code == 200

            proxy.stop()
            started = time.monotonic()
            down = session.get(f"{base}/", timeout=30)
            elapsed = time.monotonic() - started
            assert down.status_code == 503
            assert "Service momentanément indisponible" in down.text
            assert "La base de données ne répond pas" in down.text
            assert elapsed < 5, f"{elapsed:.1f} s"
            assert session.get(f"{base}/readyz", timeout=30).status_code == 503

            proxy.start()
            statuses = []
            for _ in range(3):  # the first request may still meet the cut connection
                statuses.append(session.get(f"{base}/", timeout=10).status_code)
                if statuses[-1] == 200:
                    break
            assert statuses[-1] == 200, statuses
            assert session.get(f"{base}/readyz", timeout=10).status_code == 200
    finally:
        proxy.stop()


def test_every_acknowledged_write_survives_the_web_process_killed(coordinator, cell):
    for number in range(120):
        notify(kind="new_login", recipients=[coordinator], target=coordinator, key=f"k{number}")
    pending = list(Notification.objects.filter(recipient=coordinator).values_list("pk", flat=True))
    acknowledged = []
    env = child_env()
    with gunicorn(env, workers=2) as (base, process):
        session = logged_in(base, coordinator)
        for pk in pending:
            try:
                response = session.post(
                    f"{base}/notifications/{pk}/lue/",
                    headers=csrf_headers(session),
                    allow_redirects=False,
                    timeout=10,
                )
            except requests.ConnectionError:
                break
            if response.status_code == 302:
                acknowledged.append(pk)
            if len(acknowledged) == 60:
                kill_group(process)  # SIGKILL, master and workers, in the middle of the run
    assert len(acknowledged) == 60

    with gunicorn(env) as (base, _):  # restarted: serves again
        assert logged_in(base, coordinator).get(f"{base}/", timeout=10).status_code == 200
    read = set(
        Notification.objects.filter(pk__in=acknowledged, read_at__isnull=False).values_list(
            "pk", flat=True
        )
    )
    assert read == set(acknowledged)


def test_the_worker_killed_fifty_times_while_sending_never_sends_an_email_twice(
    coordinator, member, settings
):
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        for number in range(80):
            notify(
                kind="new_login",
                recipients=[coordinator if number % 2 else member],
                target=coordinator,
                key=f"k{number}",
            )
        assert EmailDelivery.objects.count() == 80
        env = child_env(EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}")
        command = [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval=0.1",
        ]
        rng = random.Random(13)
        kills = 0
        while kills < 50:
            worker = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            time.sleep(rng.uniform(0.6, 1.6))  # Django's start, then a few e-mails at most
            kill_group(worker)
            kills += 1
        # Then a worker that is left to finish, as after the last restart of a real server.
        worker = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if not EmailDelivery.objects.filter(status=EmailStatus.PENDING).exists():
                    break
                time.sleep(0.5)
        finally:
            kill_group(worker, sig=signal.SIGTERM)
        # A worker killed after taking a task but before claiming its e-mail leaves the task
        # « running » and the e-mail pending: run_periodic's sweep of the e-mails due sends it.
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        send_due_emails()
    finally:
        controller.stop()

    statuses = dict(
        EmailDelivery.objects.values_list("pk", "status")
    )  # every e-mail is settled or claimed by a killed sender (never pending)
    assert EmailStatus.PENDING not in statuses.values()
    bodies = [
        email.message_from_bytes(message.content).get_payload(decode=True).decode()
        for message in mailbox.messages
    ]
    per_notification = {}
    for notification in Notification.objects.all():
        per_notification[notification.pk] = sum(str(notification.pk) in body for body in bodies)
    assert max(per_notification.values()) == 1, "an e-mail was sent twice"
    sent = EmailDelivery.objects.filter(status=EmailStatus.SENT).count()
    stuck = EmailDelivery.objects.filter(status=EmailStatus.SENDING).count()
    # A sender killed between the server's acceptance and the row's update leaves its e-mail
    # « sending »: received once, or not at all, and never sent again (it is failed when stale).
    assert sent + stuck == 80
    assert stuck <= 50
    assert sent <= len(mailbox.messages) <= sent + stuck
    call_command("journal_verify")
