"""Sending the e-mails of notifications and digests: generic words and a link, never personal data.

Never twice: each e-mail is an ``EmailDelivery`` row with a unique key. A sender first claims it
with a conditional UPDATE (pending and due → sending, attempts + 1); only the sender whose UPDATE
changed the row talks to the SMTP server, and marks the row sent right after the server accepts.
On an SMTP failure the row goes back to pending with the next attempt 1, 5, 30 minutes then
2 hours later; after the fifth failure (or a permanent 5xx refusal) it is marked failed.

The one window left: a process that dies after the server accepted the message and before the
row is marked sent. The row then stays « sending »; after ``STALE_AFTER`` it is marked failed,
never sent again — a lost e-mail (the notification is still in Cellule) rather than a duplicate.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cellule.alerts.enums import Delivery, EmailKind, EmailStatus
from cellule.alerts.kinds import get_kind
from cellule.alerts.models import EmailDelivery, Notification

logger = logging.getLogger("cellule.alerts")

BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
STALE_AFTER = timedelta(minutes=15)
SMTP_TIMEOUT = 30  # seconds: a silent server must not hold a worker


def base_url() -> str:
    return settings.CELLULE_BASE_URL.rstrip("/")


def digest_hour() -> int:
    return getattr(settings, "CELLULE_DIGEST_HOUR", 7)


# --- Contents ---------------------------------------------------------------------------------


def render_notification(notification: Notification) -> tuple[str, str]:
    """(subject, body) of a notification's e-mail: the kind's generic text and a link."""
    kind = get_kind(notification.kind)
    subject = "Cellule : sécurité de votre compte" if kind.advice else "Cellule : nouvelle alerte"
    body = render_to_string(
        "alerts/email/notification.txt",
        {
            "text": kind.text,
            "advice": kind.advice,
            "link": base_url() + reverse("alerts:open", kwargs={"pk": notification.pk}),
            "preferences": base_url() + reverse("alerts:preferences"),
        },
    )
    return subject, body


def render_digest(count: int) -> tuple[str, str]:
    plural = "s" if count > 1 else ""
    subject = f"{count} nouvelle{plural} alerte{plural} dans Cellule"
    body = render_to_string(
        "alerts/email/digest.txt",
        {
            "count": count,
            "plural": plural,
            "link": base_url() + reverse("alerts:list"),
            "preferences": base_url() + reverse("alerts:preferences"),
        },
    )
    return subject, body


def _message(delivery: EmailDelivery, connection) -> EmailMessage:
    if delivery.kind == EmailKind.DIGEST:
        subject, body = render_digest(delivery.count)
    else:
        subject, body = render_notification(delivery.notification)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[delivery.recipient.email],
        connection=connection,
        headers={"Auto-Submitted": "auto-generated"},
    )


# --- Sending ----------------------------------------------------------------------------------


def deliver(delivery_id, *, now: datetime | None = None, connection=None) -> str:
    """Sends one e-mail if it is pending and due, at most once; returns what happened.

    Call it outside any transaction (as the worker and run_periodic do): the claim must be
    committed before the SMTP server is contacted."""
    now = now or timezone.now()
    claimed = EmailDelivery.objects.filter(
        pk=delivery_id, status=EmailStatus.PENDING, next_attempt_at__lte=now
    ).update(status=EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"  # sent, failed, not due yet, or claimed by another sender
    delivery = EmailDelivery.objects.select_related("recipient", "notification").get(pk=delivery_id)
    if not delivery.recipient.is_active or not delivery.recipient.email:
        _mark(delivery, EmailStatus.CANCELLED)
        return "cancelled"
    try:
        _message(
            delivery, connection or get_connection(fail_silently=False, timeout=SMTP_TIMEOUT)
        ).send()
    except (smtplib.SMTPException, OSError) as error:
        return _failed(delivery, error, now)
    _mark(delivery, EmailStatus.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def _mark(delivery: EmailDelivery, status: str, **fields) -> None:
    EmailDelivery.objects.filter(pk=delivery.pk, status=EmailStatus.SENDING).update(
        status=status, **fields
    )


def _permanent(error) -> bool:
    """A 5xx answer will not change by retrying (unknown mailbox, refused sender)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _failed(delivery: EmailDelivery, error, now: datetime) -> str:
    code = getattr(error, "smtp_code", None)
    summary = f"{type(error).__name__}{f' {code}' if code else ''}"
    if _permanent(error) or delivery.attempts >= MAX_ATTEMPTS:
        _mark(delivery, EmailStatus.FAILED, last_error=summary)
        logger.warning("Alertes : courriel %s abandonné (%s).", delivery.pk, summary)
        return "failed"
    retry_at = now + BACKOFF[delivery.attempts - 1]
    _mark(delivery, EmailStatus.PENDING, next_attempt_at=retry_at, last_error=summary)
    from cellule.alerts.services import enqueue_send

    enqueue_send(delivery.pk, run_after=retry_at)
    return "retry"


def send_due_emails(*, now: datetime | None = None, limit: int = 500) -> dict:
    """Sends every pending e-mail whose time has come (the queue's safety net), one connection."""
    now = now or timezone.now()
    abandon_stale(now=now)
    due = list(
        EmailDelivery.objects.filter(status=EmailStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    outcomes: dict[str, int] = {}
    for delivery_id in due:
        outcome = deliver(delivery_id, now=now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def abandon_stale(*, now: datetime) -> int:
    """A claim older than STALE_AFTER died mid-send: it may have been sent, so never resend."""
    return EmailDelivery.objects.filter(
        status=EmailStatus.SENDING, claimed_at__lt=now - STALE_AFTER
    ).update(status=EmailStatus.FAILED, last_error="interrompu : issue inconnue, pas de renvoi")


# --- Daily digests ----------------------------------------------------------------------------


def queue_digests(*, now: datetime | None = None) -> int:
    """One digest per user and day, from CELLULE_DIGEST_HOUR (local time), of unread digest-mode
    notifications not yet in a digest. Returns the number of digests queued now."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < digest_hour():
        return 0
    day = local.date().isoformat()
    waiting = Notification.objects.filter(
        delivery=Delivery.DIGEST,
        digest__isnull=True,
        read_at__isnull=True,
        created_at__lte=now,
        recipient__is_active=True,
    )
    queued = 0
    for row in waiting.values("recipient_id").annotate(count=Count("pk")).order_by():
        if _queue_digest(row["recipient_id"], day, now, waiting):
            queued += 1
    return queued


def _queue_digest(user_id, day: str, now: datetime, waiting) -> bool:
    """Queues the user's digest of the day; ``send_due_emails`` sends it right after."""
    try:
        with transaction.atomic():
            ids = list(waiting.filter(recipient_id=user_id).values_list("pk", flat=True))
            if not ids or EmailDelivery.objects.filter(key=f"digest:{user_id}:{day}").exists():
                return False  # today's digest is gone already: these wait for tomorrow's
            delivery = EmailDelivery.objects.create(
                key=f"digest:{user_id}:{day}",
                kind=EmailKind.DIGEST,
                recipient_id=user_id,
                next_attempt_at=now,
                count=len(ids),
            )
            Notification.objects.filter(pk__in=ids).update(digest=delivery)
    except IntegrityError:  # a parallel run queued it first
        return False
    return True
