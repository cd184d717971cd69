import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from cellule.territory.models import Commune, Departement, Region

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class ImportResult:
    regions: int
    departements: int
    communes: int


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _upsert(model, objects, fields: list[str]) -> None:
    model.objects.bulk_create(
        objects,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=fields,
    )


@transaction.atomic
def import_cog(*, departement: str | None = None) -> ImportResult:
    """Load régions, départements and communes from the shipped CSV files, idempotently.

    With ``departement``, only that département and its communes are loaded (its région too).
    """
    departements = _rows("departements.csv")
    if departement is not None:
        departements = [row for row in departements if row["code"] == departement]
        if not departements:
            raise ValueError(f"Département inconnu : {departement!r}.")
    region_codes = {row["region"] for row in departements}
    regions = [row for row in _rows("regions.csv") if row["code"] in region_codes]
    departement_codes = {row["code"] for row in departements}
    communes = [row for row in _rows("communes.csv") if row["departement"] in departement_codes]

    _upsert(Region, [Region(code=r["code"], name=r["nom"]) for r in regions], ["name"])
    _upsert(
        Departement,
        [Departement(code=d["code"], name=d["nom"], region_id=d["region"]) for d in departements],
        ["name", "region"],
    )
    _upsert(
        Commune,
        [
            Commune(
                code=c["code_insee"],
                name=c["nom"],
                departement_id=c["departement"],
                postal_codes=c["codes_postaux"],
                population=int(c["population"]) if c["population"] else None,
            )
            for c in communes
        ],
        ["name", "departement", "postal_codes", "population"],
    )
    return ImportResult(
        regions=len(regions), departements=len(departements), communes=len(communes)
    )
