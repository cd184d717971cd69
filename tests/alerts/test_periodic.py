"""manage.py run_periodic: safe to run every few minutes, twice in a row, in parallel."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cellule.alerts import periodic
from cellule.alerts.emails import send_due_emails
from cellule.alerts.enums import EmailStatus
from cellule.alerts.models import EmailDelivery, KnownDevice, Notification
from cellule.alerts.services import notify
from cellule.journal import Action, record
from cellule.journal.models import AuditEvent

pytestmark = pytest.mark.django_db


def run_periodic() -> str:
    out = StringIO()
    call_command("run_periodic", stdout=out)
    return out.getvalue()


def test_run_periodic_raises_the_journal_alert_once(settings, coordinator, dpo, cell, mailoutbox):
    import uuid

    settings.CELLULE_UNUSUAL_READS_PER_HOUR = 2
    for _ in range(3):
        record(
            actor=coordinator,
            action=Action.RECORD_VIEWED,
            target_type="people.person",
            target_id=str(uuid.uuid4()),
            cell=cell.pk,
        )
    first = run_periodic()
    second = run_periodic()
    assert "Alertes du journal : 1" in first and "courriels envoyés : 1" in first
    assert "Alertes du journal : 0" in second and "courriels envoyés : 0" in second
    assert AuditEvent.objects.filter(action=Action.UNUSUAL_READING).count() == 1
    assert Notification.objects.get().recipient == dpo
    assert [email.to for email in mailoutbox] == [[dpo.email]]


def test_reminders_registered_by_later_apps_run_and_stay_idempotent(
    monkeypatch, coordinator, cell, mailoutbox
):
    """The shape a later issue follows: a key naming the due date makes a rerun harmless."""

    def remind_qualification_overdue(*, now):
        return len(
            notify(
                kind="qualification_overdue",
                recipients=[coordinator],
                cell=cell,
                target=("reports.signalement", "4a3f0c8e-0000-4000-8000-000000000001"),
                key=f"4a3f0c8e:{now.date()}",
            )
        )

    monkeypatch.setattr(periodic, "REMINDERS", [])
    periodic.register_reminder(remind_qualification_overdue)
    periodic.register_reminder(remind_qualification_overdue)
    assert "rappels : 1" in run_periodic()
    assert "rappels : 0" in run_periodic()
    assert Notification.objects.filter(kind="qualification_overdue").count() == 1


def test_old_records_are_purged_but_a_digest_keeps_its_notifications_out_of_the_next(
    coordinator, member, settings
):
    settings.CELLULE_DIGEST_HOUR = 0
    notify(kind="password_changed", recipients=[coordinator], target=coordinator, key="old")
    notify(kind="seance_minutes_available", recipients=[member], key="digested")
    now = timezone.now()
    assert periodic.run(now=now)["digests"] == 1
    Notification.objects.filter(recipient=coordinator).update(created_at=now - timedelta(days=181))
    EmailDelivery.objects.update(created_at=now - timedelta(days=40))
    KnownDevice.objects.create(user=member, fingerprint="x", last_seen=now - timedelta(days=200))

    report = periodic.run(now=now + timedelta(days=1))
    assert report["purged"]["notifications"] >= 1
    assert not Notification.objects.filter(recipient=coordinator).exists()
    assert not KnownDevice.objects.exists()
    # The member's digest stays while its (unread) notification does: no second digest of it.
    assert EmailDelivery.objects.filter(recipient=member, status=EmailStatus.SENT).count() == 1
    assert report["digests"] == 0


def test_due_emails_survive_a_lost_task(coordinator, mailoutbox):
    """The task queue may lose a job (crash between commit and enqueue): run_periodic sends it."""
    notify(kind="feedback_overdue", recipients=[coordinator], key="f")
    assert mailoutbox == []
    assert send_due_emails() == {"sent": 1}
    assert len(mailoutbox) == 1
