"""The relevé de décisions: watermarked per reader and date, journaled at each download, only
for those it is meant for."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cellule.journal.models import AuditEvent
from cellule.meetings import services
from tests.cases.factories import open_situation
from tests.meetings.conftest import pdf_text
from tests.meetings.factories import attendee, hold, started

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(cell, coordinator, member, state_delegate):
    open_situation(cell, by=coordinator, last_name="Quesnel-Vidal", first_name="Maëlys")
    seance = started(cell, members=[coordinator, member, state_delegate])
    return hold(seance, by=coordinator)


def test_each_page_carries_the_readers_name_and_the_date(held, president, member, client_for):
    services.validate_minutes(seance=held, by=president)
    moment = timezone.localtime().replace(hour=15, minute=42)
    with time_machine.travel(moment, tick=False):
        response = client_for(member).get(reverse("meetings:minutes_pdf", kwargs={"pk": held.pk}))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    content = pdf_text(response.content)
    stamp = f"Exemplaire de {member.get_full_name()}, téléchargé le {moment:%d/%m/%Y à %H:%M}"
    assert content.count(stamp) >= 1
    assert member.get_full_name() in content.split("Relevé de décisions", 1)[1]
    assert "Quesnel-Vidal Maëlys" in content
    assert "Validé le" in content and "Projet" not in content


def test_each_download_is_journaled(held, president, coordinator, client_for):
    url = reverse("meetings:minutes_pdf", kwargs={"pk": held.pk})
    client = client_for(coordinator)
    for _ in range(2):
        assert client.get(url).status_code == 200
    exports = AuditEvent.objects.filter(
        actor_id=coordinator.pk, action="export", target_id=str(held.pk)
    )
    assert exports.count() == 2
    assert exports.first().reason == "relevé de décisions (PDF)"


def test_before_validation_only_the_president_and_coordinator_get_a_draft(
    held, president, member, client_for
):
    url = reverse("meetings:minutes_pdf", kwargs={"pk": held.pk})
    assert client_for(member).get(url).status_code == 403
    draft = pdf_text(client_for(president).get(url).content)
    assert "Projet — relevé non encore validé" in draft


def test_a_member_absent_from_the_seance_does_not_get_it(
    cell, coordinator, president, member, state_delegate, client_for
):
    open_situation(cell, by=coordinator)
    seance = started(cell, members=[coordinator, member, state_delegate])
    services.record_attendance(
        attendee=attendee(seance, state_delegate), attendance="absent", by=coordinator
    )
    from cellule.meetings.models import Attendee, Seance

    # hold() marks everyone present: the state delegate stays absent here.
    for a in Attendee.objects.filter(seance=seance).exclude(user=state_delegate):
        services.record_attendance(attendee=a, attendance="present", by=coordinator)
    for item in seance.items.all():
        services.record_decision(
            item=item,
            kind="adjourn",
            text="Reporté.",
            taken_by=[member],
            details=services.DecisionDetails(),
            by=coordinator,
        )
    seance = services.close_seance(seance=Seance.objects.get(pk=seance.pk), by=coordinator)
    services.validate_minutes(seance=seance, by=president)
    url = reverse("meetings:minutes_pdf", kwargs={"pk": seance.pk})
    assert client_for(member).get(url).status_code == 200
    assert client_for(state_delegate).get(url).status_code == 403


def test_css_strings_cannot_break_out(held):
    from cellule.meetings.minutes import css_string

    assert css_string('O"Brien </style>') == "O\\22 Brien \\3c /style\\3e "
