"""The casework of the synthetic country: signalements, situations, measures, and their facts.

What the services of ``cellule/reports`` and ``cellule/cases`` would have written over three years
of a cell's life, made in bulk (calling the services 150,000 times would take hours):

- signalements with 1 to 4 indicators of the grid, their free text encrypted under the person's
  data key with ``Sealed.seal`` (the very helper the services use), ~60 % qualified (closed,
  redirected, put on the agenda, passed to the préfecture), the others waiting in the queue;
- situations opened by the qualification of a report (agenda or transmitted), one per person
  followed, with their life: opening, reports attached, transitions (assessment, support, watch,
  closure with a reason and a text, the archive after its delay), the référent de parcours,
  reviews every 90 days and a few notes — every reason and text sealed under the person's key;
- measures of the plan d'accompagnement (proposed, accepted or refused with dated consent, the
  parents' for a minor, started, ended with an encrypted outcome), carried by the cell's partner
  organisations;
- the anonymous statistics facts (``cellule.stats``) that ``record_fact`` writes for each of those
  events, in the month of the event, with the age band and duration bucket computed then (the
  same helpers: ``age_band_of``, ``duration_bucket``), so that both dashboards have data.

``allocate`` shares the scale's counts out among the persons (pure); ``person_casework`` makes
one person's rows as unsaved model instances (no database); ``save`` bulk-inserts a chunk.
"""

from __future__ import annotations

import functools
import random
import types
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

# Rows kept as plain tuples (hundreds of thousands: model instances cost more than the insert).
FACT_COLUMNS = (
    "cell_id",
    "commune_code",
    "departement_code",
    "month",
    "kind",
    "category",
    "age_band",
    "duration",
)
INDICATOR_COLUMNS = ("signalement_id", "indicator_id", "observed_on")

QUALIFIED_SHARE = 0.6
CHUNK = 2_000  # persons whose casework is built and inserted together
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# Where a situation stands today (before the dates decide whether it had the time to get there).
FINAL_STATUSES = (
    ("assessment", 25),
    ("support", 30),
    ("watch", 15),
    ("closed", 20),
    ("archived", 10),
)
OPENING_OUTCOMES = (("agenda", 70), ("transmitted", 15), ("agenda+transmitted", 15))
SOURCE_WEIGHTS = {
    "school": 30,
    "youth_service": 8,
    "ccas": 10,
    "municipal_police": 12,
    "sports_club": 4,
    "mission_locale": 6,
    "specialised_prevention": 8,
    "housing": 4,
    "family": 12,
    "other_professional": 6,
}
# Organisations of a cell that carry measures (keys of the generator's organisations).
PROVIDER_KEYS = (
    "ccas",
    "mission_locale",
    "prevention",
    "education",
    "conseil_departemental",
    "police_municipale",
)
SITTING = ("president", "coordinator", "member", "state_delegate")

