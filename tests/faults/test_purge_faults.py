"""The purge killed (issue 13): ``manage.py purge`` SIGKILLed at random moments, restarted each
time, never leaves a record half-destroyed, never touches what is not due, and the journal
still verifies.

A record is its root (a situation, a signalement) with every row that goes with it — its person
and the person's data key when no other record concerns them, its reports, measures, notes,
events, notifications — found from the models as the purge finds them
(``rules.following_relations``). After each kill each record is wholly there, key intact, or
wholly gone. Records are made in 2015 with a frozen clock: the purge, run by the real clock in its
own process, finds them long past their rule. See conftest for why this needs PostgreSQL.
"""

import random
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Sum

from cellule.accounts.enums import Role
from cellule.alerts.models import Notification
from cellule.alerts.services import notify
from cellule.cases import services as case_services
from cellule.cases.models import Situation
from cellule.journal.verification import verify_journal
from cellule.people.models import Person, PersonKey
from cellule.privacy import rules
from cellule.privacy import services as privacy_services
from cellule.privacy.models import PurgeCertificate, PurgeLine
from cellule.reports import services as report_services
from cellule.reports.models import Signalement
from tests.accounts.factories import MembershipFactory
from tests.cases.factories import measure, open_situation
from tests.faults.conftest import ROOT, child_env, kill_group
from tests.privacy.factories import qualified_signalement
from tests.reports.factories import file_signalement

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("on_postgresql")]

START = datetime(2015, 1, 5, 9, 0, tzinfo=UTC)  # every record made then is long past its rule
LONG_AGO = date(2000, 1, 1)
SITUATIONS = 240  # closed in 2015: due, each with its person (and a measure and a note for some)
SIGNALEMENTS = 160  # qualified unfounded in 2015: due, each with its person
KILLS = 50
KILLING_TIME = 120  # seconds: fewer kills if they do not fit (about 2 s per kill here)


@pytest.fixture
def coordinator(cell):
    """Habilitated since long ago, so that they may act in 2015 (see tests/privacy/conftest)."""
    return MembershipFactory(cell=cell, role=Role.COORDINATOR, valid_from=LONG_AGO).user


@pytest.fixture
def member(cell):
    return MembershipFactory(cell=cell, role=Role.MEMBER, valid_from=LONG_AGO).user


def at(moment):
    return time_machine.travel(moment, tick=False)


def identity(number: int, family: str) -> dict:
    """Distinct identities: one birth date each, so that no report is taken for a duplicate."""
    return {
        "last_name": family,
        "first_name": "Camille",
        "birth_date": date(2000, 1, 1) + timedelta(days=number),
    }


def closed_in_2015(cell, number, *, coordinator, member, family="Durand"):
    """A situation opened and closed in 2015; every third one with a measure and a note."""
    with at(START):
        situation = open_situation(cell, by=coordinator, **identity(number, family))
        if number % 3 == 0:
            measure(situation, provider=member.organisation, by=coordinator, accepted=True)
            case_services.add_note(situation=situation, text="Entretien au CCAS.", by=coordinator)
        keep = [
            case_services.TextReview(key=item["key"], decision="keep")
            for item in case_services.free_texts(situation)
        ]
        return case_services.close_situation(
            situation=Situation.objects.get(pk=situation.pk),
            reason="goals_met",
            text="Objectifs atteints.",
            reviews=keep,
            by=coordinator,
        )


