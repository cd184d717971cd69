"""Retention rules: how long each kind of record lives, as code (architecture §2.6).

Each ``Rule`` names the records it destroys (its *roots*), its default delay and the legal bounds a
cell may choose within (``RetentionSetting``), the rows it applies to (``candidates``) and the
field that starts its clock (``clock``): a root is due once ``clock + delay`` has passed.

What follows a root goes with it (``destroy``), found from the models themselves:

- every row that points at a root through a foreign key that deletes with it (CASCADE) or that
  would keep it from being deleted (PROTECT, RESTRICT): a situation's measures, notes, reviews and
  events, its origin signalements, the séance items and decisions about it, a lifted legal hold…
  so a new model that points at a situation *follows its situation* without more code;
- every row registered with ``register_follower`` for a link that survives its target (SET_NULL),
  like a transmission copied from a situation: it follows the situation all the same.

Apps plug their own rules in with ``register(Rule(...))`` from their ``AppConfig.ready()`` (a
record that expires on its own, like a state_information). ``tests/privacy/test_rules.py`` fails
when a model that holds personal data (``holds_personal_data``) is covered neither by a rule, nor
by following one, nor by an explicit exemption in ``EXEMPTIONS``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

YEAR = 365
# A person who no record concerns any more is destroyed at once when a purge removed their last
# record; one left without records otherwise (a duplicate merged at intake) after this delay.
ORPHAN_GRACE_DAYS = 30
WARNING_DAYS = 30  # the coordinator hears of what is due this many days before


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    models: tuple[str, ...]  # "app_label.model" of the roots it destroys
    default_days: int
    min_days: int
    max_days: int
    starts: str  # what starts the clock, in French (« après la qualification »)
    basis: str  # the reference the delay rests on
    candidates: Callable[[], models.QuerySet] | None = None
    clock: str = ""
    cell_field: str = "cell_id"
    configurable: bool = True  # a cell may choose its delay within the bounds
    per_cell: bool = True  # applied cell by cell (False: journal, notifications…)
    warn: bool = False  # the coordinator is warned 30 days before (records of the file)
    enforced_by: str = ""  # applied by another part of Cellule: who
    reference: Callable | None = None  # root → « Situation n° … » (never a name)
    url: Callable | None = None  # root → its page
    unit: str = "jours"

    def cutoff(self, now: datetime, days: int):
        """Roots whose clock is at or before this moment are due."""
        moment = now - timedelta(days=days)
        return moment.date() if self._clock_is_date() else moment

    def _clock_is_date(self) -> bool:
        if not self.models or not self.clock:
            return False
        model = apps.get_model(self.models[0])
        clock_field = model._meta.get_field(self.clock)
        return isinstance(clock_field, models.DateField) and not isinstance(
            clock_field, models.DateTimeField
        )

    def due_on(self, root, days: int) -> date:
        return self.due_from(getattr(root, self.clock), days)

    def due_from(self, start, days: int) -> date:
        """The day a root whose clock reads ``start`` is due."""
        if isinstance(start, datetime):
            from django.utils import timezone

            start = timezone.localtime(start).date()
        return start + timedelta(days=days)

    @property
    def bounds_label(self) -> str:
        if self.unit == "mois":
            return f"{self.min_days} à {self.max_days} mois"
        return f"{days_label(self.min_days)} à {days_label(self.max_days)}"

    def default_label(self) -> str:
        return f"{self.default_days} mois" if self.unit == "mois" else days_label(self.default_days)


def days_label(days: int) -> str:
    """« 3 mois », « 1 an », « 3 ans », « 45 jours »: how a delay reads in French."""
    if days and days % YEAR == 0:
        years = days // YEAR
        return f"{years} an{'s' if years > 1 else ''}"
    if days and days % 30 == 0 and days < YEAR:
        return f"{days // 30} mois"
    return f"{days} jour{'s' if days > 1 else ''}"


RULES: dict[str, Rule] = {}
# (model label, foreign key name): rows that follow the row their key points at, although the key
# would merely be cleared (SET_NULL) when that row goes.
FOLLOWERS: list[tuple[str, str]] = []
# Relations to a person that are parts of the person (deleted with them), not records about them.
PERSON_PARTS: set[str] = {
    "people.personkey",
    "people.legalrepresentative",
    "privacy.rightsexport",  # a copy of the person's data for an access request
}


def register(rule: Rule) -> Rule:
    RULES[rule.code] = rule
    return rule


def register_follower(model_label: str, foreign_key: str) -> None:
    if (model_label, foreign_key) not in FOLLOWERS:
        FOLLOWERS.append((model_label, foreign_key))


def register_person_part(model_label: str) -> None:
    PERSON_PARTS.add(model_label)


def get_rule(code: str) -> Rule:
    try:
        return RULES[code]
    except KeyError:
        raise ValueError(f"Règle de conservation inconnue : {code!r}") from None


def cell_rules() -> list[Rule]:
    """The rules applied cell by cell, in the order the purge applies them."""
    return [rule for rule in RULES.values() if rule.per_cell and rule.candidates is not None]


def configurable_rules() -> list[Rule]:
    return [rule for rule in RULES.values() if rule.configurable]


# --- The rules ----------------------------------------------------------------------------------

UNFOUNDED = ("unfounded", "malicious")


def _signalements():
    from cellule.reports.models import Signalement

    # Reports that opened or joined a situation follow it: only those without one are ruled here.
    return Signalement.objects.filter(status="qualified", situation__isnull=True)


def _unfounded_signalements():
    return _signalements().filter(outcome_closed=True, closure_reason__in=UNFOUNDED)


def _other_closed_signalements():
    return _signalements().filter(
        Q(outcome_closed=True) & ~Q(closure_reason__in=UNFOUNDED) | Q(outcome_redirected=True)
    )


def _closed_situations():
    from cellule.cases.models import Situation

    return Situation.objects.filter(status__in=("closed", "archived"), closed_at__isnull=False)


def _answered_requests():
    from cellule.privacy.models import RightsRequest

    return RightsRequest.objects.filter(status="answered", answered_on__isnull=False)


def _ended_invitations():
    from cellule.accounts.models import Invitation

    # An invitation ends at the latest when it expires (accepted or cancelled ones before).
    return Invitation.objects.all()


def _reference(prefix):
    return lambda obj: f"{prefix} n° {str(obj.pk).split('-')[0].upper()}"


register(
    Rule(
        code="signalement_unfounded",
        label="Signalements classés sans suite comme infondés ou malveillants",
        models=("reports.signalement",),
        default_days=90,
        min_days=30,
        max_days=90,
        starts="après la qualification",
        basis="Minimisation (art. 5.1.c et 5.1.e RGPD) ; CNIL, contrôles de 2020 : des signalements "
        "infondés ne doivent pas être conservés.",
        candidates=_unfounded_signalements,
        clock="qualified_at",
        warn=True,
        reference=_reference("Signalement"),
        url=lambda obj: reverse("reports:detail", kwargs={"pk": obj.pk}),
    )
)
register(
    Rule(
        code="signalement_closed",
        label="Signalements classés sans suite pour un autre motif, ou réorientés vers le droit "
        "commun",
        models=("reports.signalement",),
        default_days=YEAR,
        min_days=90,
        max_days=YEAR,
        starts="après la qualification",
        basis="Art. 5.1.e RGPD ; délibération CNIL n° 2014-262 (AU-038) prise comme référence : "
        "conservation le temps nécessaire au suivi.",
        candidates=_other_closed_signalements,
        clock="qualified_at",
        warn=True,
        reference=_reference("Signalement"),
        url=lambda obj: reverse("reports:detail", kwargs={"pk": obj.pk}),
    )
)
register(
    Rule(
        code="situation",
        label="Situations : actives pendant le suivi, archivées à la clôture, puis détruites "
        "(avec leurs signalements, mesures, notes, revues, points de séance et transmissions)",
        models=("cases.situation",),
        default_days=3 * YEAR,
        min_days=YEAR,
        max_days=3 * YEAR,
        starts="après la clôture",
        basis="Délibération CNIL n° 2014-262 (AU-038), art. 5 : archive intermédiaire de trois "
        "ans après la fin du suivi, consultée de manière ponctuelle et motivée, puis destruction.",
        candidates=_closed_situations,
        clock="closed_at",
        warn=True,
        reference=_reference("Situation"),
        url=lambda obj: reverse("cases:detail", kwargs={"pk": obj.pk}),
    )
)
register(
    Rule(
        code="rights_request",
        label="Demandes d'exercice des droits, une fois répondues",
        models=("privacy.rightsrequest",),
        default_days=3 * YEAR,
        min_days=YEAR,
        max_days=6 * YEAR,
        starts="après la réponse",
        basis="Preuve du traitement de la demande (art. 5.2 et 12 RGPD) ; durée à valider par "
        "le délégué à la protection des données.",
        candidates=_answered_requests,
        clock="answered_on",
        reference=_reference("Demande"),
        url=lambda obj: reverse("privacy:request_detail", kwargs={"pk": obj.pk}),
    )
)
register(
    Rule(
        code="invitation",
        label="Invitations à rejoindre une cellule (nom et adresse de l'invité)",
        models=("accounts.invitation",),
        default_days=180,
        min_days=180,
        max_days=180,
        starts="après leur expiration",
        basis="Minimisation : une invitation acceptée, annulée ou expirée n'a plus d'usage.",
        candidates=_ended_invitations,
        clock="expires_at",
        configurable=False,
    )
)
register(
    Rule(
        code="person",
        label="Personnes concernées : détruites (clé détruite, puis lignes) quand plus aucun "
        "dossier ne les concerne",
        models=("people.person",),
        default_days=0,
        min_days=0,
        max_days=0,
        starts="dès la suppression de leur dernier dossier",
        basis="Une identité ne se conserve pas sans le dossier qui la justifie (art. 5.1.c et "
        "5.1.e RGPD).",
        configurable=False,
    )
)
register(
    Rule(
        code="journal",
        label="Journal des accès",
        models=("journal.auditevent",),
        default_days=12,
        min_days=6,
        max_days=36,
        starts="après l'événement",
        basis="Délibération CNIL n° 2021-122 (journalisation) : six mois à un an, davantage si un "
        "risque le justifie ; réglé par CELLULE_JOURNAL_RETENTION_MONTHS pour toute l'instance.",
        configurable=False,
        per_cell=False,
        enforced_by="manage.py purge (journal_purge, coupure signée)",
        unit="mois",
    )
)
register(
    Rule(
        code="notifications",
        label="Notifications, courriels envoyés et appareils connus",
        models=("alerts.notification", "alerts.emaildelivery", "alerts.knowndevice"),
        default_days=180,
        min_days=180,
        max_days=180,
        starts="après leur création (courriels : 30 jours après l'envoi)",
        basis="Minimisation ; les notifications qui désignent un dossier supprimé partent avec "
        "lui.",
        configurable=False,
        per_cell=False,
        enforced_by="manage.py run_periodic (ménage des alertes)",
    )
)


def _seances():
    from cellule.meetings.models import Seance

    # A séance goes once it is long over and no item of its agenda remains (items follow their
    # situation or signalement, so a séance about a file still followed stays).
    return Seance.objects.filter(items__isnull=True)


def _expired_state_information():
    from cellule.exchanges.models import Transmission

    return Transmission.objects.filter(kind="state_information", expires_at__isnull=False)


def _unlinked_transmissions():
    from cellule.exchanges.models import Transmission

    return Transmission.objects.filter(
        situation__isnull=True, signalement__isnull=True, reply_to__isnull=True
    ).exclude(kind="state_information")


def _installed(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


def register_meetings_and_exchanges() -> None:
    """Rules of the séances and transmissions, once their apps define these models."""
    if _installed("meetings.seance"):
        register(
            Rule(
                code="seance",
                label="Séances (date, lieu, présents) sans plus aucun point à l'ordre du jour",
                models=("meetings.seance",),
                default_days=3 * YEAR,
                min_days=3 * YEAR,
                max_days=3 * YEAR,
                starts="après la séance",
                basis="Les points et décisions suivent leur situation ; la séance elle-même se "
                "conserve comme les situations qu'elle a examinées.",
                candidates=_seances,
                clock="ends_at",
                configurable=False,
                reference=lambda obj: f"Séance du {obj.starts_at:%d/%m/%Y}",
            )
        )
    if _installed("exchanges.transmission"):
        # A transmission copied from a situation or a signalement follows it, although its key to
        # it is cleared (SET_NULL) rather than deleting it.
        register_follower("exchanges.transmission", "situation")
        register_follower("exchanges.transmission", "signalement")
        register(
            Rule(
                code="state_information",
                label="Informations nominatives du préfet au maire : contenu effacé à "
                "l'expiration (clé détruite par le module Échanges), trace supprimée ensuite",
                models=("exchanges.transmission",),
                default_days=YEAR,
                min_days=YEAR,
                max_days=YEAR,
                starts="après leur expiration",
                basis="Art. L. 132-3 CSI et instruction du 13 novembre 2018 : information "
                "limitée dans le temps ; la trace de l'échange se garde comme le journal.",
                candidates=_expired_state_information,
                clock="expires_at",
                cell_field="to_cell_id",
                configurable=False,
                reference=_reference("Transmission"),
            )
        )
        register(
            Rule(
                code="transmission_other",
                label="Transmissions sans situation ni signalement (informations générales)",
                models=("exchanges.transmission",),
                default_days=3 * YEAR,
                min_days=3 * YEAR,
                max_days=3 * YEAR,
                starts="après leur création",
                basis="Comme les situations : trois ans.",
                candidates=_unlinked_transmissions,
                clock="created_at",
                cell_field="from_cell_id",
                configurable=False,
                reference=_reference("Transmission"),
            )
        )


# --- Models that hold personal data, and what covers each ---------------------------------------

# Models holding personal data that no rule destroys, and why. Keep the reason true.
ACCOUNT_LIFECYCLE = (
    "Donnée des comptes des agents : suit la vie du compte (habilitation retirée, compte "
    "désactivé par l'administrateur) ; les dossiers et le journal désignent leurs auteurs."
)
EXEMPTIONS: dict[str, str] = {
    "accounts.user": ACCOUNT_LIFECYCLE,
    "accounts.membership": ACCOUNT_LIFECYCLE,
    "accounts.externalidentity": ACCOUNT_LIFECYCLE,
    "accounts.usersession": "Sessions ouvertes : supprimées à la déconnexion ou à l'expiration "
    "de la session (12 heures au plus).",
    "accounts.recoverycodedevice": ACCOUNT_LIFECYCLE,
    "accounts.formsubmission": "Envois de formulaires (jeton, adresse de la page) : oubliés après "
    "24 heures par les tâches planifiées.",
    "accounts.recoverycode": ACCOUNT_LIFECYCLE,
    "alerts.notificationpreference": ACCOUNT_LIFECYCLE,
    "api.apitoken": ACCOUNT_LIFECYCLE + " Un jeton expire de lui-même.",
    "privacy.retentionsetting": "Configuration de la cellule : son auteur reste la preuve de "
    "qui l'a choisie.",
    # Not personal (no identifier of anyone), listed so that nobody has to wonder.
    "stats.fact": "Faits statistiques anonymes : aucune personne, aucune date exacte ; ils "
    "survivent à toute purge.",
}


def _base_models() -> list:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("cellule.") and not model._meta.proxy
    ]


def holds_personal_data(candidates=None) -> set[str]:
    """Labels of the models that hold personal data: those that store it themselves (encrypted
    fields, blind indexes, the accounts and persons tables), and those that point, directly or
    through other tables, at a row that does (a measure points at a situation, which points at a
    person; a notification points at its recipient)."""
    from cellule.people.models import BlindIndexField, EncryptedField

    candidates = candidates or _base_models()
    personal = {settings.AUTH_USER_MODEL.lower(), "people.person"}
    for model in candidates:
        if any(isinstance(f, EncryptedField | BlindIndexField) for f in model._meta.fields):
            personal.add(model._meta.label_lower)
    changed = True
    while changed:
        changed = False
        for model in candidates:
            label = model._meta.label_lower
            if label in personal:
                continue
            for relation in model._meta.get_fields():
                if (
                    relation.is_relation
                    and relation.concrete
                    and relation.related_model is not None
                    and relation.related_model._meta.label_lower in personal
                ):
                    personal.add(label)
                    changed = True
                    break
    return {model._meta.label_lower for model in candidates} & personal


def following_relations(model) -> list[tuple]:
    """(model, foreign key name) of the rows that go when a row of ``model`` goes."""
    found = []
    for relation in model._meta.related_objects:
        if relation.many_to_many:
            continue  # the link rows go by themselves
        on_delete = relation.on_delete
        if on_delete in (models.CASCADE, models.PROTECT, models.RESTRICT):
            found.append((relation.related_model, relation.field.name))
    label = model._meta.label_lower
    for follower, key in FOLLOWERS:
        try:
            follower_model = apps.get_model(follower)
        except LookupError:
            continue
        target = follower_model._meta.get_field(key).related_model
        if target._meta.label_lower == label:
            found.append((follower_model, key))
    return found


def coverage(candidates=None) -> dict[str, str]:
    """Label → what covers it: « règle … », « suit … », or the exemption's reason."""
    covered: dict[str, str] = {}
    for rule in RULES.values():
        for label in rule.models:
            covered.setdefault(label, f"règle « {rule.code} »")
    queue = list(covered)
    while queue:
        label = queue.pop()
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        for follower, _key in following_relations(model):
            follower_label = follower._meta.label_lower
            if follower_label not in covered:
                covered[follower_label] = f"suit {label}"
                queue.append(follower_label)
    for label, reason in EXEMPTIONS.items():
        covered.setdefault(label, f"exemption : {reason}")
    return covered


