"""The dashboards and their CSV exports: anonymous figures, suppressed, for the right people."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cellule.accounts.enums import Role
from cellule.stats.enums import FactKind
from cellule.stats.services import record_fact
from tests.accounts.factories import CellFactory, MembershipFactory
from tests.conftest import text
from tests.reports.factories import file_signalement
from tests.territory.factories import CommuneFactory

pytestmark = pytest.mark.django_db

CANARY = "Zorglubinski"


def facts(cell, n, *, kind=FactKind.SIGNALEMENT_RECEIVED, category="school", **kwargs):
    for _ in range(n):
        record_fact(kind=kind, cell=cell, category=category, age_band="13_17", **kwargs)


@pytest.fixture
def prefecture(cell):
    """The préfecture's cell of the département of `cell`, and its president."""
    departmental = CellFactory(departmental=True, departement=cell.departement)
    president = MembershipFactory(cell=departmental, role=Role.PRESIDENT).user
    return departmental, president


def test_cell_dashboard_counts_and_suppresses(client_for, coordinator, cell):
    facts(cell, 12, category="school")
    facts(cell, 9, category="youth_service")
    facts(cell, 2, category="ccas")
    response = client_for(coordinator).get(reverse("stats:cell"))
    assert response.status_code == 200
    received = response.context["blocks"][0].table
    rows = {row.key: row for row in received.rows}
    assert rows["ccas"].total.display == "< 5" and rows["ccas"].cells[1].display == "< 5"
    # 21 - 12 would give the 2 back: the next smallest total (9) is hidden with it.
    assert rows["youth_service"].total.display == "< 5"
    assert rows["school"].total.display == "12"
    assert received.total.display == "23"
    page = text(response)
    assert "Signalements reçus, par origine" in page
    assert 'role="img"' in page and "<title" in page
    assert "< 5" in page
    assert "Transmissions envoyées, par type" in page


def test_the_dashboard_counts_only_the_cells_own_facts(client_for, coordinator, cell, other_cell):
    facts(cell, 6)
    facts(other_cell, 40)
    response = client_for(coordinator).get(reverse("stats:cell"))
    assert response.context["blocks"][0].table.total.value == 6


def test_the_period_selects_the_months(client_for, president, cell):
    facts(cell, 7, when=date(2025, 1, 15))
    facts(cell, 9, when=date(2025, 3, 2))
    client = client_for(president)
    response = client.get(reverse("stats:cell"), {"du": "2025-01", "au": "2025-02"})
    assert response.context["blocks"][0].table.total.value == 7
    assert "de janvier 2025 à février 2025" in text(response)
    response = client.get(reverse("stats:cell"), {"du": "2025-01", "au": "2025-03"})
    assert response.context["blocks"][0].table.total.value == 16


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"du": "janvier", "au": "2025-02"}, "Indiquez un mois au format AAAA-MM"),
        ({"du": "2025-13", "au": "2025-02"}, "Indiquez un mois au format AAAA-MM"),
        ({"du": "2025-03", "au": "2025-01"}, "Le premier mois doit précéder le dernier"),
        ({"du": "2010-01", "au": "2025-01"}, "au plus 60 mois"),
        ({"du": "2999-01", "au": "2999-02"}, "ne peut pas commencer dans le futur"),
    ],
)
def test_an_invalid_period_says_why_in_french(client_for, coordinator, cell, query, message):
    client = client_for(coordinator)
    response = client.get(reverse("stats:cell"), query)
    assert response.status_code == 200
    page = text(response)
    assert message in page and "douze derniers mois" in page
    export = client.get(reverse("stats:cell_export"), query)
    assert export.status_code == 400 and message in export.content.decode()