class Records:
    """Each record's rows, by model: to tell, after a kill, what is wholly there or gone."""

    def __init__(self):
        self.roots = {}  # record → [(model, pk)] it starts from
        self.owner = {}  # (model, pk) → record
        self.persons = {}  # record → its person's pk, whose key must be intact while it lives

    def add(self, record, model, pk, *, person=None, alone=False):
        """``alone``: the row only, not what follows it (a person whose records are others')."""
        if alone:
            self.owner[model, pk] = record
        else:
            self.roots.setdefault(record, []).append((model, pk))
        if person is not None:
            self.persons[record] = person

    def snapshot(self) -> None:
        """Walks down from the roots as ``rules.destroy`` does, a level at a time."""
        frontier = defaultdict(dict)
        for record, roots in self.roots.items():
            for model, pk in roots:
                frontier[model][pk] = record
        while frontier:
            following = defaultdict(dict)
            for model, owned in frontier.items():
                owned = {pk: r for pk, r in owned.items() if (model, pk) not in self.owner}
                self.owner.update({(model, pk): r for pk, r in owned.items()})
                for follower, key in rules.following_relations(model):
                    rows = follower._base_manager.filter(**{f"{key}__in": list(owned)})
                    for pk, parent in rows.values_list("pk", key):
                        following[follower][pk] = owned[parent]
            frontier = following

    def present(self) -> dict:
        """record → (rows present, rows in all, the tables of the rows present)."""
        by_model = defaultdict(set)
        for model, pk in self.owner:
            by_model[model].add(pk)
        counts = defaultdict(lambda: [0, 0, set()])
        for model, pks in by_model.items():
            there = set(model._base_manager.filter(pk__in=pks).values_list("pk", flat=True))
            for pk in pks:
                count = counts[self.owner[model, pk]]
                count[0] += pk in there
                count[1] += 1
                if pk in there:
                    count[2].add(model._meta.label_lower)
        return counts

    def shredded_persons(self) -> set:
        return set(
            PersonKey.objects.filter(
                person_id__in=self.persons.values(), wrapped_key__isnull=True
            ).values_list("person_id", flat=True)
        )


@pytest.fixture
def records(cell, coordinator, member):
    """(due, kept): the records the purge must destroy, those it must leave untouched."""
    due, kept = Records(), Records()
    for number in range(SITUATIONS):
        situation = closed_in_2015(cell, number, coordinator=coordinator, member=member)
        due.add(situation.pk, Person, situation.person_id, person=situation.person_id)
        if number % 6 == 0:
            notify(
                kind="situation_review_due",
                recipients=[coordinator],
                key=f"{situation.pk}:2015-03-01",
                cell=cell,
                target=situation,
            )
            for pk in Notification.objects.filter(target_id=str(situation.pk)).values_list(
                "pk", flat=True
            ):
                due.add(situation.pk, Notification, pk)
    with at(START):
        for number in range(SIGNALEMENTS):
            report = qualified_signalement(
                cell, by=coordinator, closed="unfounded", **identity(number, "Roux")
            )
            due.add(report.pk, Person, report.person_id, person=report.person_id)

    # Not due: open situations, a situation and reports closed today, a held situation.
    for number in range(10):
        with at(START):
            situation = open_situation(cell, by=coordinator, **identity(number, "Petit"))
        kept.add(situation.pk, Person, situation.person_id, person=situation.person_id)
    for number in range(5):
        situation = open_situation(cell, by=coordinator, **identity(number, "Blanc"))
        situation = case_services.close_situation(
            situation=situation, reason="goals_met", text="Fin.", reviews=[], by=coordinator
        )
        kept.add(situation.pk, Person, situation.person_id, person=situation.person_id)
        report = qualified_signalement(
            cell, by=coordinator, closed="unfounded", **identity(number, "Leroy")
        )
        kept.add(report.pk, Person, report.person_id, person=report.person_id)
    held = closed_in_2015(cell, 0, coordinator=coordinator, member=member, family="Garnier")
    privacy_services.place_hold(situation=held, ground="litigation", detail="TA", by=coordinator)
    kept.add(held.pk, Person, held.person_id, person=held.person_id)
    # A person whose old situation is due, reported again since: the situation goes, not them.
    for number in range(5):
        old = closed_in_2015(cell, number, coordinator=coordinator, member=member, family="Faure")
        newer = file_signalement(cell, **identity(number, "Faure"))
        report_services.attach_to_person(signalement=newer, person=old.person, by=coordinator)
        due.add(old.pk, Situation, old.pk)
        kept.add(newer.pk, Signalement, newer.pk)
        kept.add(old.person_id, Person, old.person_id, person=old.person_id, alone=True)
        kept.add(old.person_id, PersonKey, old.person_id, alone=True)
    due.snapshot()
    kept.snapshot()
    return due, kept


