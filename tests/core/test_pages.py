"""Pages every user meets: the dashboard per role, legal pages, errors, health."""

from unittest import mock

import pytest
from django.db import DatabaseError, connections
from django.urls import reverse

from tests.conftest import text

pytestmark = pytest.mark.django_db

# Strings that django-dsfr or Django show when a page falls back to English.
ENGLISH = [
    "Skip links",
    "Main menu",
    "Sitemap",
    "Legal notice",
    "Personal data",
    "Close",
    "Untitled page",
    "Accessibility:",
]


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("president", "Chartes en attente de signature"),
        ("coordinator", "Signalements à qualifier"),
        ("member", "Prochaine séance"),
        ("state_delegate", "Prochaine séance"),
        ("reporter", "Signaler une situation"),
        ("guest", "Vous êtes invité à une séance"),
        ("admin", "Administration technique"),
        ("dpo", "Protection des données"),
    ],
)
def test_dashboard_speaks_to_each_role_in_french(world, client_for, actor, expected):
    response = client_for(world.actors[actor]).get(reverse("core:home"))
    page = text(response)
    assert expected in page
    for english in ENGLISH:
        assert english not in page, english


def test_dashboard_tells_the_coordinator_who_has_not_signed(
    client_for, coordinator, unsigned_member
):
    page = text(client_for(coordinator).get(reverse("core:home")))
    assert unsigned_member.get_full_name() in page
    assert "pas encore signé" in page


def test_dpo_sees_the_cells_of_their_controller_only(client_for, dpo, cell, other_cell):
    page = text(client_for(dpo).get(reverse("core:home")))
    assert cell.name in page
    assert other_cell.name not in page


@pytest.mark.parametrize("name", ["core:accessibility", "core:legal_notice", "core:personal_data"])
def test_legal_pages_are_public_french_and_linked_from_the_footer(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    login = text(client.get(reverse("accounts:login")))
    assert f'href="{reverse(name)}"' in login
    for english in ENGLISH:
        assert english not in text(response)


def test_unknown_page_is_a_french_dsfr_404(client_for, member):
    response = client_for(member).get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in text(response)
    assert "fr-header" in text(response)


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_both_databases(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "databases": {"default": True, "journal": True}}


def test_readyz_fails_when_a_database_refuses_writes(client):
    journal = connections["journal"]
    with mock.patch.object(journal, "cursor", side_effect=DatabaseError("disque plein")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "databases": {"default": True, "journal": False},
    }


def test_security_headers_are_set(client):
    response = client.get(reverse("accounts:login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
