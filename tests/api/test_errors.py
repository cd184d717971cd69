"""One JSON error shape, in French, whatever fails; the schema documents every answer."""

import pytest
from django.db import connections
from django.urls import reverse

from cellule.api import errors
from cellule.api.main import api
from cellule.journal.recording import journal_db
from cellule.reports.models import Signalement
from tests.api.conftest import ApiClient, token_for
from tests.journal.helpers import TABLE


@pytest.fixture
def journal_down(db):
    with connections[journal_db()].cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO journal_auditevent_away")
    yield
    with connections[journal_db()].cursor() as cursor:
        cursor.execute(f"ALTER TABLE journal_auditevent_away RENAME TO {TABLE}")


def test_when_the_journal_cannot_be_written_nothing_is_read(world, request):
    client = ApiClient(token_for(world.actors["coordinator"]))
    request.getfixturevalue("journal_down")
    response = client.get(f"/api/v1/signalements/{world.signalement.pk}")
    assert response.status_code == 503
    assert response.json()["code"] == "journal_unavailable"
    assert "Lefèvre" not in response.content.decode()
    assert response["Retry-After"] == "60"


def test_when_the_journal_cannot_be_written_nothing_is_filed(world, request):
    from tests.api.test_signalements import body

    client = ApiClient(token_for(world.actors["reporter"]))
    request.getfixturevalue("journal_down")
    before = Signalement.objects.count()
    assert client.post("/api/v1/signalements", body()).status_code == 503
    assert Signalement.objects.count() == before


def test_an_unexpected_error_is_a_json_500_without_details(world, monkeypatch):
    client = ApiClient(token_for(world.actors["coordinator"]))

    def broken(*args, **kwargs):
        raise RuntimeError("secret interne")

    monkeypatch.setattr("cellule.api.signalements.full", broken)
    response = client.get(f"/api/v1/signalements/{world.signalement.pk}")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "secret interne" not in response.content.decode()


def test_unknown_validation_types_still_get_a_french_message():
    assert errors._french({"type": "quelque_chose_de_neuf"}) == "Valeur non valable."
    assert errors._french({"type": "less_than_equal", "ctx": {"le": 100}}) == (
        "La valeur doit être au plus 100."
    )


def test_the_openapi_schema_is_public_and_documents_every_answer(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
    }
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert operation["security"] == [{"BearerToken": []}], (method, path)
            assert {"401", "403", "404", "422", "429", "503"} <= set(operation["responses"])
            assert operation["summary"][0].isupper(), (method, path)


def test_the_documentation_is_a_page_for_logged_in_users(client, client_for, coordinator):
    url = reverse("api:openapi-view")
    assert client.get(url).url.startswith(reverse("accounts:login"))
    response = client_for(coordinator).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page  # local files, not a CDN
    assert "cdn" not in page.lower()


def test_every_operation_is_behind_the_token(db):
    """No operation of the API was declared without the Bearer authentication."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    unprotected = [
        (method, path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if not operation.get("security")
    ]
    assert unprotected == []
