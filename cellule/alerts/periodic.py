"""What ``manage.py run_periodic`` does, in order. Every step is idempotent: run it every few
minutes (cron, systemd timer, `make run` in development); running it twice sends nothing twice.

1. the journal's watch over unusual readings (hourly window; one alert per reader and hour);
2. reminders: each function of ``REMINDERS`` notifies what has fallen due;
3. the daily digests (once per user and day, from CELLULE_DIGEST_HOUR);
4. every e-mail that is due (new, or a retry whose time has come) — the safety net of the
   background worker, which sends immediate e-mails as soon as they are queued;
5. housekeeping: notifications, e-mail records and known devices past their retention.

Adding a reminder (later issues: qualification overdue, reviews due, feedback due…): write
``def remind_x(*, now) -> int`` that calls ``notify(...)`` with a key naming the due date, e.g.
``key=f"qualification_overdue:{signalement.pk}:{due_date}"`` (so that running it again notifies
nobody twice), and register it from the owning app's ``AppConfig.ready()``:

    from cellule.alerts.periodic import register_reminder
    register_reminder(remind_qualification_overdue)
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

from cellule.accounts import submissions
from cellule.alerts import emails
from cellule.alerts.enums import EmailStatus
from cellule.alerts.models import EmailDelivery, KnownDevice, Notification

REMINDERS: list[Callable[..., int]] = []

NOTIFICATION_RETENTION = timedelta(days=180)
EMAIL_RECORD_RETENTION = timedelta(days=30)
KNOWN_DEVICE_RETENTION = timedelta(days=180)


def register_reminder(function: Callable[..., int]) -> Callable[..., int]:
    if function not in REMINDERS:
        REMINDERS.append(function)
    return function


def purge(*, now: datetime) -> dict:
    """Notifications older than 180 days, e-mail records settled 30 days ago, devices unseen for
    180 days, the tokens of forms sent more than a day ago."""
    notifications, _ = Notification.objects.filter(
        created_at__lt=now - NOTIFICATION_RETENTION
    ).delete()
    settled = [EmailStatus.SENT, EmailStatus.FAILED, EmailStatus.CANCELLED]
    # A digest's record stays as long as its notifications: it is what keeps them out of the next.
    deliveries, _ = EmailDelivery.objects.filter(
        status__in=settled, created_at__lt=now - EMAIL_RECORD_RETENTION, digested__isnull=True
    ).delete()
    devices, _ = KnownDevice.objects.filter(last_seen__lt=now - KNOWN_DEVICE_RETENTION).delete()
    return {
        "notifications": notifications,
        "emails": deliveries,
        "devices": devices,
        "submissions": submissions.purge(now=now),
    }


def run(*, now: datetime | None = None) -> dict:
    from cellule.journal.watch import raise_alerts

    now = now or timezone.now()
    report = {"unusual_reading": len(raise_alerts(window_end=now))}
    report["reminders"] = sum(reminder(now=now) for reminder in REMINDERS)
    report["digests"] = emails.queue_digests(now=now)
    # E-mails queued by the steps above are due from the moment they were queued.
    report["emails"] = emails.send_due_emails(now=max(now, timezone.now()))
    report["purged"] = purge(now=now)
    return report
