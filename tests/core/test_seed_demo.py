import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp

from cellule.accounts.enums import GlobalRole, Role
from cellule.accounts.models import Cell, Membership, Organisation, User

pytestmark = pytest.mark.django_db


def seed() -> dict:
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_seed_demo_prints_the_contract_and_is_idempotent():
    first = seed()
    counts = (
        Organisation.objects.count(),
        Cell.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    second = seed()
    assert (
        Organisation.objects.count(),
        Cell.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert first == second

    assert set(first) == {"password", "accounts"}
    for account in first["accounts"]:
        assert set(account) == {"email", "role", "cell", "totp_secret"}


def test_seed_demo_has_every_role_in_at_least_two_cells():
    accounts = seed()["accounts"]
    for role in Role.values:
        cells = {a["cell"] for a in accounts if a["role"] == role}
        assert len(cells) >= 2, role
    assert {a["role"] for a in accounts if a["cell"] is None} == {GlobalRole.ADMIN, GlobalRole.DPO}
    assert {c.name for c in Cell.objects.all()} == {
        "Cellule départementale des Bouches-du-Rhône",
        "CMER de Miramas",
        "CMER d'Istres",
        "CMER de Salon-de-Provence",
    }


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.CELLULE_ENV = "production"
    with pytest.raises(CommandError, match="refuse de s'exécuter en production"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_a_demo_account_logs_in_with_its_printed_password_and_totp_secret(client):
    demo = seed()
    account = next(a for a in demo["accounts"] if a["role"] == Role.COORDINATOR)
    client.post(
        reverse("accounts:login"), {"username": account["email"], "password": demo["password"]}
    )
    import base64

    key = base64.b32decode(account["totp_secret"] + "=" * (-len(account["totp_secret"]) % 8))
    response = client.post(reverse("accounts:otp_verify"), {"code": f"{totp(key):06d}"})
    assert response.status_code == 302
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert account["cell"] in home.content.decode().replace("&#x27;", "'")


# The order a situation's story must follow: its reports, their qualification, the opening, then
# the follow-up; a séance to come closes the list. Unlisted entries are follow-up.
STAGES = (
    ("Signalement n° ", " reçu"),
    ("Signalement n° ", " qualifié"),
    ("Ouverture de la situation", ""),
)
PLANNED = "Inscrite à l'ordre du jour"
# Pairs (earlier, later): the first « later » comes after the first « earlier ».
CAUSES = (
    ("Désignation du référent", "En évaluation → Accompagnement"),
    ("Mesure proposée", "Mesure acceptée"),
    ("Signalement transmis à la préfecture", "Réception accusée"),
    ("Réception accusée", "Retour d'information"),
)


def stage(title: str) -> int:
    for rank, (start, contains) in enumerate(STAGES):
        if title.startswith(start) and contains in title:
            return rank
    return len(STAGES) + title.startswith(PLANNED)


def test_each_demo_situation_tells_its_story_in_order_and_in_the_past():
    from cellule.cases.models import Situation
    from cellule.cases.timeline import timeline
    from cellule.journal.verification import verify_journal

    seed()
    now = timezone.now()
    situations = Situation.objects.select_related("cell", "person__key")
    assert situations.count() == 3
    for situation in situations:
        coordinator = Membership.objects.get(
            cell=situation.cell, role=Role.COORDINATOR, ended_at__isnull=True
        ).user
        entries = timeline(
            situation, reader=coordinator, abilities=situation.abilities(coordinator)
        )
        titles = [entry.title for entry in entries]
        first_report = min(report.created_at for report in situation.origin_reports.all())
        assert [entry.at for entry in entries] == sorted(entry.at for entry in entries)
        assert entries[0].at == first_report and stage(titles[0]) == 0, titles
        assert [stage(title) for title in titles] == sorted(stage(t) for t in titles), titles
        for entry in entries:
            assert entry.at >= first_report, entry.title
            assert entry.at <= now or entry.title.startswith(PLANNED), entry.title
        for earlier, later in CAUSES:
            positions = [i for i, t in enumerate(titles) if t.startswith(later)]
            if positions:
                assert any(t.startswith(earlier) for t in titles[: positions[0]]), (later, titles)
        assert len(entries) >= 4, titles  # opened, then followed: not a bare report
    assert verify_journal().ok
