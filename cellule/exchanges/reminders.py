"""Notifications of the exchanges app, and its scheduled work (``manage.py run_periodic``):
feedback falling due and overdue, general briefings owed for six months, expired
state_information erased. Keys name the due date: running twice notifies nobody twice."""

from datetime import timedelta

from django.db.models import Max, Min
from django.urls import reverse
from django.utils import timezone

from cellule.accounts.enums import Role
from cellule.accounts.models import Membership
from cellule.reports.reminders import coordinators_of


def _members(cell_id, roles) -> list:
    return [
        m.user
        for m in Membership.objects.filter(cell_id=cell_id, role__in=roles)
        .granting()
        .select_related("user")
    ]


def notify_transmission_received(transmission) -> None:
    """The receiving cell's president, coordinator and state delegate: a count, no content."""
    from cellule.alerts.services import notify

    notify(
        kind="transmission_received",
        recipients=_members(
            transmission.to_cell_id, [Role.PRESIDENT, Role.COORDINATOR, Role.STATE_DELEGATE]
        ),
        key=str(transmission.pk),
        cell=transmission.to_cell_id,
        target=transmission,
    )


def notify_feedback_received(original, feedback) -> None:
    from cellule.alerts.services import notify

    notify(
        kind="feedback_received",
        recipients=_members(original.from_cell_id, [Role.PRESIDENT, Role.COORDINATOR]),
        key=str(feedback.pk),
        cell=original.from_cell_id,
        target=original,
    )


def notify_state_information(transmission) -> None:
    """Its named recipients only: nobody else in the commune hears of it."""
    from cellule.alerts.services import notify

    recipients = [r.user for r in transmission.recipients.select_related("user")]
    notify(
        kind="state_information_received",
        recipients=recipients,
        key=str(transmission.pk),
        cell=transmission.to_cell_id,
        target=transmission,
    )


def remind_feedback(*, now) -> int:
    """The préfecture's coordinators hear of a feedback due within a week; once overdue, the
    coordinators of both cells hear of it. Once per transmission and due date."""
    from cellule.alerts.services import notify
    from cellule.exchanges.models import FEEDBACK_NOTICE_DAYS, Transmission

    today = timezone.localdate(now)
    sent = 0
    waiting = Transmission.objects.awaiting_feedback().filter(
        feedback_due_on__lte=today + timedelta(days=FEEDBACK_NOTICE_DAYS)
    )
    for t in waiting.only("pk", "from_cell_id", "to_cell_id", "feedback_due_on"):
        key = f"{t.pk}:{t.feedback_due_on.isoformat()}"
        if t.feedback_due_on < today:
            for cell_id in (t.to_cell_id, t.from_cell_id):
                sent += len(
                    notify(
                        kind="feedback_overdue",
                        recipients=coordinators_of(cell_id),
                        key=key,
                        cell=cell_id,
                        target=("exchanges.transmission", t.pk),
                    )
                )
        else:
            sent += len(
                notify(
                    kind="feedback_due",
                    recipients=coordinators_of(t.to_cell_id),
                    key=key,
                    cell=t.to_cell_id,
                    target=("exchanges.transmission", t.pk),
                )
            )
    return sent


def briefings_owed(*, today):
    """(commune cell id, préfecture cell id, latest request, date owed since) for each commune that
    asked for the general briefing and has had none for six months."""
    from cellule.exchanges.enums import TransmissionKind
    from cellule.exchanges.models import BRIEFING_INTERVAL_DAYS, Transmission

    rows = (
        Transmission.objects.filter(kind=TransmissionKind.GENERAL_BRIEFING)
        .values("from_cell_id", "to_cell_id")
        .annotate(
            last_held=Max("briefing_held_on"),
            first_asked=Min("created_at"),
            last_asked=Max("created_at"),
        )
        .order_by()
    )
    owed = []
    for row in rows:
        since = row["last_held"] or timezone.localdate(row["first_asked"])
        due = since + timedelta(days=BRIEFING_INTERVAL_DAYS)
        if due <= today:
            owed.append((row["from_cell_id"], row["to_cell_id"], row["last_asked"], due))
    return owed


def remind_briefings(*, now) -> int:
    """The préfecture's coordinators hear that a commune which asked for the general briefing on
    the threat has had none for six months (at least twice a year)."""
    from cellule.alerts.services import notify
    from cellule.exchanges.enums import TransmissionKind
    from cellule.exchanges.models import Transmission

    sent = 0
    for commune_cell, prefecture_cell, last_asked, due in briefings_owed(
        today=timezone.localdate(now)
    ):
        request = (
            Transmission.objects.filter(
                kind=TransmissionKind.GENERAL_BRIEFING,
                from_cell_id=commune_cell,
                created_at=last_asked,
            )
            .values_list("pk", flat=True)
            .first()
        )
        sent += len(
            notify(
                # The request is a transmission waiting for the State's answer: « feedback due ».
                kind="feedback_due",
                recipients=coordinators_of(prefecture_cell),
                key=f"briefing:{commune_cell}:{due.isoformat()}",
                cell=prefecture_cell,
                target=("exchanges.transmission", request),
            )
        )
    return sent


def erase_expired(*, now) -> int:
    from cellule.exchanges.services import erase_expired_state_information

    return erase_expired_state_information(now=now)


def transmission_url(pk: str) -> str:
    return reverse("exchanges:detail", kwargs={"pk": pk})