def uncovered(candidates=None) -> list[str]:
    """Models holding personal data that nothing covers: the meta-test wants none."""
    covered = coverage(candidates)
    return sorted(label for label in holds_personal_data(candidates) if label not in covered)


# --- Destroying a root and what follows it ------------------------------------------------------


@dataclass
class Destroyed:
    """What one destruction deleted: rows by table, and the ids by table (to clear the
    notifications that designate them)."""

    tables: Counter = field(default_factory=Counter)
    ids: dict = field(default_factory=lambda: defaultdict(set))
    persons: set = field(default_factory=set)  # persons whose records went: orphans now?

    def add(self, other: Destroyed) -> None:
        self.tables.update(other.tables)
        self.persons |= other.persons
        for label, ids in other.ids.items():
            self.ids[label] |= ids


def destroy(model, pks, *, now) -> Destroyed:
    """Deletes the rows ``pks`` of ``model`` and everything that follows them, data keys first
    (crypto-shredding: a copy that survives somewhere stays unreadable). Call it inside a
    transaction; it checks no hold (the caller does)."""
    result = Destroyed()
    _destroy(model, set(pks), result, now)
    return result


def _destroy(model, pks: set, result: Destroyed, now) -> None:
    if not pks:
        return
    _shred_keys(model, pks, now)
    for person_key in _person_keys(model):
        result.persons |= set(
            model._base_manager.filter(pk__in=pks, **{f"{person_key}__isnull": False})
            .values_list(person_key, flat=True)
            .distinct()
        )
    for follower, key in following_relations(model):
        children = set(
            follower._base_manager.filter(**{f"{key}__in": pks}).values_list("pk", flat=True)
        )
        if follower is model:
            children -= pks
        _destroy(follower, children, result, now)
    result.ids[model._meta.label_lower] |= {str(pk) for pk in pks}
    _, per_model = model._base_manager.filter(pk__in=pks).delete()
    for label, count in per_model.items():
        if count:
            result.tables[label.lower()] += count


