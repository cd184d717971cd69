"""The API access matrix: every operation × every actor × own or foreign cell → the status.

« own »: the objects of the world's cell (and ``?cell=`` naming it); « other »: those of the
foreign cell, whose coordinator is the outsider. Actors are those of ``world`` (conftest), each
with a token of their own; the anonymous sends none. ``tests/api/test_consistency.py`` fails
when an operation of the OpenAPI schema has no row here.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from tests.access.matrix import ACTORS

CELL_ROLES = ("president", "coordinator", "member", "state_delegate", "reporter", "guest")
BASE = "/api/v1"


class WorldApi:
    """What the matrix reads, in both cells: each object made on first use, once per test."""

    def __init__(self, world):
        self.world = world
        self.made = {}

    def __getitem__(self, side):
        return _Side(self, side)

    def get(self, side, name):
        if (side, name) not in self.made:
            self.made[(side, name)] = getattr(self, f"_{side}_{name}")()
        return self.made[(side, name)]

    # --- own cell ---

    def _own_cell(self):
        return self.world.cell

    def _own_signalement(self):
        return self.world.signalement

    def _own_situation(self):
        from tests.cases.factories import world_situations

        return world_situations(self.world).situation

    def _own_measure(self):
        from tests.cases.factories import world_situations

        return world_situations(self.world).accepted

    def _own_seance(self):
        from tests.meetings.factories import world_meetings

        return world_meetings(self.world).seance

    def _own_transmission(self):
        from tests.exchanges.factories import world_exchanges

        return world_exchanges(self.world).report

    # --- the foreign cell, whose coordinator is the outsider ---

    def _other_cell(self):
        return self.world.other_cell

    def _other_signalement(self):
        from tests.reports.factories import file_signalement

        return file_signalement(self.world.other_cell, last_name="Bernard")

    def _other_situation(self):
        from tests.cases.factories import open_situation

        outsider = self.world.actors["outsider"]
        return open_situation(
            self.world.other_cell, by=outsider, last_name="Moreau", first_name="Zoé"
        )

    def _other_measure(self):
        from tests.cases.factories import measure

        outsider = self.world.actors["outsider"]
        return measure(self.get("other", "situation"), provider=outsider.organisation, by=outsider)

    def _other_seance(self):
        from tests.meetings.factories import plan

        outsider = self.world.actors["outsider"]
        return plan(self.world.other_cell, members=[outsider], by=outsider)

    def _other_transmission(self):
        from tests.exchanges.factories import transmit

        return transmit(self.get("other", "situation"), by=self.world.actors["outsider"])


class _Side:
    def __init__(self, world_api, side):
        self.world_api, self.side = world_api, side

    def __getitem__(self, name):
        return self.world_api.get(self.side, name)


def world_api(world) -> WorldApi:
    if getattr(world, "_api", None) is None:
        world._api = WorldApi(world)
    return world._api


def signalement_body(world, side) -> dict:
    day = (timezone.localdate() - timedelta(days=2)).isoformat()
    return {
        "person": {"last_name": "Nouveau", "first_name": "Signalé", "approximate_age": 15},
        "observed_on": day,
        "source_category": "school",
        "indicators": [{"code": "school-dropout", "observed_on": day}],
        "text": "Absences répétées depuis la rentrée.",
    }


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as in the OpenAPI schema
    own: dict  # actor → status, for the own cell's objects
    other: dict  # actor → status, for the foreign cell's objects
    default_own: int = 200
    default_other: int = 404
    params: object = None  # callable(objects) → path parameters
    query: object = None  # callable(objects) → query string
    body: object = None  # callable(world, side) → JSON body
    # A success reads personal data: the actor's read must be in the journal.
    personal: bool = True
    note: str = ""

    def status(self, actor: str, side: str):
        if actor == "anonymous":
            return 401
        if actor == "unsigned":
            return 403  # the charter first, as on the pages
        if side == "own":
            return self.own.get(actor, self.default_own)
        return self.other.get(actor, self.default_other)

    def url(self, objects) -> str:
        return BASE + self.path.format(**(self.params(objects) if self.params else {}))


def in_cell(objects):
    return {"cell": str(objects["cell"].pk)}


NOBODY_OUTSIDE = dict.fromkeys(("admin", "dpo", "outsider"), 404)
ONLY_OUTSIDER = {"outsider": 200}
SITUATION_FOLLOWERS = {
    **NOBODY_OUTSIDE,
    **dict.fromkeys(("reporter", "guest"), 404),
    "state_delegate": 403,  # their organisation provides a measure: the provider's view only
}

OPERATIONS = [
    Operation(
        "post",
        "/signalements",
        own={**NOBODY_OUTSIDE, "guest": 403},
        other={"outsider": 201},
        default_own=201,
        query=in_cell,
        body=signalement_body,
        personal=False,  # a creation, journaled by the service (tests/api/test_signalements.py)
    ),
    Operation("get", "/signalements/mine", own=NOBODY_OUTSIDE, other=ONLY_OUTSIDER, query=in_cell),
    Operation(
        "get",
        "/signalements",
        own={
            **NOBODY_OUTSIDE,
            **dict.fromkeys(("member", "state_delegate", "reporter", "guest"), 403),
        },
        other=ONLY_OUTSIDER,
        query=in_cell,
    ),
    Operation(
        "get",
        "/signalements/{signalement_id}",
        own={
            **NOBODY_OUTSIDE,
            **dict.fromkeys(("member", "state_delegate", "reporter", "guest"), 404),
        },
        other=ONLY_OUTSIDER,
        params=lambda o: {"signalement_id": o["signalement"].pk},
    ),
    Operation(
        "get",
        "/situations",
        own={**NOBODY_OUTSIDE, "reporter": 403, "guest": 403},
        other=ONLY_OUTSIDER,
        query=in_cell,
    ),
    Operation(
        "get",
        "/situations/{situation_id}",
        own=SITUATION_FOLLOWERS,
        other=ONLY_OUTSIDER,
        params=lambda o: {"situation_id": o["situation"].pk},
    ),
    Operation(
        "get",
        "/situations/{situation_id}/chronologie",
        own=SITUATION_FOLLOWERS,
        other=ONLY_OUTSIDER,
        params=lambda o: {"situation_id": o["situation"].pk},
    ),
    Operation(
        "get",
        "/situations/{situation_id}/mesures",
        own={**SITUATION_FOLLOWERS, "state_delegate": 200},
        other=ONLY_OUTSIDER,
        params=lambda o: {"situation_id": o["situation"].pk},
        note="the provider sees their organisation's measures",
    ),
    Operation(
        "get",
        "/mesures/{measure_id}",
        own={**SITUATION_FOLLOWERS, "state_delegate": 200},
        other=ONLY_OUTSIDER,
        params=lambda o: {"measure_id": o["measure"].pk},
    ),
    Operation(
        "get",
        "/seances",
        own={**NOBODY_OUTSIDE, "reporter": 403},
        other=ONLY_OUTSIDER,
        query=in_cell,
        personal=False,  # dates and places; the agenda is the personal part
    ),
    Operation(
        "get",
        "/seances/{seance_id}/ordre-du-jour",
        own={**NOBODY_OUTSIDE, "reporter": 404},
        other=ONLY_OUTSIDER,
        params=lambda o: {"seance_id": o["seance"].pk},
        note="convened members and the invited guest read it, redacted (test_seances.py)",
    ),
    Operation(
        "get",
        "/transmissions",
        own={**NOBODY_OUTSIDE, **dict.fromkeys(("member", "reporter", "guest"), 403)},
        other=ONLY_OUTSIDER,
        query=in_cell,
    ),
    Operation(
        "get",
        "/transmissions/{transmission_id}",
        own={**NOBODY_OUTSIDE, **dict.fromkeys(("member", "reporter", "guest"), 404)},
        other=ONLY_OUTSIDER,
        params=lambda o: {"transmission_id": o["transmission"].pk},
    ),
    Operation(
        "post",
        "/transmissions/{transmission_id}/accuse-reception",
        own={**NOBODY_OUTSIDE, **dict.fromkeys(("member", "reporter", "guest"), 404)},
        other={"outsider": 403},
        default_own=403,
        params=lambda o: {"transmission_id": o["transmission"].pk},
        personal=False,
        note="the préfecture acknowledges, not the commune that sent (test_transmissions.py)",
    ),
    Operation(
        "post",
        "/transmissions/{transmission_id}/retour",
        own={**NOBODY_OUTSIDE, **dict.fromkeys(("member", "reporter", "guest"), 404)},
        other={"outsider": 403},
        default_own=403,
        params=lambda o: {"transmission_id": o["transmission"].pk},
        body=lambda world, side: {"outcome": "taken_into_account"},
        personal=False,
        note="the préfecture answers, not the commune that sent (test_transmissions.py)",
    ),
    Operation(
        "get",
        "/statistiques/cellule",
        own={
            **dict.fromkeys(("member", "state_delegate", "reporter", "guest"), 403),
            "admin": 403,  # sees the cell (reference data), not its statistics
            "dpo": 403,
            "outsider": 404,
        },
        other={"outsider": 200, "admin": 403},
        query=in_cell,
        personal=False,
    ),
    Operation(
        "get",
        "/statistiques/departement",
        own={**dict.fromkeys(CELL_ROLES, 403), "admin": 403, "dpo": 403, "outsider": 404},
        other={"outsider": 403, "admin": 403},
        query=in_cell,
        personal=False,
        note="a municipal cell: the département's figures are the préfecture cell's",
    ),
]


@dataclass
class Case:
    operation: Operation
    side: str
    expected: dict = field(init=False)

    def __post_init__(self):
        self.expected = {actor: self.operation.status(actor, self.side) for actor in ACTORS}


def cases() -> list[Case]:
    return [Case(operation, side) for operation in OPERATIONS for side in ("own", "other")]


def ruled() -> set[tuple[str, str]]:
    return {(operation.method, BASE + operation.path) for operation in OPERATIONS}
