"""notify(): once per trigger, to the recipients given (and nobody else), as each one prefers."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from cellule.alerts.emails import queue_digests, send_due_emails
from cellule.alerts.enums import Delivery, EmailKind, EmailStatus
from cellule.alerts.models import EmailDelivery, Notification
from cellule.alerts.services import mark_all_read, notify, set_preferences
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def test_a_trigger_firing_twice_makes_one_notification_and_one_email(coordinator, mailoutbox):
    first = notify(kind="transmission_received", recipients=[coordinator], key="t1")
    again = notify(kind="transmission_received", recipients=[coordinator], key="t1")
    assert len(first) == 1 and again == []
    send_due_emails()
    send_due_emails()
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


def test_the_same_key_for_another_kind_or_recipient_is_another_notification(coordinator, president):
    notify(kind="transmission_received", recipients=[coordinator, president], key="t1")
    notify(kind="feedback_received", recipients=[coordinator], key="t1")
    assert Notification.objects.filter(recipient=coordinator).count() == 2
    assert Notification.objects.filter(recipient=president).count() == 1


def test_notifying_many_costs_what_notifying_one_does(
    coordinator, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Those already notified, the preferences, the notifications and their e-mails: one query
    each, whatever the number of recipients (the tasks are queued once the transaction commits,
    one per e-mail)."""
    many = [coordinator, *UserFactory.create_batch(6)]
    notify(kind="transmission_received", recipients=many[:2], key="t1")  # two already notified
    notify_queries = 6
    with (
        django_capture_on_commit_callbacks() as queued,
        django_assert_num_queries(notify_queries),
    ):
        created = notify(kind="transmission_received", recipients=many, key="t1")
    assert sorted(n.recipient_id for n in created) == sorted(u.pk for u in many[2:])
    assert len(queued) == 5
    assert EmailDelivery.objects.filter(notification__in=created).count() == 5
    with django_assert_num_queries(notify_queries):
        notify(kind="transmission_received", recipients=many[:1], key="t2")


def test_a_recipient_notified_in_parallel_is_skipped_and_the_others_notified(
    coordinator, president, monkeypatch
):
    """The same trigger in a parallel request, between the check and the insert: the unique
    key refuses the row, the others are created one by one."""
    notify(kind="transmission_received", recipients=[coordinator], key="t1")
    existing = Notification.objects.filter
    monkeypatch.setattr(
        Notification.objects,
        "filter",
        lambda **kw: existing(**kw).none() if "recipient_id__in" in kw else existing(**kw),
        raising=False,
    )
    created = notify(kind="transmission_received", recipients=[coordinator, president], key="t1")
    assert [n.recipient_id for n in created] == [president.pk]
    assert Notification.objects.filter(recipient=coordinator).count() == 1
    assert EmailDelivery.objects.filter(notification__in=created).count() == 1


def test_only_the_recipients_given_are_notified_and_never_an_inactive_account(
    cell, coordinator, president, member, reporter, dpo
):
    gone = UserFactory(is_active=False)
    notify(kind="signalement_to_qualify", recipients=[coordinator, gone], cell=cell, key="s1")
    assert list(Notification.objects.values_list("recipient", flat=True)) == [coordinator.pk]
    for other in (president, member, reporter, dpo, gone):
        assert not Notification.objects.visible_to(other).exists()


def test_each_user_sees_their_own_notifications_only(coordinator, member, admin_user, dpo):
    notify(kind="password_changed", recipients=[coordinator], target=coordinator, key="p")
    notify(kind="password_changed", recipients=[member], target=member, key="p")
    assert [n.recipient for n in Notification.objects.visible_to(coordinator)] == [coordinator]
    assert not Notification.objects.visible_to(admin_user).exists()
    assert not Notification.objects.visible_to(dpo).exists()


def test_preferences_choose_immediate_digest_or_app_only(coordinator, mailoutbox):
    set_preferences(
        by=coordinator,
        choices={
            "transmission_received": Delivery.APP_ONLY,
            "feedback_received": Delivery.DIGEST,
        },
    )
    notify(kind="transmission_received", recipients=[coordinator], key="a")
    notify(kind="feedback_received", recipients=[coordinator], key="b")
    notify(kind="feedback_overdue", recipients=[coordinator], key="c")  # default: immediate
    deliveries = dict(Notification.objects.values_list("kind", "delivery"))
    assert deliveries == {
        "transmission_received": Delivery.APP_ONLY,
        "feedback_received": Delivery.DIGEST,
        "feedback_overdue": Delivery.IMMEDIATE,
    }
    send_due_emails()
    assert len(mailoutbox) == 1  # the immediate one; the digest waits for the morning


def test_security_kinds_ignore_a_preference_to_turn_them_off(coordinator, mailoutbox):
    set_preferences(by=coordinator, choices={"password_changed": Delivery.APP_ONLY})
    assert not coordinator.notification_preferences.exists()
    notify(kind="password_changed", recipients=[coordinator], target=coordinator, key="p")
    send_due_emails()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Cellule : sécurité de votre compte"


@time_machine.travel(datetime(2026, 5, 4, 6, 30, tzinfo=PARIS), tick=False)
def test_digest_groups_a_days_notifications_into_one_email_per_user(
    coordinator, president, mailoutbox
):
    for user in (coordinator, president):
        set_preferences(by=user, choices={"feedback_received": Delivery.DIGEST})
    for index in range(3):
        notify(kind="feedback_received", recipients=[coordinator], key=f"f{index}")
    notify(kind="feedback_received", recipients=[president], key="f0")
    morning = datetime(2026, 5, 4, 6, 59, tzinfo=PARIS)
    assert queue_digests(now=morning) == 0  # not before CELLULE_DIGEST_HOUR (7 h)

    later = morning + timedelta(minutes=10)
    assert queue_digests(now=later) == 2
    assert queue_digests(now=later + timedelta(hours=3)) == 0
    send_due_emails(now=later)
    by_recipient = {email.to[0]: email for email in mailoutbox}
    assert by_recipient[coordinator.email].subject == "3 nouvelles alertes dans Cellule"
    assert by_recipient[president.email].subject == "1 nouvelle alerte dans Cellule"
    assert len(mailoutbox) == 2

    # Later the same day: it waits for tomorrow's digest; read ones are not e-mailed at all.
    notify(kind="feedback_received", recipients=[coordinator], key="f9")
    notify(kind="feedback_received", recipients=[president], key="f9")
    mark_all_read(by=president)
    assert queue_digests(now=later + timedelta(hours=5)) == 0
    tomorrow = later + timedelta(days=1)
    assert queue_digests(now=tomorrow) == 1
    send_due_emails(now=tomorrow)
    assert mailoutbox[-1].subject == "1 nouvelle alerte dans Cellule"
    assert len(mailoutbox) == 3
    digests = EmailDelivery.objects.filter(kind=EmailKind.DIGEST)
    assert set(digests.values_list("status", flat=True)) == {EmailStatus.SENT}


def test_run_periodic_twice_sends_nothing_twice(coordinator, member, mailoutbox, settings):
    settings.CELLULE_DIGEST_HOUR = 0
    set_preferences(by=member, choices={"seance_convened": Delivery.DIGEST})
    notify(kind="seance_convened", recipients=[coordinator, member], key="s1")
    call_command("run_periodic", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("run_periodic", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sorted(email.to[0] for email in mailoutbox) == sorted([coordinator.email, member.email])
    assert EmailDelivery.objects.filter(status=EmailStatus.SENT).count() == 2
