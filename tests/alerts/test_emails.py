"""E-mails: sent by the background task or run_periodic, retried with backoff, never twice —
through Django's outbox and through a real SMTP server (aiosmtpd) started by the test."""

import smtplib
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cellule.alerts import emails
from cellule.alerts.emails import BACKOFF, STALE_AFTER, deliver, send_due_emails
from cellule.alerts.enums import EmailStatus
from cellule.alerts.models import EmailDelivery
from cellule.alerts.periodic import run
from cellule.alerts.services import notify
from cellule.alerts.tasks import send_email

pytestmark = pytest.mark.django_db

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def alert(user, key="k"):
    (notification,) = notify(kind="transmission_received", recipients=[user], key=key)
    return EmailDelivery.objects.get(notification=notification)


class RefusingOnce(EmailBackend):
    """Django's outbox behind a server that answers 451 to the first message."""

    refused = 0

    def send_messages(self, messages):
        if RefusingOnce.refused == 0:
            RefusingOnce.refused += 1
            raise smtplib.SMTPDataError(451, b"Essayez plus tard")
        return super().send_messages(messages)


def test_the_task_sends_the_email_once(coordinator, mailoutbox):
    delivery = alert(coordinator)
    assert send_email.call(str(delivery.pk)) == "sent"
    assert send_email.call(str(delivery.pk)) == "skipped"
    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (EmailStatus.SENT, 1)
    assert delivery.sent_at is not None


def test_the_email_is_queued_when_the_transaction_commits(
    coordinator, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE_TASKS
    with django_capture_on_commit_callbacks(execute=True):
        alert(coordinator)
        assert mailoutbox == []  # nothing leaves before the commit
    assert len(mailoutbox) == 1
    assert EmailDelivery.objects.get().status == EmailStatus.SENT


def test_the_database_queue_is_filled_on_commit(coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = alert(coordinator)
    task = DBTaskResult.objects.get()
    assert task.task_path == "cellule.alerts.tasks.send_email"
    assert task.args_kwargs["args"] == [str(delivery.pk)]


def test_a_refused_email_is_retried_later_and_sent_once(coordinator, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.alerts.test_emails.RefusingOnce"
    RefusingOnce.refused = 0
    delivery = alert(coordinator)
    now = timezone.now()
    assert deliver(delivery.pk, now=now) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == EmailStatus.PENDING
    assert delivery.next_attempt_at == now + BACKOFF[0]
    assert delivery.last_error == "SMTPDataError 451"

    assert send_due_emails(now=now + timedelta(seconds=30)) == {}  # not due yet
    assert send_due_emails(now=now + BACKOFF[0]) == {"sent": 1}
    assert send_due_emails(now=now + timedelta(hours=5)) == {}
    assert len(mailoutbox) == 1


def test_backoff_is_exponential_then_gives_up(coordinator, settings):
    settings.EMAIL_BACKEND = "tests.alerts.test_emails.AlwaysRefusing"
    delivery = alert(coordinator)
    now = timezone.now()
    waits = []
    for _ in range(len(BACKOFF)):
        assert deliver(delivery.pk, now=now) == "retry"
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at - now)
        now = delivery.next_attempt_at
    assert waits == [timedelta(minutes=m) for m in (1, 5, 30, 120)]
    assert deliver(delivery.pk, now=now) == "failed"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (EmailStatus.FAILED, 5)
    assert deliver(delivery.pk, now=now + timedelta(days=1)) == "skipped"


class AlwaysRefusing(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connexion perdue")


def test_a_permanent_refusal_is_not_retried(coordinator, smtp_server):
    smtp_server(refuse=1, code="550 5.1.1 Boîte inconnue")
    delivery = alert(coordinator)
    assert deliver(delivery.pk) == "failed"


def test_a_claim_that_died_mid_send_is_never_resent(coordinator, mailoutbox):
    """The one window: accepted by the server, then the process died before marking it sent."""
    delivery = alert(coordinator)
    claimed_at = timezone.now()
    EmailDelivery.objects.filter(pk=delivery.pk).update(
        status=EmailStatus.SENDING, claimed_at=claimed_at, attempts=1
    )
    assert send_due_emails(now=claimed_at + timedelta(minutes=1)) == {}
    send_due_emails(now=claimed_at + STALE_AFTER + timedelta(minutes=1))
    delivery.refresh_from_db()
    assert delivery.status == EmailStatus.FAILED
    assert mailoutbox == []


def test_a_deactivated_account_gets_no_email(coordinator, mailoutbox):
    delivery = alert(coordinator)
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])
    assert deliver(delivery.pk) == "cancelled"
    assert mailoutbox == []


# --- A real SMTP server ------------------------------------------------------------------------


def test_sent_through_a_real_smtp_server(coordinator, smtp_server):
    mailbox = smtp_server()
    delivery = alert(coordinator)
    assert deliver(delivery.pk) == "sent"
    assert deliver(delivery.pk) == "skipped"
    (message,) = mailbox.messages
    assert message.rcpt_tos == [coordinator.email]
    content = message.content.decode()
    assert "Subject: Cellule : nouvelle alerte" in content
    assert coordinator.last_name not in content


def test_a_server_that_refuses_then_accepts_gets_the_message_once(coordinator, smtp_server):
    mailbox = smtp_server(refuse=2)
    delivery = alert(coordinator)

    def next_attempt():
        return EmailDelivery.objects.get(pk=delivery.pk).next_attempt_at

    assert run()["emails"] == {"retry": 1}
    first_retry = next_attempt()
    assert run()["emails"] == {}  # run again at once: not due, nothing sent
    assert run(now=first_retry)["emails"] == {"retry": 1}
    assert next_attempt() - first_retry == BACKOFF[1]
    assert run(now=next_attempt())["emails"] == {"sent": 1}
    assert run(now=next_attempt() + timedelta(days=1))["emails"] == {}
    assert mailbox.refused == 2 and len(mailbox.messages) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (EmailStatus.SENT, 3)


def test_an_unreachable_server_is_an_smtp_failure_to_retry(coordinator, settings):
    from tests.alerts.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    assert deliver(alert(coordinator).pk) == "retry"


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_sends_the_queued_email(coordinator, smtp_server):
    mailbox = smtp_server()
    delivery = alert(coordinator)  # committed: the task row is in the queue
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())
    assert len(mailbox.messages) == 1
    delivery.refresh_from_db()
    assert delivery.status == EmailStatus.SENT
    # The periodic safety net finds nothing left to send.
    assert emails.send_due_emails() == {}
    assert len(mail.outbox) == 0 and len(mailbox.messages) == 1