def test_csv_export_is_what_the_page_shows(client_for, coordinator, cell):
    facts(cell, 12, category="school")
    facts(cell, 9, category="youth_service")
    facts(cell, 3, category="ccas")
    response = client_for(coordinator).get(reverse("stats:cell_export"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0] == "Période;Tableau;Ligne;Colonne;Effectif"
    title = "Signalements reçus, par origine"
    assert any(line.endswith(f"{title};École, collège, lycée;Total;12") for line in lines)
    assert any(line.endswith(f"{title};CCAS ou service social;Total;< 5") for line in lines)
    assert not any(line.endswith(";3") for line in lines)


def test_departement_dashboard_aggregates_every_cell_by_commune(
    client_for, cell, other_cell, prefecture
):
    _, prefet = prefecture
    facts(cell, 8)
    facts(other_cell, 6)
    elsewhere = CellFactory(departement=CommuneFactory(departement__code="84").departement)
    facts(elsewhere, 30)
    response = client_for(prefet).get(reverse("stats:departement"))
    assert response.status_code == 200
    table = response.context["blocks"][0].table
    assert table.total.value == 14
    names = {row.label for row in table.rows}
    assert names == {cell.communes.get().name, other_cell.communes.get().name}
    assert "Statistiques du département" in text(response)
    export = client_for(prefet).get(reverse("stats:departement_export"))
    assert export.status_code == 200 and export.content.startswith(b"\xef\xbb\xbf")


def test_the_departmental_cell_links_its_departement(client_for, prefecture):
    _, prefet = prefecture
    page = text(client_for(prefet).get(reverse("stats:cell")))
    assert reverse("stats:departement") in page


def test_a_municipal_president_has_no_departement_dashboard(client_for, president):
    assert client_for(president).get(reverse("stats:departement")).status_code == 403
    assert client_for(president).get(reverse("stats:departement_export")).status_code == 403


def test_a_departmental_member_has_no_statistics(client_for, prefecture):
    departmental, _ = prefecture
    member = MembershipFactory(cell=departmental, role=Role.MEMBER).user
    assert client_for(member).get(reverse("stats:departement")).status_code == 403
    assert client_for(member).get(reverse("stats:cell")).status_code == 403


def test_no_personal_data_on_any_stats_page_or_export(client_for, coordinator, cell, prefecture):
    _, prefet = prefecture
    for _ in range(6):
        file_signalement(cell, last_name=CANARY, first_name="Canari")
    pages = [
        client_for(coordinator).get(reverse("stats:cell")),
        client_for(coordinator).get(reverse("stats:cell_export")),
        client_for(prefet).get(reverse("stats:departement")),
        client_for(prefet).get(reverse("stats:departement_export")),
    ]
    assert pages[0].context["blocks"][0].table.total.value == 6
    for response in pages:
        assert response.status_code == 200
        content = response.content.decode("utf-8-sig")
        assert CANARY not in content and "Canari" not in content


def test_header_links_statistics_for_president_and_coordinator_only(
    client_for, coordinator, member
):
    link = f'href="{reverse("stats:cell")}"'
    assert link in client_for(coordinator).get(reverse("core:home")).content.decode()
    assert link not in client_for(member).get(reverse("core:home")).content.decode()


def test_dashboard_queries_do_not_grow_with_the_facts(
    client_for, coordinator, cell, prefecture, django_assert_max_num_queries
):
    _, prefet = prefecture
    communes = [CommuneFactory() for _ in range(8)]
    for kind in (FactKind.SIGNALEMENT_RECEIVED, FactKind.SIGNALEMENT_QUALIFIED):
        for commune in communes:
            facts(cell, 3, kind=kind, category="agenda", commune=commune)
    coordinator_client, prefet_client = client_for(coordinator), client_for(prefet)
    # The pages: 12, and the state of the facts that keys their rendered sections.
    with django_assert_max_num_queries(13):
        assert coordinator_client.get(reverse("stats:cell")).status_code == 200
    with django_assert_max_num_queries(13):
        assert prefet_client.get(reverse("stats:departement")).status_code == 200
    with django_assert_max_num_queries(12):
        assert prefet_client.get(reverse("stats:departement_export")).status_code == 200


def test_the_default_period_is_the_last_twelve_months(client_for, coordinator, cell):
    facts(cell, 5, when=timezone.localdate())
    facts(cell, 5, when=date(2000, 1, 1))
    response = client_for(coordinator).get(reverse("stats:cell"))
    assert response.context["blocks"][0].table.total.value == 5


def test_the_sections_are_computed_once_per_state_of_the_facts(
    client_for, coordinator, cell, monkeypatch
):
    """Rendered sections are kept while no fact is added; a new fact shows at once."""
    from cellule.stats import dashboards

    facts(cell, 6)
    built = []
    original = dashboards.for_cell
    monkeypatch.setattr(dashboards, "for_cell", lambda *a: built.append(1) or original(*a))
    client = client_for(coordinator)
    first = text(client.get(reverse("stats:cell")))
    client.get(reverse("stats:cell"))
    assert len(built) == 1
    facts(cell, 1)
    third = text(client.get(reverse("stats:cell")))
    assert len(built) == 2
    assert "<td><strong>6</strong></td>" in first and "<td><strong>7</strong></td>" in third