CONTEXT_SENTENCES = (
    "Constaté à plusieurs reprises par l'équipe, qui en a parlé avec la famille.",
    "La famille s'est présentée d'elle-même à l'accueil du service.",
    "Observé lors des permanences du mercredi ; la personne n'a pas souhaité en parler.",
    "Le conseiller principal d'éducation a relevé les faits sur deux semaines.",
    "Un proche a contacté le service, inquiet du changement de comportement.",
    "Faits rapportés par l'éducateur qui suit la personne depuis un an.",
    "Aucun suivi social en cours connu du service à cette date.",
    "La mère indique ne plus avoir de nouvelles depuis plusieurs jours.",
)
QUALIFICATION_REASONS = {
    "closed": (
        "Faits sans lien avec les missions de la cellule après échange avec le signalant.",
        "Inquiétude levée après vérification auprès de l'établissement.",
        "Éléments insuffisants et non concordants ; pas de suite.",
    ),
    "redirected": (
        "Relève d'un accompagnement social de droit commun ; service informé.",
        "Besoin éducatif identifié, orienté vers le dispositif de réussite éducative.",
        "Situation familiale à accompagner par le service de secteur.",
    ),
    "situation": (
        "Plusieurs indicateurs concordants et datés : examen en séance restreinte.",
        "Ruptures successives observées par deux partenaires : à examiner en séance.",
        "Signaux forts rapportés par l'établissement : inscription à l'ordre du jour.",
    ),
}
TRANSITION_REASONS = {
    "support": (
        "Adhésion de la personne et de sa famille à un accompagnement.",
        "Plan d'accompagnement décidé en séance.",
    ),
    "watch": (
        "Situation stabilisée, veille décidée en séance.",
        "Accompagnement suspendu à la demande de la personne ; veille.",
    ),
}
CLOSURE_TEXTS = (
    "Objectifs du plan atteints, relais pris par le droit commun.",
    "La famille a déménagé ; le service social du nouveau lieu de résidence est informé.",
    "L'inquiétude n'a pas été confirmée par les partenaires.",
    "La personne a retiré son adhésion ; aucun élément nouveau.",
)
REVIEW_TEXTS = (
    "Assiduité scolaire en nette amélioration selon l'établissement.",
    "Reprise d'une activité sportive ; liens familiaux renoués.",
    "Pas d'évolution notable ; mesures maintenues.",
    "Entrée en formation confirmée par la mission locale.",
)
NOTE_TEXTS = (
    "Entretien avec la mère : la situation à la maison s'apaise.",
    "Rendez-vous manqué au CMP, nouveau rendez-vous fixé.",
    "Le référent a rencontré la personne au collège ; échange constructif.",
    "Inscription au club de boxe effectuée, première séance suivie.",
)
OUTCOME_TEXTS = (
    "Mesure menée à son terme ; objectifs atteints.",
    "Suivi régulier, participation satisfaisante ; relais pris par le droit commun.",
    "Mesure interrompue après plusieurs absences ; à rediscuter en séance.",
)


@dataclass(frozen=True)
class PersonInfo:
    """What the casework needs of a generated person (not the model: 100,000 of them stay small)."""

    id: uuid.UUID
    cell: int  # index of the person's cell in the generator's plan
    commune_id: str | None
    cipher: object  # the AESGCM of the person's data key
    identity: object  # cellule.people.identity.Identity
    is_minor: bool
    created_at: datetime


@dataclass
class Allocation:
    """The scale's counts shared out among the persons (lists indexed like the persons)."""

    signalements: list[int]  # reports about each person
    followed: list[bool]  # a situation was opened for the person
    measures: list[int]  # measures of the person's situation
    qualify_share: float  # probability that a report other than an opening one is qualified


def allocate(
    n_persons: int,
    *,
    signalements: int,
    situations: int,
    measures: int,
    rng: random.Random,
    qualified_share: float = QUALIFIED_SHARE,
) -> Allocation:
    """Every person has at least one report (persons come from reports) while there are enough,
    the rest go to persons drawn at random; the situations to persons drawn among those, each
    opened by its person's first report (qualified: agenda or transmitted); the measures to the
    situations. The other reports are qualified with the probability that makes the overall
    share ``qualified_share``: 60,000 opening reports of 150,000 leave a third of the others."""
    counts = [0] * n_persons
    if n_persons:
        if signalements >= n_persons:
            counts = [1] * n_persons
            for index in rng.choices(range(n_persons), k=signalements - n_persons):
                counts[index] += 1
        else:
            for index in rng.sample(range(n_persons), signalements):
                counts[index] = 1
    with_reports = [index for index, count in enumerate(counts) if count]
    opened = set(rng.sample(with_reports, min(situations, len(with_reports))))
    followed = [index in opened for index in range(n_persons)]
    per_situation = [0] * n_persons
    if opened:
        for index in rng.choices(sorted(opened), k=measures):
            per_situation[index] += 1
    others = signalements - len(opened)
    wanted = qualified_share * signalements - len(opened)
    share = min(1.0, max(0.0, wanted / others)) if others > 0 else 0.0
    return Allocation(counts, followed, per_situation, share)


@dataclass
class Staff:
    """Who does what in one cell: (user id, full name) pairs, and the partner organisations."""

    qualifiers: list  # coordinators (the president where there is none)
    reporters: list  # who may file (reporters, else the members who sit)
    sitting: list  # who may be référent de parcours
    providers: list  # organisation ids carrying measures
    by_organisation: dict  # organisation id -> [(user id, name)] sitting in the cell


