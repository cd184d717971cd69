"""Notifications of the reports app: a report to qualify, and a qualification overdue."""

from django.urls import reverse

from cellule.accounts.enums import Role
from cellule.accounts.models import Membership


def coordinators_of(cell_id):
    """Who qualifies a cell's reports: its coordinators, habilitated today."""
    return [
        m.user
        for m in Membership.objects.filter(cell_id=cell_id, role=Role.COORDINATOR)
        .granting()
        .select_related("user")
    ]


def notify_new_signalement(signalement) -> None:
    from cellule.alerts.services import notify

    notify(
        kind="signalement_to_qualify",
        recipients=coordinators_of(signalement.cell_id),
        key=str(signalement.pk),
        cell=signalement.cell_id,
        target=signalement,
    )


def remind_qualification_overdue(*, now) -> int:
    """Once per report and due date: the coordinators hear that a report waits past its delay."""
    from cellule.alerts.services import notify
    from cellule.reports.models import Signalement

    overdue = (
        Signalement.objects.to_qualify()
        .filter(due_on__lt=now.date())
        .only("pk", "cell_id", "due_on")
    )
    sent = 0
    for signalement in overdue:
        sent += len(
            notify(
                kind="qualification_overdue",
                recipients=coordinators_of(signalement.cell_id),
                key=f"{signalement.pk}:{signalement.due_on.isoformat()}",
                cell=signalement.cell_id,
                target=signalement,
            )
        )
    return sent


def signalement_url(pk: str) -> str:
    return reverse("reports:detail", kwargs={"pk": pk})
