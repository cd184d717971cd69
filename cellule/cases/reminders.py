"""Scheduled work of the cases app, run by ``manage.py run_periodic``: reviews falling due or
overdue are notified to the référent and the coordinators; closed situations move to the archive."""

from datetime import timedelta

from django.urls import reverse

from cellule.reports.reminders import coordinators_of

REVIEW_NOTICE_DAYS = 7


def _recipients(situation):
    people = coordinators_of(situation.cell_id)
    if situation.referent is not None:
        people.append(situation.referent)
    return people


def remind_reviews(*, now) -> int:
    """Once per situation and review date: due within a week, then overdue."""
    from cellule.alerts.services import notify
    from cellule.cases.models import Situation

    today = now.date()
    sent = 0
    due = Situation.objects.open().filter(
        next_review_on__lte=today + timedelta(days=REVIEW_NOTICE_DAYS)
    )
    for situation in due.select_related("referent"):
        kind = (
            "situation_review_overdue"
            if situation.next_review_on < today
            else "situation_review_due"
        )
        sent += len(
            notify(
                kind=kind,
                recipients=_recipients(situation),
                key=f"{situation.pk}:{situation.next_review_on.isoformat()}",
                cell=situation.cell_id,
                target=situation,
            )
        )
    return sent


def archive(*, now) -> int:
    from cellule.cases.services import archive_due_situations

    return archive_due_situations(now=now)


def situation_url(pk: str) -> str:
    return reverse("cases:detail", kwargs={"pk": pk})


def measure_url(pk: str) -> str:
    """A measure opens on its provider's restricted view of the situation."""
    from cellule.cases.models import Measure

    situation_id = Measure.objects.filter(pk=pk).values_list("situation_id", flat=True).first()
    return (
        reverse("cases:provider", kwargs={"pk": situation_id})
        if situation_id
        else reverse("alerts:list")
    )


def notify_situation_opened(situation) -> None:
    """The mayor (president) is told that one more situation is followed: a count, no name."""
    from cellule.accounts.enums import Role
    from cellule.accounts.models import Membership
    from cellule.alerts.services import notify

    presidents = [
        m.user
        for m in Membership.objects.filter(cell_id=situation.cell_id, role=Role.PRESIDENT)
        .granting()
        .select_related("user")
    ]
    notify(
        kind="situation_opened",
        recipients=presidents,
        key=str(situation.pk),
        cell=situation.cell_id,
    )


def notify_measure_proposed(measure) -> None:
    """The provider organisation's members sitting in the cell hear that a measure is proposed."""
    from cellule.accounts.models import Membership
    from cellule.alerts.services import notify

    cell_id = measure.situation.cell_id
    providers = [
        m.user
        for m in Membership.objects.filter(
            cell_id=cell_id, user__organisation_id=measure.provider_id
        )
        .granting()
        .select_related("user")
    ]
    notify(
        kind="measure_proposed",
        recipients=providers,
        key=str(measure.pk),
        cell=cell_id,
        target=measure,
    )