def staff_of(cell_members, orgs: dict, names: dict) -> Staff:
    """From the generator's members of a cell ((user id, org id, role, membership id), charter
    signed) and organisations ({key: Organisation})."""

    def people(roles):
        return [(m[0], names.get(m[0], "")) for m in cell_members if m[2] in roles]

    qualifiers = people({"coordinator"}) or people({"president"}) or people(set(SITTING))
    reporters = people({"reporter"}) or people(set(SITTING))
    sitting = people(set(SITTING))
    by_organisation: dict = {}
    for user_id, org_id, role, _membership in cell_members:
        if role in SITTING and org_id:
            by_organisation.setdefault(org_id, []).append((user_id, names.get(user_id, "")))
    providers = [orgs[key].pk for key in PROVIDER_KEYS if key in orgs]
    return Staff(
        qualifiers, reporters or qualifiers, sitting or qualifiers, providers, by_organisation
    )


@dataclass
class Bundle:
    """Unsaved rows, in the order they are inserted (foreign keys first)."""

    situations: list = field(default_factory=list)
    signalements: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    events: list = field(default_factory=list)
    measures: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    facts: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    TABLES = (
        "situations",
        "signalements",
        "indicators",
        "events",
        "measures",
        "reviews",
        "notes",
        "facts",
    )

    def add(self, other: Bundle) -> Bundle:
        for name in self.TABLES:
            getattr(self, name).extend(getattr(other, name))
        self.counts += other.counts
        return self


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start
    return start + (end - start) * rng.random()


@functools.cache
def _zone():
    from zoneinfo import ZoneInfo

    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)


def _local_date(moment: datetime) -> date:
    """``timezone.localtime(moment).date()``, without its per-call lookups."""
    return moment.astimezone(_zone()).date()


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


class Facts:
    """``record_fact`` as the services call it, at the moment of the event (month, age band and
    duration bucket computed then), for one person's events."""

    def __init__(self, cell, info: PersonInfo, bundle: Bundle):
        self.cell, self.info, self.bundle = cell, info, bundle
        self.holder = types.SimpleNamespace(identity=info.identity)  # what age_band_of reads

    def age_band(self, on: date) -> str:
        from cellule.stats.services import age_band_of

        return age_band_of(self.holder, on=on)

    def add(self, kind, when: datetime | date, *, category="", age=True, duration=None):
        from cellule.stats.services import duration_bucket

        day = _local_date(when) if isinstance(when, datetime) else when
        self.bundle.facts.append(
            (
                self.cell.pk,
                self.info.commune_id or "",
                self.cell.departement_id,
                day.replace(day=1),
                kind,
                category,
                self.age_band(day) if age else "",
                duration_bucket(duration),
            )
        )


def report_text(rng: random.Random, observed: list) -> str:
    """A short factual text: each indicator with its date, then a sentence of context."""
    lines = [
        f"Le {day:%d/%m/%Y} : {indicator.label[0].lower()}{indicator.label[1:]}."
        for indicator, day in observed
    ]
    lines.append(rng.choice(CONTEXT_SENTENCES))
    return " ".join(lines)


def _pick_indicators(rng: random.Random, grid: list, observed_on: date, urgent: bool) -> list:
    ordinary = [i for i in grid if i.domain != "imminent"]
    weights = [3 if i.strength == "weak" else 1 for i in ordinary]
    chosen = set()
    for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4))):
        chosen.add(rng.choices(range(len(ordinary)), weights=weights)[0])
    picked = [ordinary[i] for i in sorted(chosen)]
    imminent = [i for i in grid if i.domain == "imminent"]
    if urgent and imminent and rng.random() < 0.3:
        picked.append(rng.choice(imminent))
    return [(indicator, observed_on - rng.randint(0, 45) * DAY) for indicator in picked]


