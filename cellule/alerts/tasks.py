"""Background tasks (django-tasks, database backend; run by ``manage.py db_worker``)."""

from django_tasks import task

from cellule.alerts import emails


@task()
def send_email(delivery_id: str) -> str:
    """Sends one queued e-mail, at most once (see cellule/alerts/emails.py); retries reschedule
    this task with ``run_after``."""
    return emails.deliver(delivery_id)
