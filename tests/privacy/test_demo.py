"""The demo shows a past purge, a legal hold, a request in progress and a record due soon;
seeding twice adds nothing."""

import pytest

from cellule.core.demo import seed_demo
from cellule.privacy.models import LegalHold, PurgeCertificate, RightsExport, RightsRequest
from cellule.privacy.purge import upcoming

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_purge_a_hold_and_a_request_and_is_idempotent():
    seed_demo()
    certificate = PurgeCertificate.objects.get()
    assert certificate.trigger == "scheduled"
    assert set(certificate.lines.values_list("rule", "deleted")) == {
        ("signalement_unfounded", 1),
        ("person", 1),
    }
    hold = LegalHold.objects.get()
    assert hold.is_active and hold.situation.status in ("closed", "archived")
    request = RightsRequest.objects.get()
    assert (request.kind, request.status) == ("access", "in_progress")
    export = RightsExport.objects.get()
    assert export.request == request and not export.is_reviewed
    due = upcoming(cell_id=request.cell_id)
    assert [row["rule"].code for row in due] == ["signalement_closed"]

    seed_demo()
    assert PurgeCertificate.objects.count() == 1
    assert LegalHold.objects.count() == 1
    assert RightsRequest.objects.count() == 1
    assert RightsExport.objects.count() == 1
    assert len(upcoming(cell_id=request.cell_id)) == 1
