import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cellule.alerts.emails import send_due_emails
from cellule.alerts.models import Notification
from cellule.journal import Action, record
from cellule.journal.models import AuditEvent
from cellule.journal.watch import raise_alerts

pytestmark = pytest.mark.django_db


def read_persons(user, cell, count, same=False):
    target = uuid.uuid4()
    for _ in range(count):
        record(
            actor=user,
            action=Action.RECORD_VIEWED,
            target_type="people.person",
            target_id=str(target if same else uuid.uuid4()),
            cell=cell.pk,
        )


def test_many_distinct_reads_in_an_hour_alert_the_dpo_once(
    settings, coordinator, dpo, cell, mailoutbox
):
    settings.CELLULE_UNUSUAL_READS_PER_HOUR = 20
    read_persons(coordinator, cell, 21)
    alerted = raise_alerts(window_end=timezone.now())
    assert [reader.actor_id for reader in alerted] == [coordinator.pk]
    alert = AuditEvent.objects.get(action=Action.UNUSUAL_READING)
    assert (alert.target_id, alert.cell_id) == (str(coordinator.pk), cell.pk)
    # The DPO is notified (cellule.alerts), and e-mailed at once with no personal data.
    notification = Notification.objects.get(kind="unusual_reading")
    assert (notification.recipient, notification.target_id) == (dpo, str(coordinator.pk))
    send_due_emails()
    assert mailoutbox[0].to == [dpo.email]
    assert (
        coordinator.last_name not in mailoutbox[0].body
        and coordinator.email not in mailoutbox[0].body
    )

    call_command("journal_watch", stdout=StringIO())
    send_due_emails()
    assert AuditEvent.objects.filter(action=Action.UNUSUAL_READING).count() == 1
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_the_same_record_read_many_times_or_few_records_raise_nothing(
    settings, coordinator, member, cell, mailoutbox
):
    settings.CELLULE_UNUSUAL_READS_PER_HOUR = 20
    read_persons(coordinator, cell, 50, same=True)
    read_persons(member, cell, 20)
    assert raise_alerts(window_end=timezone.now()) == []
    assert not Notification.objects.exists()
    assert mailoutbox == []
