"""Information générale sur la menace: requested by the commune, recorded as held by the
préfecture, with no nominative content."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cellule.alerts.models import Notification
from cellule.exchanges import services
from cellule.exchanges.models import Transmission
from cellule.stats.models import Fact
from tests.conftest import text

pytestmark = pytest.mark.django_db


def test_the_mayor_asks_and_the_prefecture_records_the_meeting(
    cell, president, prefecture, referent, client_for
):
    response = client_for(president).post(reverse("exchanges:briefing_request"))
    request = Transmission.objects.get(kind="general_briefing")
    assert response.url == reverse("exchanges:detail", args=[request.pk])
    assert (request.from_cell, request.to_cell) == (cell, prefecture)
    assert Notification.objects.filter(kind="transmission_received", recipient=referent).exists()
    assert Fact.objects.filter(kind="transmission_sent", category="general_briefing").exists()
    inbox = text(client_for(referent).get(reverse("exchanges:list")))
    assert cell.name in inbox and "Demandée" in inbox
    home = text(client_for(referent).get(reverse("core:home")))
    assert "1 demande d'information générale sur la menace à tenir" in home
    response = client_for(referent).post(
        reverse("exchanges:briefing_held", args=[request.pk]),
        {"held_on": timezone.localdate().isoformat(), "channel": "restricted_clspd"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.briefing_held_on == timezone.localdate()
    assert request.snapshot == {}  # nothing said is recorded
    page = text(client_for(president).get(reverse("exchanges:detail", args=[request.pk])))
    assert "Réunion restreinte du CLSPD" in page


def test_one_pending_request_at_a_time(cell, coordinator, prefecture):
    services.request_briefing(cell=cell, by=coordinator)
    with pytest.raises(ValidationError, match="déjà en attente"):
        services.request_briefing(cell=cell, by=coordinator)


def test_a_member_cannot_ask(cell, member, prefecture):
    with pytest.raises(PermissionDenied):
        services.request_briefing(cell=cell, by=member)


def test_the_meeting_date_is_checked(cell, coordinator, prefecture, referent, client_for):
    request = services.request_briefing(cell=cell, by=coordinator)
    response = client_for(referent).post(
        reverse("exchanges:briefing_held", args=[request.pk]),
        {"held_on": "2999-01-01", "channel": "bilateral"},
    )
    assert response.status_code == 200
    assert "passée ou du jour" in text(response)
    request.refresh_from_db()
    assert request.briefing_held_on is None
