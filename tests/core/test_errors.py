"""A database that does not answer gets a French 503 (not a 500), from a view or a middleware."""

import pytest
from django.db import OperationalError, ProgrammingError
from django.test import Client
from django.urls import reverse

from tests.conftest import text


@pytest.fixture
def failing(monkeypatch):
    def fail_with(exception):
        def broken(*args, **kwargs):
            raise exception

        # The session store is read by a middleware, before any view.
        monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", broken)

    return fail_with


def test_a_database_down_in_a_middleware_is_a_french_503(client_for, coordinator, failing):
    client = client_for(coordinator)
    client.raise_request_exception = False
    failing(OperationalError("connection refused"))
    response = client.get(reverse("core:home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = text(response)
    assert "Service momentanément indisponible" in page
    assert "La base de données ne répond pas" in page
    assert coordinator.last_name not in page


def test_a_bug_in_a_query_stays_a_500(client_for, coordinator, failing):
    client = client_for(coordinator)
    client.raise_request_exception = False
    failing(ProgrammingError("column does not exist"))
    response = client.get(reverse("core:home"))
    assert response.status_code == 500
    assert "Le service rencontre une erreur" in text(response)


def test_an_anonymous_visitor_gets_the_same_page(monkeypatch, db):
    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("cellule.core.views.readiness", broken)
    client = Client(raise_request_exception=False)
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert "Service momentanément indisponible" in text(response)
