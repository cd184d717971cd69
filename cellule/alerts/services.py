"""Writes of the alerts app. ``notify`` is the one entry point every other app calls.

    from cellule.alerts.services import notify

    notify(
        kind="signalement_to_qualify",
        recipients=coordinators,          # users (inactive ones are skipped)
        cell=signalement.cell,
        target=signalement,               # a model instance, or ("reports.signalement", pk)
        key=f"signalement:{signalement.pk}",  # what fired it: the same event, the same key
    )

The notification's text comes from the kind (cellule/alerts/kinds.py), never from the target: no
name, birth date, address or content can reach a notification or an e-mail. Each recipient gets
the kind by e-mail at once, in the daily digest, or in Cellule only, as their preferences say
(account-security kinds and the DPO's alert are always e-mailed at once). Idempotent: the same
kind and key for the same recipient make one notification, however often the trigger fires.
Call it inside the business transaction: e-mails are queued when it commits.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from cellule.alerts.enums import Delivery, EmailKind
from cellule.alerts.kinds import KINDS, get_kind
from cellule.alerts.models import EmailDelivery, Notification, NotificationPreference

logger = logging.getLogger("cellule.alerts")


def _target_reference(target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, tuple):
        target_type, target_id = target
        return target_type, str(target_id)
    return target._meta.label_lower, str(target.pk)


def deliveries_for(users, kind) -> dict:
    """{user id: delivery} for one kind: each user's preference, else the kind's default."""
    if not kind.optional:
        return {user.pk: kind.default for user in users}
    chosen = dict(
        NotificationPreference.objects.filter(
            user__in=[user.pk for user in users], kind=kind.code
        ).values_list("user_id", "delivery")
    )
    return {user.pk: chosen.get(user.pk, kind.default) for user in users}


def notify(*, kind: str, recipients, key: str, cell=None, target=None) -> list[Notification]:
    """Notifies each recipient once per (kind, key); returns the notifications created now.
    A few queries whatever the number of recipients: those already notified, the new rows at
    once, their e-mails at once."""
    definition = get_kind(kind)
    if not key:
        raise ValueError("notify() demande une clé qui identifie l'événement (key=...).")
    target_type, target_id = _target_reference(target)
    key = f"{definition.code}:{key}"[:200]
    users = {user.pk: user for user in recipients if user is not None and user.is_active}
    notified = set(
        Notification.objects.filter(recipient_id__in=users, key=key).values_list(
            "recipient_id", flat=True
        )
    )
    users = {pk: user for pk, user in users.items() if pk not in notified}
    if not users:
        return []
    deliveries = deliveries_for(list(users.values()), definition)
    fresh = [
        Notification(
            recipient=user,
            kind=definition.code,
            cell_id=getattr(cell, "pk", cell),
            target_type=target_type,
            target_id=target_id,
            text=definition.text,
            delivery=deliveries[user.pk],
            key=key,
        )
        for user in users.values()
    ]
    created = _create_once(fresh)
    queue_emails([n for n in created if n.delivery == Delivery.IMMEDIATE])
    return created


def _create_once(notifications: list[Notification]) -> list[Notification]:
    """Inserts them together; one by one if the same trigger, in a parallel request, got there
    first for someone (that one is skipped)."""
    if not notifications:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(notifications)
    except IntegrityError:
        created = []
        for notification in notifications:
            try:
                with transaction.atomic():
                    notification.save(force_insert=True)
                created.append(notification)
            except IntegrityError:
                pass
        return created


def queue_emails(notifications: list[Notification]) -> list[EmailDelivery]:
    """The notifications' e-mails (new notifications: none is queued yet), sent by background
    tasks once the transaction commits."""
    deliveries = EmailDelivery.objects.bulk_create(
        EmailDelivery(
            key=f"notification:{notification.pk}",
            kind=EmailKind.NOTIFICATION,
            recipient_id=notification.recipient_id,
            notification=notification,
        )
        for notification in notifications
    )
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: enqueue_send(pk))
    return deliveries


def queue_email(notification: Notification) -> EmailDelivery:
    """The notification's e-mail, sent by a background task once the transaction commits."""
    delivery, _ = EmailDelivery.objects.get_or_create(
        key=f"notification:{notification.pk}",
        defaults={
            "kind": EmailKind.NOTIFICATION,
            "recipient_id": notification.recipient_id,
            "notification": notification,
        },
    )
    transaction.on_commit(lambda: enqueue_send(delivery.pk))
    return delivery


def enqueue_send(delivery_id, *, run_after=None) -> None:
    """Hands the e-mail to the task queue; ``run_periodic`` sends it anyway if this fails."""
    from cellule.alerts.tasks import send_email

    task = send_email
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # run_periodic picks the retry up when it is due
        task = task.using(run_after=run_after)
    try:
        task.enqueue(str(delivery_id))
    except Exception:
        logger.exception("Alertes : mise en file de l'envoi %s impossible.", delivery_id)


# --- Reading and preferences ---------------------------------------------------------------------


def mark_read(*, notification: Notification, by) -> Notification:
    if notification.recipient_id != by.pk:
        raise PermissionError("Seul le destinataire marque une notification comme lue.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def mark_all_read(*, by, kind: str | None = None) -> int:
    unread = Notification.objects.visible_to(by).unread()
    if kind:
        unread = unread.filter(kind=kind)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def set_preferences(*, by, choices: dict) -> None:
    """Saves {kind code: delivery} for the user; kinds that cannot be changed are ignored."""
    for code, delivery in choices.items():
        kind = KINDS.get(code)
        if kind is None or not kind.optional:
            continue
        Delivery(delivery)  # refuses an unknown value
        NotificationPreference.objects.update_or_create(
            user=by, kind=code, defaults={"delivery": delivery}
        )
