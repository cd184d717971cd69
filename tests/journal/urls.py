"""The project's URLs plus views that journal, to test failing closed (@pytest.mark.urls)."""

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from cellule import journal
from cellule.accounts.enums import OrganisationKind
from cellule.accounts.models import Organisation
from config.urls import urlpatterns as project_urlpatterns


@login_not_required
def read(request):
    journal.record(actor=None, action=journal.Action.RECORD_VIEWED, request=request)
    return HttpResponse("DONNÉE-SECRÈTE")


@login_not_required
@csrf_exempt
def write(request):
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name="Créée par la vue de test", kind=OrganisationKind.OTHER
        )
        journal.record(
            actor=None, action=journal.Action.RECORD_CREATED, target=organisation, request=request
        )
    return HttpResponse("ok")


@login_not_required
def unavailable(request):
    raise journal.JournalUnavailable("test")


@login_not_required
def other_error(request):
    return 1 / 0


urlpatterns = [
    path("journal-test/read/", read),
    path("journal-test/write/", write),
    path("journal-test/unavailable/", unavailable),
    path("journal-test/other-error/", other_error),
    *project_urlpatterns,
]
