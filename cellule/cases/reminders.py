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