def person_casework(
    info: PersonInfo,
    *,
    cell,
    staff: Staff,
    reports: int,
    followed: bool,
    measures: int,
    qualify_share: float,
    grid: list,
    rng: random.Random,
    now: datetime,
) -> Bundle:
    """One person's reports, situation, measures and facts, as unsaved model instances."""
    from cellule.cases.enums import EventKind, MeasureKind
    from cellule.cases.models import Measure, SituationEvent
    from cellule.reports.enums import ClosureReason as ReportClosure
    from cellule.reports.enums import RedirectService
    from cellule.reports.models import Signalement

    bundle = Bundle()
    facts = Facts(cell, info, bundle)
    cipher = info.cipher
    today = _local_date(now)
    latest = now - HOUR
    moments = sorted(
        [info.created_at] + [_between(rng, info.created_at, latest) for _ in range(reports - 1)]
    )

    situation = None
    life = {}  # the situation's dates: opened, closed
    for index, created_at in enumerate(moments):
        received_on = _local_date(created_at)
        urgent = rng.random() < 0.05
        observed_on = received_on - rng.randint(0, 10) * DAY
        observed = _pick_indicators(rng, grid, observed_on, urgent)
        source = _weighted(rng, SOURCE_WEIGHTS.items())
        report = Signalement(
            cell_id=cell.pk,
            person_id=info.id,
            reporter_id=rng.choice(staff.reporters)[0],
            created_at=created_at,
            observed_on=observed_on,
            source_category=source,
            urgent=urgent,
            due_on=received_on + cell.qualification_delay_days * DAY,
        )
        opening = followed and index == 0
        qualified = opening or rng.random() < qualify_share
        values = {"text": report_text(rng, observed), "qualification_reason": ""}
        facts.add("signalement_received", created_at, category=source)
        if qualified:
            delay = min(timedelta(days=rng.uniform(0.2, 25)), (latest - created_at) * 0.9)
            qualified_at = created_at + max(delay, timedelta(0))
            qualifier = rng.choice(staff.qualifiers)
            report.status = "qualified"
            report.qualified_at = qualified_at
            report.qualified_by_id = qualifier[0]
            report.person_checked_at = qualified_at
            joins = (
                situation is not None
                and life["opened"] <= qualified_at
                and (life.get("closed") is None or qualified_at < life["closed"])
            )
            if opening:
                outcome = _weighted(rng, OPENING_OUTCOMES)
                report.outcome_agenda = "agenda" in outcome
                report.outcome_transmitted = "transmitted" in outcome
                kind = "situation"
            elif joins:
                report.outcome_agenda = True
                kind = "situation"
            elif rng.random() < 0.5:
                report.outcome_closed = True
                report.closure_reason = rng.choice(ReportClosure.values)
                kind = "closed"
            else:
                report.outcome_redirected = True
                report.redirect_service = rng.choice(RedirectService.values)
                kind = "redirected"
            values["qualification_reason"] = rng.choice(QUALIFICATION_REASONS[kind])
            for outcome in ("closed", "redirected", "agenda", "transmitted"):
                if getattr(report, f"outcome_{outcome}"):
                    facts.add(
                        "signalement_qualified",
                        qualified_at,
                        category=outcome,
                        duration=qualified_at - created_at,
                    )
            if opening:
                situation, life = _situation(
                    info,
                    cell=cell,
                    staff=staff,
                    opened_at=qualified_at,
                    opened_by=qualifier,
                    rng=rng,
                    now=now,
                    bundle=bundle,
                    facts=facts,
                )
                report.situation_id = situation.pk
            elif joins:
                report.situation_id = situation.pk
                event = SituationEvent(
                    situation_id=situation.pk,
                    kind=EventKind.REPORT_ATTACHED,
                    by_id=qualifier[0],
                    at=qualified_at,
                )
                event.seal(cipher, {"reason": "qualification d'un nouveau signalement"})
                bundle.events.append(event)
            bundle.counts["signalements_qualified"] += 1
        else:
            if rng.random() < 0.3 and created_at + 4 * HOUR < latest:
                report.person_checked_at = created_at + 4 * HOUR
            bundle.counts["signalements_received"] += 1
        report.seal(cipher, values)
        bundle.signalements.append(report)
        bundle.indicators.extend((report.pk, indicator.pk, day) for indicator, day in observed)

    if situation is not None and measures:
        _measures(
            info,
            situation=situation,
            life=life,
            staff=staff,
            count=measures,
            rng=rng,
            today=today,
            latest=latest,
            bundle=bundle,
            facts=facts,
            model=Measure,
            kinds=MeasureKind.values,
        )
    bundle.counts["signalements"] += len(moments)
    return bundle


