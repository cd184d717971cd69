from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cellule.territory.models import Commune, Departement, Region


@pytest.mark.django_db
def test_import_cog_loads_every_commune_idempotently():
    call_command("import_cog", stdout=StringIO())
    counts = (Region.objects.count(), Departement.objects.count(), Commune.objects.count())
    assert counts == (26, 109, 34969)
    miramas = Commune.objects.select_related("departement__region").get(code="13063")
    assert (miramas.name, miramas.departement.name, miramas.departement.region.code) == (
        "Miramas",
        "Bouches-du-Rhône",
        "93",
    )
    assert miramas.population == 26203

    Commune.objects.filter(code="13063").update(name="Nom altéré")
    call_command("import_cog", stdout=StringIO())
    assert (Region.objects.count(), Departement.objects.count(), Commune.objects.count()) == counts
    assert Commune.objects.get(code="13063").name == "Miramas"


@pytest.mark.django_db
def test_import_cog_for_one_departement(capsys):
    call_command("import_cog", departement="2A")
    assert "124 communes" in capsys.readouterr().out
    assert set(Commune.objects.values_list("departement_id", flat=True)) == {"2A"}
    assert Commune.objects.count() == 124


@pytest.mark.django_db
def test_import_cog_refuses_an_unknown_departement():
    with pytest.raises(CommandError, match="Département inconnu : '99'"):
        call_command("import_cog", departement="99")
    assert not Commune.objects.exists()
