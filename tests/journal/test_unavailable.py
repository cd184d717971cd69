"""Fail closed: when the journal cannot be written, nothing is shown and nothing is changed."""

import pytest
from django.db import connections

from cellule import journal
from cellule.accounts.models import Organisation
from cellule.journal.models import AuditEvent
from cellule.journal.recording import journal_db
from tests.journal.helpers import TABLE

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.urls("tests.journal.urls"),
]


@pytest.fixture
def journal_down(db):
    """The journal table is gone: every write to it fails (the test's rollback restores it)."""
    with connections[journal_db()].cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO journal_auditevent_away")
    yield
    with connections[journal_db()].cursor() as cursor:
        cursor.execute(f"ALTER TABLE journal_auditevent_away RENAME TO {TABLE}")


@pytest.fixture
def with_middleware(settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "cellule.journal.middleware.JournalUnavailableMiddleware",
    ]


def test_record_raises_journal_unavailable_when_the_database_fails(journal_down):
    with pytest.raises(journal.JournalUnavailable):
        journal.record(actor=None, action="login_failed")


def test_a_read_shows_nothing_when_the_journal_is_down(client, with_middleware, journal_down):
    response = client.get("/journal-test/read/")
    assert response.status_code == 503
    assert "DONNÉE-SECRÈTE" not in response.content.decode()
    assert "Service momentanément indisponible" in response.content.decode()
    assert response["Retry-After"] == "60"


def test_a_write_changes_nothing_when_the_journal_is_down(client, with_middleware, journal_down):
    before = Organisation.objects.count()
    response = client.post("/journal-test/write/")
    assert response.status_code == 503
    assert Organisation.objects.count() == before


def test_the_same_views_work_when_the_journal_is_up(client, with_middleware):
    assert client.get("/journal-test/read/").content.decode() == "DONNÉE-SECRÈTE"
    assert client.post("/journal-test/write/").status_code == 200
    assert Organisation.objects.filter(name="Créée par la vue de test").exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "record_viewed",
        "record_created",
    ]


def test_the_page_extends_the_site_layout(client, with_middleware):
    response = client.get("/journal-test/unavailable/")
    assert response.status_code == 503
    content = response.content.decode()
    assert "Erreur 503" in content
    assert 'class="fr-btn"' in content


def test_a_plain_page_is_served_when_the_layout_cannot_render(client, with_middleware, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("base.html cassé")

    monkeypatch.setattr("cellule.journal.middleware.render_to_string", broken)
    response = client.get("/journal-test/unavailable/")
    assert response.status_code == 503
    assert "Service momentanément indisponible" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_other_exceptions_are_left_alone(client, with_middleware):
    client.raise_request_exception = True
    with pytest.raises(ZeroDivisionError):
        client.get("/journal-test/other-error/")
