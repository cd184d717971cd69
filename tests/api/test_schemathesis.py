"""schemathesis against the OpenAPI schema, as an outside tool sees it: a live server, a real token.

Every operation gets at least 100 generated requests (coverage and fuzzing phases, positive and
negative data); the run must find no 5xx and no response that violates the schema
(status code, content type, headers, body), and no operation that ignores authentication. Real
identifiers of the world are mixed into the generated ones, so that the 200 answers are
exercised too, not only the 404 of random UUIDs.

Not checked: ``positive_data_acceptance`` (ST202) — a request the schema allows may still be
refused with a 422 by the fiche's own validation (a date in the future, an unknown indicator,
birth date and approximate age together…), exactly as the page refuses it.

About a minute of CPU (1 to 3 minutes on a busy 2-core machine): ``-m "not schemathesis"`` leaves
it out of a quick run.
"""

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from cellule.access.roles import forget_roles
from cellule.accounts.enums import Role
from tests.accounts.factories import MembershipFactory
from tests.api.conftest import token_for
from tests.api.matrix import OPERATIONS, world_api
from tests.exchanges.factories import departmental_cell

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db(transaction=True)]

MIN_CASES = 100


def _command() -> list[str]:
    found = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    return [found]


def _config(world, path: Path) -> Path:
    own = world_api(world)["own"]
    situations = [str(own["situation"].pk)]
    lines = [
        "[warnings]",
        'fail-on = ["missing_auth"]',  # without a working token it would still exit 0
        "",
        "[dictionaries.signalements]",
        f'values = ["{own["signalement"].pk}"]',
        "[dictionaries.situations]",
        f"values = {json.dumps(situations)}",
        "[dictionaries.measures]",
        f'values = ["{own["measure"].pk}"]',
        "[dictionaries.seances]",
        f'values = ["{own["seance"].pk}"]',
        "[dictionaries.transmissions]",
        f'values = ["{own["transmission"].pk}"]',
        "[dictionaries.cells]",
        f'values = ["{own["cell"].pk}"]',
        "[dictionaries.indicators]",
        'values = ["school-dropout", "activities-dropped"]',
        "",
        "[parameters]",
        '"path.signalement_id" = { dictionary = "signalements", probability = 0.5 }',
        '"path.situation_id" = { dictionary = "situations", probability = 0.5 }',
        '"path.measure_id" = { dictionary = "measures", probability = 0.5 }',
        '"path.seance_id" = { dictionary = "seances", probability = 0.5 }',
        '"path.transmission_id" = { dictionary = "transmissions", probability = 0.5 }',
        '"query.cell" = { dictionary = "cells", probability = 0.7 }',
        '"body.indicators[*].code" = { dictionary = "indicators", probability = 0.8 }',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_api_has_no_server_error_and_no_schema_violation(
    live_server, world, settings, tmp_path
):
    settings.CELLULE_API_RATE = "100000/m"  # the rate limit has its own tests
    # The commune's coordinator, also coordinator of the préfecture's cell: every operation has
    # someone to answer to (the préfecture acknowledges and answers the commune's signalements).
    coordinator = world.actors["coordinator"]
    MembershipFactory(user=coordinator, cell=departmental_cell(world.cell), role=Role.COORDINATOR)
    forget_roles(coordinator)
    token = token_for(coordinator, name="schemathesis")
    config = _config(world, tmp_path / "schemathesis.toml")
    reports = tmp_path / "rapports"
    command = [
        *_command(),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        str(MIN_CASES),
        "--phases",
        "coverage,fuzzing",
        "--workers",
        "1",
        "--seed",
        "20260101",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--report",
        "json,ndjson",
        "--report-dir",
        str(reports),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    output = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, output

    (summary_file,) = reports.glob("json-*.json")
    summary = json.loads(summary_file.read_text())
    assert summary["failures"] == [] and summary["errors"] == [], output
    operations = len(OPERATIONS)
    assert summary["operations"]["tested"] == summary["operations"]["total"] == operations, output
    assert summary["warnings"]["missing_auth"] == [], output

    cases = Counter()
    (events_file,) = reports.glob("ndjson-*.ndjson")
    for line in events_file.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if finished and finished["recorder"]["label"].split(" ")[0] in {"GET", "POST"}:
            cases[finished["recorder"]["label"]] += len(finished["recorder"].get("cases", ()))
    assert len(cases) == operations
    too_few = {label: n for label, n in cases.items() if n < MIN_CASES}
    assert too_few == {}, f"moins de {MIN_CASES} cas générés : {too_few}"
