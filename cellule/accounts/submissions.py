"""A form sent twice is recorded once.

Every form a logged-in page posts carries a token (``_envoi``) drawn by the page's script and
kept in the browser's history entry (cellule/static/cellule/js/session.js): a double click, or the
same form sent again after the back button, carries the same token. The first request claims it;
when its view answers with a redirect (what the views do once their service succeeded), the token
keeps where it led. The same token again is not processed: the user is led where the first sending
led, and told so. A form shown again with its errors releases its token, so that the corrected form
can be sent. Tokens are forgotten after a day (``purge``).
"""

import time
import uuid
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render

from cellule.accounts.security import FormSubmission

FIELD = "_envoi"
RETENTION = timedelta(days=1)
# How long a second sending waits for the first one to finish before saying it is under way.
WAIT_SECONDS = 5
ALREADY_SENT = "Ce formulaire avait déjà été envoyé : il n'a pas été enregistré une seconde fois."


def _token(request) -> uuid.UUID | None:
    if request.method != "POST" or not request.user.is_authenticated:
        return None
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def _claim(request, token) -> bool:
    try:
        with transaction.atomic():
            FormSubmission.objects.create(user=request.user, token=token, path=request.path[:300])
    except IntegrityError:
        return False
    return True


class FormSubmissionMiddleware:
    """After the login, second factor and charter middlewares: only a user who may act claims."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _token(request)
        if token is None:
            return self.get_response(request)
        deadline = time.monotonic() + WAIT_SECONDS
        while not _claim(request, token):
            first = FormSubmission.objects.filter(user=request.user, token=token).first()
            if first is not None and first.location:
                messages.info(request, ALREADY_SENT)
                return redirect(first.location)
            if time.monotonic() > deadline:
                return render(request, "accounts/submission_pending.html", status=409)
            # The first sending is under way (or was just refused with errors: claim again).
            time.sleep(0.2)
        mine = FormSubmission.objects.filter(user=request.user, token=token)
        try:
            response = self.get_response(request)
        except BaseException:
            mine.delete()
            raise
        if 300 <= response.status_code < 400 and response.has_header("Location"):
            mine.update(location=response["Location"][:600])
        else:
            mine.delete()
        return response


def purge(*, now) -> int:
    deleted, _ = FormSubmission.objects.filter(created_at__lt=now - RETENTION).delete()
    return deleted