def _situation(info, *, cell, staff, opened_at, opened_by, rng, now, bundle, facts):
    """The situation the opening report opens, and its life until today."""
    from cellule.cases.enums import ClosureReason, EventKind
    from cellule.cases.models import Note, Review, Situation, SituationEvent

    cipher = info.cipher
    latest = now - HOUR
    today = _local_date(now)
    situation = Situation(
        cell_id=cell.pk, person_id=info.id, opened_at=opened_at, opened_by_id=opened_by[0]
    )
    life = {"opened": opened_at, "closed": None}

    def event(kind, at, reason, *, by=opened_by[0], from_status="", to_status=""):
        row = SituationEvent(
            situation_id=situation.pk,
            kind=kind,
            by_id=by,
            at=at,
            from_status=from_status,
            to_status=to_status,
        )
        row.seal(cipher, {"reason": reason})
        bundle.events.append(row)

    event(EventKind.OPENED, opened_at, "qualification d'un signalement", to_status="assessment")
    facts.add("situation_opened", opened_at, category="report")

    planned = _weighted(rng, FINAL_STATUSES)
    status, at = "assessment", opened_at
    if planned != "assessment":
        first = at + timedelta(days=rng.uniform(7, 60))
        if first < latest:
            target = "watch" if planned == "watch" and rng.random() < 0.5 else "support"
            at = first
            event(
                EventKind.TRANSITION,
                at,
                rng.choice(TRANSITION_REASONS[target]),
                from_status=status,
                to_status=target,
            )
            status = target
    if planned == "watch" and status == "support":
        second = at + timedelta(days=rng.uniform(30, 180))
        if second < latest:
            at = second
            event(
                EventKind.TRANSITION,
                at,
                rng.choice(TRANSITION_REASONS["watch"]),
                from_status=status,
                to_status="watch",
            )
            status = "watch"
    if planned in ("closed", "archived") and status != "assessment":
        closing = at + timedelta(days=rng.uniform(30, 365))
        if closing < latest:
            reason = rng.choice(ClosureReason.values)
            event(
                EventKind.TRANSITION,
                closing,
                ClosureReason(reason).label,
                from_status=status,
                to_status="closed",
            )
            status = "closed"
            situation.closure_reason = reason
            situation.closed_at = closing
            situation.closed_by_id = opened_by[0]
            life["closed"] = closing
            facts.add(
                "situation_closed",
                closing,
                category=reason,
                age=False,
                duration=closing - opened_at,
            )
            archiving = closing + timedelta(days=30, hours=rng.uniform(1, 30))
            if planned == "archived" and archiving < latest:
                event(
                    EventKind.TRANSITION,
                    archiving,
                    "délai d'archivage écoulé",
                    by=None,
                    from_status="closed",
                    to_status="archived",
                )
                status = "archived"
                situation.archived_at = archiving
    situation.status = status
    end = life["closed"] or latest
    if status != "assessment" or rng.random() < 0.3:
        referent = rng.choice(staff.sitting)
        named_at = min(opened_at + timedelta(days=rng.uniform(1, 20)), end)
        event(EventKind.REFERENT, named_at, referent[1] or "aucun")
        situation.referent_id = referent[0]
    if status in ("assessment", "support", "watch"):
        situation.next_review_on = today + rng.randint(-30, 90) * DAY
    reviewed = opened_at
    for _ in range(min(3, int((end - opened_at).days // 90))):
        reviewed = reviewed + timedelta(days=rng.uniform(75, 95))
        if reviewed >= end:
            break
        day = _local_date(reviewed)
        review = Review(
            situation_id=situation.pk,
            by_id=situation.referent_id or opened_by[0],
            reviewed_on=day,
            next_review_on=day + 90 * DAY,
            created_at=reviewed,
        )
        review.seal(cipher, {"changes": rng.choice(REVIEW_TEXTS)})
        bundle.reviews.append(review)
    if status != "assessment":
        for _ in range(rng.randint(0, 3)):
            note = Note(
                situation_id=situation.pk,
                author_id=situation.referent_id or opened_by[0],
                created_at=_between(rng, opened_at, end),
            )
            note.seal(cipher, {"text": rng.choice(NOTE_TEXTS)})
            bundle.notes.append(note)
    situation.seal(
        cipher, {"closure_text": rng.choice(CLOSURE_TEXTS) if life["closed"] is not None else ""}
    )
    bundle.situations.append(situation)
    bundle.counts[f"situations_{status}"] += 1
    return situation, life


def _measures(
    info, *, situation, life, staff, count, rng, today, latest, bundle, facts, model, kinds
):
    """Measures proposed while the situation was open; a closed situation has answered them all."""
    closed = life["closed"]
    end = closed or latest
    limit = _local_date(end)
    for _ in range(count):
        proposed_at = _between(rng, min(life["opened"] + 3 * DAY, end), end)
        proposed_on = min(_local_date(proposed_at), limit)
        provider = rng.choice(staff.providers) if staff.providers else None
        if provider is None:
            return
        referents = staff.by_organisation.get(provider) or []
        measure = model(
            situation_id=situation.pk,
            kind=rng.choice(kinds),
            provider_id=provider,
            referent_id=rng.choice(referents)[0] if referents and rng.random() < 0.7 else None,
            proposed_on=proposed_on,
            created_at=proposed_at,
            created_by_id=situation.referent_id or situation.opened_by_id,
            status="proposed",
        )
        facts.add("measure_proposed", proposed_on, category=measure.kind)
        answered = proposed_on + rng.randint(1, 21) * DAY
        if answered > limit:
            answered = limit if closed else None
        outcome = ""
        if answered is not None and (closed or rng.random() < 0.9):
            measure.consent_on = answered
            if rng.random() < 0.8:
                measure.status = "accepted"
                if info.is_minor:
                    measure.parental_consent_on = max(
                        proposed_on, answered - rng.randint(0, 5) * DAY
                    )
                facts.add("measure_accepted", answered, category=measure.kind)
                started = answered + rng.randint(0, 14) * DAY
                if started <= limit and rng.random() < 0.9:
                    measure.status = "ongoing"
                    measure.started_on = started
                ended = (measure.started_on or answered) + rng.randint(30, 240) * DAY
                if ended > limit and closed:
                    ended = limit
                if ended <= limit:
                    measure.status = "ended"
                    measure.ended_on = ended
                    outcome = rng.choice(OUTCOME_TEXTS)
                    facts.add(
                        "measure_ended",
                        ended,
                        category=measure.kind,
                        duration=ended - (measure.started_on or measure.proposed_on),
                    )
            else:
                measure.status = "refused"
                facts.add("measure_refused", answered, category=measure.kind)
        measure.seal(info.cipher, {"outcome": outcome})
        bundle.measures.append(measure)
        bundle.counts[f"measures_{measure.status}"] += 1


def _copy(model, columns: tuple, rows: list, *, batch_size: int) -> None:
    """Plain rows (tuples in ``columns`` order) into ``model``'s table: ``COPY`` on PostgreSQL,
    ``bulk_create`` elsewhere (SQLite: the tests, a local try)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=batch_size
        )
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    statement = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def save(bundle: Bundle, *, batch_size: int = 2_000) -> None:
    """Insert a chunk's rows in one transaction (foreign keys first)."""
    from django.db import transaction

    from cellule.reports.models import SignalementIndicator
    from cellule.stats.models import Fact

    with transaction.atomic():
        for name in Bundle.TABLES:
            rows = getattr(bundle, name)
            if not rows:
                continue
            if name == "facts":
                _copy(Fact, FACT_COLUMNS, rows, batch_size=batch_size)
            elif name == "indicators":
                _copy(SignalementIndicator, INDICATOR_COLUMNS, rows, batch_size=batch_size)
            else:
                type(rows[0]).objects.bulk_create(rows, batch_size=batch_size)


def chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def summary(counts: Counter) -> dict:
    """The counts kept in the data set's label, by table then by state."""
    return dict(sorted(counts.items()))