def half_done(due: Records, kept: Records) -> list[str]:
    """What a kill may not leave: a record in part, a live record's key destroyed, anything not
    due touched, a situation or report whose person's key is destroyed."""
    faults = []
    for record, (there, rows, tables) in due.present().items():
        if 0 < there < rows:
            faults.append(
                f"dossier {record} : {there} lignes sur {rows} ({', '.join(sorted(tables))})"
            )
    for record, (there, rows, _) in kept.present().items():
        if there < rows:
            faults.append(f"dossier non échu {record} touché : {there} lignes sur {rows}")
    living = set(Person.objects.filter(pk__in=due.persons.values()).values_list("pk", flat=True))
    if shredded := due.shredded_persons() & living:
        faults.append(f"{len(shredded)} personne(s) présente(s) dont la clé est détruite")
    if shredded := kept.shredded_persons():
        faults.append(f"{len(shredded)} personne(s) non échue(s) dont la clé est détruite")
    for model in (Situation, Signalement):
        orphaned = model._base_manager.filter(person__key__wrapped_key__isnull=True)
        if count := orphaned.count():
            faults.append(f"{count} {model._meta.verbose_name} dont la personne n'a plus de clé")
    return faults


def backends() -> int:
    """Connections to the test databases other than ours: a purge process has started work."""
    names = [connections[alias].settings_dict["NAME"] for alias in ("default", "journal")]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = ANY(%s) AND pid <> ALL(%s)",
            [names, [conn.connection.info.backend_pid for conn in our_connections()]],
        )
        return cursor.fetchone()[0]


def our_connections():
    return [connections[alias] for alias in ("default", "journal") if connections[alias].connection]


def settled(others: int) -> None:
    """Waits until the killed purge's server sessions are gone: the server ends a statement the
    process had sent (a COMMIT among them) before it notices the process died. Read earlier, a
    record is seen half there — its first table before that COMMIT, the others after it."""
    deadline = time.monotonic() + 30
    while backends() > others and time.monotonic() < deadline:
        time.sleep(0.01)
    assert backends() <= others, "les sessions du processus arrêté sont toujours ouvertes"


def purge_process(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "purge"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def test_the_purge_killed_fifty_times_leaves_no_record_half_destroyed(records, checkpoint_dir):
    due, kept = records
    assert half_done(due, kept) == []
    env = child_env(CELLULE_JOURNAL_CHECKPOINT_DIR=str(checkpoint_dir))
    rng = random.Random(13)
    kills = during = 0
    deadline = time.monotonic() + KILLING_TIME
    while kills < KILLS and time.monotonic() < deadline:
        records_left = any(there for there, _, _ in due.present().values())
        others = backends()
        purge = purge_process(env)
        # Killed at a random moment of its work, from its first query on (most of its life is
        # Django's start), early moments likelier: the records' batches come first.
        while backends() <= others and purge.poll() is None:
            time.sleep(0.005)
        try:
            purge.wait(timeout=0.8 * rng.random() ** 2)
            # Ended before its kill: the next one starts again on what is left (the journal's
            # purge and the certificate at least).
            assert purge.returncode == 0, purge.stderr.read().decode()[-2000:]
        except subprocess.TimeoutExpired:
            kill_group(purge)
            settled(others)
            kills += 1
            during += records_left
        purge.stderr.close()
        assert half_done(due, kept) == [], f"après {kills} arrêt(s) ({during} en cours de dossiers)"
        assert verify_journal().ok, f"après {kills} arrêt(s)"
    assert during, "aucun arrêt pendant la destruction des dossiers"

    purge = purge_process(env)  # then one run left to finish, as after a real restart
    _, errors = purge.communicate(timeout=120)
    assert purge.returncode == 0, errors.decode()[-2000:]
    assert all(there == 0 for there, _, _ in due.present().values())
    assert all(there == rows for there, rows, _ in kept.present().values())
    assert half_done(due, kept) == []
    assert PurgeCertificate.objects.filter(finished_at__isnull=False).exists()
    # Each situation destroyed is counted once, on the certificate of the run that destroyed it:
    # the killed runs' certificates have no end, but count the batches they committed.
    counted = PurgeLine.objects.filter(rule="situation").aggregate(n=Sum("deleted"))["n"]
    assert counted == SITUATIONS + 5
    call_command("journal_verify")
