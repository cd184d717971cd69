"""What the dashboards show: one section per kind of fact, with the dimensions of its table.

A section whose events are not recorded yet (``recorded=False``) says what will appear there
instead of a table: set it to True in the change that starts calling ``record_fact`` for it.
"""

from dataclasses import dataclass

from cellule.cases.enums import ClosureReason, MeasureKind
from cellule.exchanges.enums import FeedbackOutcome, TransmissionKind
from cellule.meetings.enums import SeanceFormat
from cellule.reports.enums import SourceCategory
from cellule.stats.enums import AgeBand, DurationBucket, FactKind, QualificationOutcome

DIMENSION_HEADERS = {
    "age_band": "Tranche d'âge",
    "duration": "Durée",
    "category": "Catégorie",
    "commune_code": "Commune",
}


@dataclass(frozen=True)
class Section:
    kind: str
    title: str
    category_header: str
    categories: tuple = ()  # (value, label) of the categories, in the order to show
    column: str = "age_band"  # the second dimension of the cell's table
    column_header: str = "Tranche d'âge"
    columns: tuple = tuple(AgeBand.choices)
    total_label: str = "Total"
    recorded: bool = True
    pending: str = ""  # what will appear, while nothing is recorded

    @property
    def slug(self) -> str:
        return self.kind.replace("_", "-")


SECTIONS = (
    Section(
        kind=FactKind.SIGNALEMENT_RECEIVED,
        title="Signalements reçus, par origine",
        category_header="Origine",
        categories=tuple(SourceCategory.choices),
    ),
    Section(
        kind=FactKind.SIGNALEMENT_QUALIFIED,
        title="Suites données aux signalements, par délai de qualification",
        category_header="Suite donnée",
        categories=tuple(QualificationOutcome.choices),
        column="duration",
        column_header="Délai de qualification",
        columns=tuple(DurationBucket.choices),
        # A report may be both put on the agenda and passed to the State: one count per outcome.
        total_label="Total des suites",
    ),
    Section(
        kind=FactKind.SITUATION_OPENED,
        title="Situations ouvertes, par tranche d'âge",
        category_header="Origine",
        categories=(("report", "Qualification d'un signalement"),),
    ),
    Section(
        kind=FactKind.SITUATION_CLOSED,
        title="Situations clôturées, par motif et durée du suivi",
        category_header="Motif de clôture",
        categories=tuple(ClosureReason.choices),
        column="duration",
        column_header="Durée du suivi",
        columns=tuple(DurationBucket.choices),
    ),
    Section(
        kind=FactKind.MEASURE_PROPOSED,
        title="Mesures d'accompagnement proposées, par type",
        category_header="Type de mesure",
        categories=tuple(MeasureKind.choices),
    ),
    Section(
        kind=FactKind.MEASURE_ACCEPTED,
        title="Mesures acceptées (libre adhésion), par type",
        category_header="Type de mesure",
        categories=tuple(MeasureKind.choices),
    ),
    Section(
        kind=FactKind.MEASURE_REFUSED,
        title="Mesures refusées, par type",
        category_header="Type de mesure",
        categories=tuple(MeasureKind.choices),
    ),
    Section(
        kind=FactKind.MEASURE_ENDED,
        title="Mesures terminées, par type et durée",
        category_header="Type de mesure",
        categories=tuple(MeasureKind.choices),
        column="duration",
        column_header="Durée de la mesure",
        columns=tuple(DurationBucket.choices),
    ),
    Section(
        kind=FactKind.TRANSMISSION_SENT,
        title="Transmissions envoyées, par type",
        category_header="Type de transmission",
        categories=tuple((k.value, k.label) for k in TransmissionKind if k != "feedback"),
        # A general briefing concerns no one, a state_information is counted without an age.
        columns=(*AgeBand.choices, ("", "Sans tranche d'âge")),
    ),
    Section(
        kind=FactKind.FEEDBACK_GIVEN,
        title="Retours d'information de l'État, par réponse et délai",
        category_header="Retour d'information",
        categories=tuple(FeedbackOutcome.choices),
        column="duration",
        column_header="Délai du premier retour",
        columns=tuple(DurationBucket.choices),
    ),
    Section(
        kind=FactKind.SEANCE_HELD,
        title="Séances tenues, par format",
        category_header="Format",
        categories=tuple(SeanceFormat.choices),
        # A séance concerns no one person: one column, the count.
        columns=(("", "Séances tenues"),),
        column_header="Nombre",
    ),
)


def recorded_sections():
    return [section for section in SECTIONS if section.recorded]