def _person_keys(model) -> list[str]:
    return [
        f.attname
        for f in model._meta.fields
        if f.is_relation and f.related_model._meta.label_lower == "people.person"
    ]


def _shred_keys(model, pks, now) -> None:
    """Destroys the data keys of the rows first: a person's, a transmission's, a request's."""
    names = {f.name for f in model._meta.get_fields()}
    if "wrapped_key" in names:
        model._base_manager.filter(pk__in=pks).update(wrapped_key=None)
    for relation in model._meta.related_objects:
        key_model = relation.related_model
        key_fields = {f.name for f in key_model._meta.get_fields()}
        if relation.one_to_one and {"wrapped_key", "destroyed_at"} <= key_fields:
            key_model._base_manager.filter(
                **{f"{relation.field.name}__in": pks}, wrapped_key__isnull=False
            ).update(wrapped_key=None, destroyed_at=now)


def person_records_filter() -> list[tuple]:
    """(model, key) of the records that keep a person alive: every relation to a person except
    its parts and the loose links (SET_NULL)."""
    from cellule.people.models import Person

    kept = []
    for relation in Person._meta.related_objects:
        label = relation.related_model._meta.label_lower
        if relation.many_to_many or label in PERSON_PARTS:
            continue
        if relation.on_delete in (models.SET_NULL, models.SET_DEFAULT, models.DO_NOTHING):
            continue
        kept.append((relation.related_model, relation.field.name))
    return kept


def orphan_persons(person_ids=None):
    """Persons no record concerns any more (among ``person_ids`` when given)."""
    from cellule.people.models import Person

    persons = Person.objects.all()
    if person_ids is not None:
        persons = persons.filter(pk__in=person_ids)
    for model, key in person_records_filter():
        referenced = model._base_manager.filter(**{f"{key}__isnull": False}).values(key)
        persons = persons.exclude(pk__in=referenced)
    return persons
