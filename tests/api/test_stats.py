"""Statistics through the API: the dashboards' tables, small counts never given out."""

import json

import pytest

from cellule.accounts.enums import Role
from cellule.journal import Action
from cellule.journal.models import AuditEvent
from cellule.stats.enums import FactKind
from cellule.stats.services import record_fact
from tests.accounts.factories import CellFactory, MembershipFactory

URL = "/api/v1/statistiques"


def facts(cell, n, *, category="school"):
    for _ in range(n):
        record_fact(
            kind=FactKind.SIGNALEMENT_RECEIVED, cell=cell, category=category, age_band="13_17"
        )


def received(payload) -> dict:
    section = next(s for s in payload["sections"] if s["kind"] == "signalement_received")
    return {row["key"]: row for row in section["table"]["rows"]} | {
        "_total": section["table"]["total"]
    }


def test_small_counts_are_hidden_and_never_sent(api_for, coordinator, cell):
    facts(cell, 12, category="school")
    facts(cell, 9, category="youth_service")
    facts(cell, 2, category="ccas")
    response = api_for(coordinator).get(f"{URL}/cellule")
    assert response.status_code == 200
    payload = response.json()
    assert payload["threshold"] == 5 and payload["scope"] == cell.name
    rows = received(payload)
    assert rows["ccas"]["total"] == {"value": None, "display": "< 5"}
    assert rows["youth_service"]["total"] == {"value": None, "display": "< 5"}  # complementary
    assert rows["school"]["total"] == {"value": 12, "display": "12"}
    assert rows["_total"] == {"value": 23, "display": "23"}
    hidden = [cell_ for cell_ in rows["ccas"]["cells"] if cell_["display"] == "< 5"]
    assert hidden and all(entry["value"] is None for entry in hidden)
    assert '"value": 2' not in json.dumps(rows["ccas"])
    pending = [s for s in payload["sections"] if not s["recorded"]]
    assert all(s["table"] is None and s["pending"] for s in pending)
    assert AuditEvent.objects.filter(
        actor_id=coordinator.pk, action=Action.CELL_VIEWED, cell_id=cell.pk
    ).exists()


def test_the_period_is_checked_in_french(api_for, coordinator):
    client = api_for(coordinator)
    response = client.get(f"{URL}/cellule", {"from_month": "2026-05", "to_month": "2026-01"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "", "message": "Le premier mois doit précéder le dernier (ou être le même)."}
    ]
    bad = client.get(f"{URL}/cellule", {"from_month": "2026-13"})
    assert bad.json()["errors"] == [
        {
            "field": "query.from_month",
            "message": "Indiquez un mois au format AAAA-MM, par exemple 2026-01.",
        }
    ]
    period = client.get(f"{URL}/cellule", {"from_month": "2025-01", "to_month": "2025-03"})
    assert period.json()["period"]["label"] == "de janvier 2025 à mars 2025"


def test_the_departement_figures_are_the_prefecture_cells(api_for, cell, coordinator):
    departmental = CellFactory(departmental=True, departement=cell.departement)
    prefet = MembershipFactory(cell=departmental, role=Role.PRESIDENT).user
    facts(cell, 7)
    response = api_for(prefet).get(f"{URL}/departement")
    assert response.status_code == 200
    section = received(response.json())
    assert section["_total"]["value"] == 7
    assert api_for(coordinator).get(f"{URL}/departement").status_code == 403


@pytest.mark.parametrize("actor", ["member", "reporter"])
def test_statistics_are_for_president_and_coordinator(api_for, world, actor):
    response = api_for(world.actors[actor]).get(f"{URL}/cellule")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
