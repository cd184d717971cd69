"""backup → restore: both databases, verified (row counts, journal chain), on SQLite and PostgreSQL."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from cellule.accounts.models import User
from cellule.core import backups
from cellule.journal.models import AuditEvent
from cellule.reports.models import Signalement
from tests.accounts.factories import CellFactory, MembershipFactory
from tests.reports.factories import file_signalement

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def only_on(engine: str):
    vendor = connections["default"].vendor
    if vendor != engine:
        pytest.skip(
            f"Aller-retour {engine} : la suite tourne sur {vendor} (DATABASE_URL) ; il est "
            f"vérifié quand elle tourne sur {engine}."
        )


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_backup_restores_to_what_it_saved_and_verifies(engine, tmp_path):
    only_on(engine)
    cell = CellFactory()
    reporter = MembershipFactory(cell=cell, role="reporter").user
    kept = file_signalement(cell, by=reporter)
    target = tmp_path / "sauvegarde"

    output = run("backup", output=str(target))
    assert output.startswith(f"Sauvegarde écrite dans {target}")
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["databases"]["default"]["tables"]["reports_signalement"] == 1
    assert manifest["journal_head"]["seq"] == AuditEvent.objects.order_by("-seq").first().seq

    # Life goes on after the backup…
    later = file_signalement(cell, by=reporter, last_name="Après")
    with pytest.raises(CommandError, match="--force"):
        run("restore", str(target))

    # …and the restore brings back exactly the saved state.
    output = run("restore", str(target), force=True)
    assert output.startswith("Restauration vérifiée")
    assert list(Signalement.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Signalement.objects.filter(pk=later.pk).exists()
    assert User.objects.filter(pk=reporter.pk).exists()
    for alias, database in manifest["databases"].items():
        assert backups.live_counts(alias) == database["tables"]
    assert run("journal_verify").startswith(f"OK {manifest['journal_head']['seq']} events")


def test_a_damaged_backup_is_refused_before_anything_is_touched(tmp_path):
    MembershipFactory()
    target = tmp_path / "sauvegarde"
    run("backup", output=str(target))
    manifest = json.loads((target / "manifest.json").read_text())
    damaged = target / manifest["databases"]["journal"]["file"]
    damaged.write_bytes(damaged.read_bytes()[:-10] + b"0123456789")
    users = User.objects.count()
    with pytest.raises(CommandError, match="altéré"):
        run("restore", str(target), force=True)
    assert User.objects.count() == users


def test_backup_refuses_a_directory_in_use_and_restore_a_foreign_one(tmp_path):
    (tmp_path / "occupé").mkdir()
    (tmp_path / "occupé" / "autre.txt").write_text("x")
    with pytest.raises(CommandError, match="n'est pas vide"):
        run("backup", output=str(tmp_path / "occupé"))
    with pytest.raises(CommandError, match="n'est pas une sauvegarde de Cellule"):
        run("restore", str(tmp_path / "occupé"))
