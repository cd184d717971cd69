"""Generate the synthetic national data set of the bench (``python -m bench.generate``).

    python -m bench.generate --scale default|small [--seed N] [--force] [--allow-sqlite]

Into the bench's own databases (bench/environment.py), never the developer's. Deterministic
for a seed: the same territory, organisations, cells, accounts, names and journal actions come
out each time (ids of persons, data keys and nonces are random by nature: they are crypto).

What it makes, for what exists today:
- the COG (``manage.py import_cog``): every région, département and commune;
- cells: one departmental cell per département in play (all of them at the default scale), and
  municipal cells (CMER) in the largest communes, shared out by population;
- their organisations (préfecture, conseil départemental, DSDEN, police, gendarmerie; commune,
  CCAS, mission locale, prévention spécialisée, police municipale);
- accounts with memberships of every role (a few charters left unsigned), a DPO per controller,
  one administrator; every account with a confirmed TOTP device and the bench password;
- persons (Faker fr_FR names) through ``cellule.people.services.build_person``, bulk-created:
  the very ciphertexts and blind indexes the services store;
- their casework (bench/casework.py): signalements with indicators of the grid (~60 % qualified),
  the situations qualified reports open with their events, reviews and notes, the measures of
  their plans, every free text sealed under the person's key, and the statistics facts that
  ``record_fact`` writes for those events;
- journal events through the journal's chain code, bulk-inserted under its writer lock, then a
  signed head checkpoint; ``manage.py journal_verify`` must say OK. Some of them are reads of the
  generated situations and lists of signalements, so that a situation's « consultations » and
  the DPO's journal show them.

Skipped when the databases already hold the same scale, seed and keys (``--force`` or
BENCH_REGENERATE=1 regenerates).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import subprocess
import sys
import time
import unicodedata
import uuid
from collections import Counter, defaultdict
from datetime import timedelta

from bench import databases
from bench.environment import (
    BASE_DIR,
    BENCH_PASSWORD,
    CHECKPOINT_DIR,
    SCALES,
    Scale,
    bench_env,
    check_engine,
    database_urls,
    fail,
    keys,
    keys_fingerprint,
    redact,
    setup_django,
)

DEFAULT_SEED = 2026
BATCH = 2_000
EVENT_BATCH = 50_000
DOMAIN = "bench.cellule.test"

# Accounts of a municipal cell (CMER): (role, organisation key, how many).
MUNICIPAL_ROLES = (
    ("president", "commune", 1),
    ("coordinator", "commune", 2),
    ("member", "ccas", 1),
    ("member", "mission_locale", 1),
    ("member", "prevention", 1),
    ("member", "education", 1),
    ("member", "police_municipale", 1),
    ("reporter", "commune", 1),
    ("reporter", "police_municipale", 1),
    ("reporter", "ccas", 1),
    ("guest", "conseil_departemental", 1),
)
# Accounts of a departmental cell (préfecture).
DEPARTMENTAL_ROLES = (
    ("president", "prefecture", 1),
    ("coordinator", "prefecture", 1),
    ("member", "education", 1),
    ("member", "conseil_departemental", 1),
    ("member", "prefecture", 1),
    ("state_delegate", "police", 1),
    ("state_delegate", "gendarmerie", 1),
    ("reporter", "prefecture", 1),
)
UNSIGNED_SHARE = 0.03  # members and reporters who have not signed the charter yet

# Journal actions: (action, weight, who may do it, what it targets).
READERS = ("president", "coordinator", "member", "state_delegate")
CELL_WIDE = ("president", "coordinator")
EVENT_KINDS = (
    ("record_viewed", 32, READERS, "person"),
    ("record_viewed", 8, READERS, "situation"),
    ("list_viewed", 12, READERS, "person_list"),
    ("list_viewed", 4, READERS, "situation_list"),
    ("list_viewed", 2, CELL_WIDE, "signalement_list"),
    ("member_list_viewed", 5, READERS, "cell_members"),
    ("cell_viewed", 4, READERS, "cell"),
    ("record_created", 4, ("coordinator", "member", "reporter"), "person"),
    ("record_updated", 4, ("coordinator", "president"), "person"),
    ("login", 8, None, "self"),
    ("otp_verified", 8, None, "self"),
    ("logout", 5, None, "self"),
    ("login_failed", 1, None, "failed"),
    ("export", 1, ("coordinator", "president"), "person"),
    ("print", 1, ("coordinator", "president"), "person"),
    ("charter_signed", 1, None, "membership"),
)
REASONS = {
    "export": ("demande du parquet", "transmission à la préfecture", "relevé de décisions"),
    "print": ("séance plénière", "séance restreinte", "relevé de décisions"),
}


def log(message: str) -> None:
    print(f"[bench.generate] {message}", flush=True)


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() else "-" for c in ascii_text.lower()).strip("-")


def of(name: str) -> str:
    """« de » with French elision and contraction: d'Istres, du Havre, des Mureaux, de Lyon."""
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if name.startswith("Les "):
        return f"des {name[4:]}"
    if slug(name[:1]) in {"a", "e", "i", "o", "u", "y"}:
        return f"d'{name}"
    return f"de {name}"


def number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def rng_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def label_for(scale: Scale, seed: int) -> dict:
    return {
        "format": databases.FORMAT,
        "scale": scale.as_dict(),
        "seed": seed,
        "keys": keys_fingerprint(keys()),
    }


def is_current(scale: Scale, seed: int) -> bool:
    wanted = label_for(scale, seed)
    for url in database_urls():
        label = databases.exists(url) and databases.read_label(url)
        if not label or {k: label.get(k) for k in wanted} != wanted:
            return False
    return True


# --- Territory, organisations, cells ------------------------------------------------------------


def _share(total: int, weights: list[float], caps: list[int]) -> list[int]:
    """Largest-remainder split of ``total`` proportional to ``weights``, each under its cap."""
    result = [0] * len(weights)
    remaining = total
    while remaining > 0:
        open_ = [i for i in range(len(weights)) if result[i] < caps[i]]
        if not open_:
            break
        weight = sum(weights[i] for i in open_) or len(open_)
        quotas = {i: remaining * (weights[i] or 1) / weight for i in open_}
        given = 0
        for i in open_:
            add = min(int(quotas[i]), caps[i] - result[i])
            result[i] += add
            given += add
        if given == 0:  # hand out the remainders one by one, largest first
            for i in sorted(open_, key=lambda i: quotas[i] - int(quotas[i]), reverse=True):
                if remaining - given == 0:
                    break
                if result[i] < caps[i]:
                    result[i] += 1
                    given += 1
        remaining -= given
    return result


def make_cells(scale: Scale, rng: random.Random):
    from cellule.accounts.enums import CellKind, OrganisationKind
    from cellule.accounts.models import Cell, Organisation
    from cellule.territory.models import Commune, Departement

    departements = list(Departement.objects.order_by("code"))
    if scale.cells >= 2 * len(departements):
        chosen = departements
    else:
        count = max(1, min(len(departements), scale.cells // 5))
        chosen = sorted(rng.sample(departements, count), key=lambda d: d.code)
    communes_by_dep = defaultdict(list)
    for commune in Commune.objects.filter(departement__in=chosen).order_by("-population", "code"):
        communes_by_dep[commune.departement_id].append(commune)
    populations = [sum(c.population or 0 for c in communes_by_dep[d.code]) for d in chosen]
    shares = _share(
        scale.cells - len(chosen), populations, [len(communes_by_dep[d.code]) for d in chosen]
    )

    organisations, cells, cell_communes = [], [], []
    org_by_key = {}

    def organisation(key, name, kind, departement, commune=None):
        taken = {(o.name, o.departement_id) for o in organisations}
        if (name, departement.code) in taken:
            name = f"{name} ({commune.code if commune else departement.code})"
        org = Organisation(
            id=rng_uuid(rng), name=name, kind=kind, departement=departement, commune=commune
        )
        organisations.append(org)
        org_by_key[key] = org
        return org

    cell_names = set()
    plan = []  # (cell, kind, {org key: organisation}, communes of the cell's territory)
    for departement, municipal_count in zip(chosen, shares, strict=True):
        d = departement.code
        base = {
            "prefecture": organisation(
                (d, "prefecture"),
                f"Préfecture — {departement.name}",
                OrganisationKind.PREFECTURE,
                departement,
            ),
            "conseil_departemental": organisation(
                (d, "cd"),
                f"Conseil départemental — {departement.name}",
                OrganisationKind.CONSEIL_DEPARTEMENTAL,
                departement,
            ),
            "education": organisation(
                (d, "dsden"),
                f"Services départementaux de l'Éducation nationale — {departement.name}",
                OrganisationKind.EDUCATION_NATIONALE,
                departement,
            ),
            "police": organisation(
                (d, "police"),
                f"Direction départementale de la police nationale — {departement.name}",
                OrganisationKind.POLICE_NATIONALE,
                departement,
            ),
            "gendarmerie": organisation(
                (d, "gendarmerie"),
                f"Groupement de gendarmerie — {departement.name}",
                OrganisationKind.GENDARMERIE,
                departement,
            ),
        }
        name = f"Cellule départementale — {departement.name}"
        cell = Cell(
            id=rng_uuid(rng),
            kind=CellKind.DEPARTMENTAL,
            name=name,
            departement=departement,
            organisation=base["prefecture"],
        )
        cell_names.add(name)
        cells.append(cell)
        plan.append((cell, base, communes_by_dep[d][:200]))
        for commune in communes_by_dep[d][:municipal_count]:
            orgs = dict(base)
            for key, label, kind in (
                ("commune", "Commune", OrganisationKind.COMMUNE),
                ("ccas", "CCAS", OrganisationKind.CCAS),
                ("mission_locale", "Mission locale", OrganisationKind.MISSION_LOCALE),
                ("prevention", "Prévention spécialisée", OrganisationKind.PREVENTION_SPECIALISEE),
                ("police_municipale", "Police municipale", OrganisationKind.POLICE_MUNICIPALE),
            ):
                orgs[key] = organisation(
                    (commune.code, key), f"{label} {of(commune.name)}", kind, departement, commune
                )
            name = f"CMER {of(commune.name)}"
            if name in cell_names:
                name = f"{name} ({commune.code})"
            cell_names.add(name)
            cell = Cell(
                id=rng_uuid(rng),
                kind=CellKind.MUNICIPAL,
                name=name,
                departement=departement,
                organisation=orgs["commune"],
                meeting_interval_weeks=rng.choice((4, 5, 6, 8)),
            )
            cells.append(cell)
            cell_communes.append(Cell.communes.through(cell_id=cell.id, commune_id=commune.code))
            plan.append((cell, orgs, [commune]))

    Organisation.objects.bulk_create(organisations, batch_size=BATCH)
    Cell.objects.bulk_create(cells, batch_size=BATCH)
    Cell.communes.through.objects.bulk_create(cell_communes, batch_size=BATCH)
    return plan, len(organisations)


# --- Accounts -----------------------------------------------------------------------------------


def make_accounts(plan, rng: random.Random, fake) -> dict:
    """Users, memberships and TOTP devices; returns who is where, for the journal events."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cellule.accounts.enums import CellKind, GlobalRole
    from cellule.accounts.models import Membership, User

    password = make_password(BENCH_PASSWORD)  # one Argon2 hash, shared: hashing is the slow part
    now = timezone.now()
    today = timezone.localdate()
    users, memberships, devices = [], [], []
    members_by_cell = defaultdict(list)  # cell id -> [(user id, org id, role, membership id)]
    names = {}  # user id -> full name (the référent's name the cases services journal)
    numbers = itertools.count(1)

    def new_user(organisation, global_role=""):
        first, last = fake.first_name(), fake.last_name()
        user = User(
            id=rng_uuid(rng),
            email=f"{slug(first)}.{slug(last)}.{next(numbers)}@{DOMAIN}",
            first_name=first,
            last_name=last,
            organisation=organisation,
            global_role=global_role,
            password=password,
            date_joined=now - timedelta(days=rng.randint(30, 900)),
        )
        users.append(user)
        names[user.id] = f"{first} {last}"
        devices.append(
            TOTPDevice(
                user=user,
                name="Application d'authentification",
                confirmed=True,
                key=rng.getrandbits(160).to_bytes(20, "big").hex(),
            )
        )
        return user

    def add_membership(user, cell, role, signed=True):
        membership = Membership(
            id=rng_uuid(rng),
            user=user,
            cell=cell,
            role=role,
            valid_from=today - timedelta(days=rng.randint(20, 700)),
            valid_until=today + timedelta(days=30) if role == "guest" else None,
            charter_signed_version=cell.charter_version if signed else None,
            charter_signed_at=now - timedelta(days=rng.randint(1, 15)) if signed else None,
        )
        memberships.append(membership)
        if signed:
            members_by_cell[cell.id].append((user.id, user.organisation_id, role, membership.id))

    new_user(None, GlobalRole.ADMIN)
    sub_prefects = {}  # one « sous-préfet » per département sits in each of its CMERs
    for cell, orgs, _communes in plan:
        roles = MUNICIPAL_ROLES if cell.kind == CellKind.MUNICIPAL else DEPARTMENTAL_ROLES
        for role, org_key, count in roles:
            for _ in range(count):
                signed = role not in {"member", "reporter"} or rng.random() >= UNSIGNED_SHARE
                add_membership(new_user(orgs[org_key]), cell, role, signed)
        if cell.kind == CellKind.MUNICIPAL:
            dep = cell.departement_id
            if dep not in sub_prefects:
                sub_prefects[dep] = new_user(orgs["prefecture"])
            add_membership(sub_prefects[dep], cell, "state_delegate")
        new_user(cell.organisation, GlobalRole.DPO)  # the controller's DPO

    User.objects.bulk_create(users, batch_size=BATCH)
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    TOTPDevice.objects.bulk_create(devices, batch_size=BATCH)
    return {
        "members_by_cell": members_by_cell,
        "names": names,
        "users": [(u.id, u.organisation_id, u.global_role) for u in users],
        "counts": {"users": len(users), "memberships": len(memberships)},
    }


# --- Persons ------------------------------------------------------------------------------------


def cell_weights(plan) -> list[float]:
    """Activity of each cell: municipal cells by their commune's population (square root, so that
    Paris does not take everything), departmental cells like a middle-sized CMER."""
    weights = []
    for cell, _orgs, communes in plan:
        if cell.kind == "municipal":
            weights.append(max(communes[0].population or 0, 2_000) ** 0.5)
        else:
            weights.append(150.0)
    return weights


def make_persons(plan, count: int, rng: random.Random, fake, *, log_every: int):
    """Persons bulk-created; returns their ids by cell, and what the casework needs of each."""
    from django.utils import timezone

    from bench.casework import PersonInfo
    from cellule.people.bench import _random_identity
    from cellule.people.models import Person, PersonKey
    from cellule.people.services import build_person

    today = timezone.localdate()
    weights = cell_weights(plan)
    targets = rng.choices(range(len(plan)), weights=weights, k=count)
    persons_by_cell = defaultdict(list)
    infos = []
    batch_persons, batch_keys = [], []
    for done, index in enumerate(targets, start=1):
        cell, _orgs, communes = plan[index]
        commune = communes[0] if rng.random() < 0.9 else rng.choice(communes)
        person, key, cipher = build_person(
            cell=cell,
            identity=_random_identity(fake, rng, today),
            commune=commune,
            today=today,
        )
        person.created_at = person.updated_at = timezone.now() - timedelta(
            days=rng.randint(0, 1_000), seconds=rng.randint(0, 86_399)
        )
        batch_persons.append(person)
        batch_keys.append(key)
        persons_by_cell[cell.id].append(person.id)
        infos.append(
            PersonInfo(
                id=person.id,
                cell=index,
                commune_id=commune.pk,
                cipher=cipher,
                identity=person.identity,
                is_minor=person.is_minor,
                created_at=person.created_at,
            )
        )
        if len(batch_persons) >= BATCH or done == count:
            Person.objects.bulk_create(batch_persons)
            PersonKey.objects.bulk_create(batch_keys)
            batch_persons, batch_keys = [], []
        if done % log_every == 0:
            log(f"  {number(done)} personnes")
    return persons_by_cell, infos


# --- Casework: signalements, situations, measures, statistics facts ------------------------------


def make_casework(plan, accounts, infos, scale: Scale, rng: random.Random) -> dict:
    """The scale's signalements, situations and measures over the persons (bench/casework.py),
    inserted a chunk of persons at a time. Returns the counts, and the generated situations and
    signalements by cell (ids), which some journal events target."""
    from django.utils import timezone

    from bench import casework
    from cellule.reports.models import Indicator

    allocation = casework.allocate(
        len(infos),
        signalements=scale.signalements,
        situations=scale.situations,
        measures=scale.measures,
        rng=rng,
    )
    grid = list(Indicator.objects.current())
    staffs = [
        casework.staff_of(accounts["members_by_cell"][cell.id], orgs, accounts["names"])
        for cell, orgs, _communes in plan
    ]
    now = timezone.now()
    rows, counts = Counter(), Counter()
    situations_by_cell, signalements_by_cell = defaultdict(list), defaultdict(list)
    order = list(range(len(infos)))
    step = max(len(order) // 5, 1)
    for done, chunk in enumerate(casework.chunks(order), start=1):
        bundle = casework.Bundle()
        for index in chunk:
            reports = allocation.signalements[index]
            if not reports:
                continue
            info = infos[index]
            cell = plan[info.cell][0]
            bundle.add(
                casework.person_casework(
                    info,
                    cell=cell,
                    staff=staffs[info.cell],
                    reports=reports,
                    followed=allocation.followed[index],
                    measures=allocation.measures[index],
                    qualify_share=allocation.qualify_share,
                    grid=grid,
                    rng=rng,
                    now=now,
                )
            )
        casework.save(bundle, batch_size=BATCH)
        for name in casework.Bundle.TABLES:
            rows[name] += len(getattr(bundle, name))
        counts += bundle.counts
        for situation in bundle.situations:
            situations_by_cell[situation.cell_id].append(situation.pk)
        for report in bundle.signalements:
            signalements_by_cell[report.cell_id].append(report.pk)
        if (done * casework.CHUNK) // step != ((done - 1) * casework.CHUNK) // step:
            log(
                f"  dossiers de {number(min(done * casework.CHUNK, len(order)))} personnes : "
                f"{number(rows['signalements'])} signalements, {number(rows['situations'])} "
                f"situations, {number(rows['measures'])} mesures, {number(rows['facts'])} faits"
            )
    return {
        "rows": dict(rows),
        "states": casework.summary(counts),
        "targets": {"situation": situations_by_cell, "signalement": signalements_by_cell},
    }


# --- Journal events -----------------------------------------------------------------------------


def event_batches(
    plan,
    accounts,
    persons_by_cell,
    count: int,
    rng: random.Random,
    *,
    batch_size=EVENT_BATCH,
    targets=None,
):
    """Batches of journal events (values in HASHED_FIELDS order, without seq), oldest first.

    ``targets``: {"situation": {cell id: [ids]}, "signalement": {…}} of the generated casework;
    where a cell has none, its events on situations fall back to events on persons."""
    from django.utils import timezone

    targets = targets or {}
    situations_by_cell = targets.get("situation", {})
    signalements_by_cell = targets.get("signalement", {})
    weights = cell_weights(plan)
    cells = [cell for cell, _orgs, _communes in plan]
    kinds = list(range(len(EVENT_KINDS)))
    kind_weights = [weight for _kind, weight, *_ in EVENT_KINDS]
    role_lists = {}  # (cell id, roles) -> eligible memberships
    end = timezone.now() - timedelta(minutes=5)
    start = end - timedelta(days=330)
    step_us = (end - start) / timedelta(microseconds=1) / count

    def eligible(cell_id, roles):
        key = (cell_id, roles)
        if key not in role_lists:
            everyone = accounts["members_by_cell"][cell_id]
            role_lists[key] = [m for m in everyone if roles is None or m[2] in roles] or everyone
        return role_lists[key]

    cell_picks = iter(())
    kind_picks = iter(())
    batch = []
    for i in range(count):
        if i % 10_000 == 0:  # draw in blocks: rng.choices is much faster for many at once
            cell_picks = iter(rng.choices(range(len(cells)), weights=weights, k=10_000))
            kind_picks = iter(rng.choices(kinds, weights=kind_weights, k=10_000))
        cell = cells[next(cell_picks)]
        kind, _weight, roles, target = EVENT_KINDS[next(kind_picks)]
        situations = situations_by_cell.get(cell.id)
        if target in {"situation", "situation_list"} and not situations:
            target = "person" if target == "situation" else "person_list"
        members = eligible(cell.id, roles)
        if not members:
            continue
        user_id, org_id, role, membership_id = rng.choice(members)
        persons = persons_by_cell.get(cell.id) or [None]
        actor, actor_org, cell_id, target_ids, reason = user_id, org_id, cell.id, [], ""
        if target == "person":
            target_type, target_id = "people.person", persons[rng.randrange(len(persons))]
        elif target == "person_list":
            target_type, target_id = "people.person", ""
            shown = min(len(persons), rng.randint(5, 20))
            target_ids = [str(p) for p in rng.sample(persons, shown) if p is not None]
        elif target == "situation":
            target_type, target_id = "cases.situation", situations[rng.randrange(len(situations))]
        elif target == "situation_list":
            target_type, target_id = "cases.situation", ""
            shown = min(len(situations), 25)
            target_ids = [str(s) for s in rng.sample(situations, shown)]
        elif target == "signalement_list":
            target_type, target_id = "reports.signalement", ""
            reports = signalements_by_cell.get(cell.id) or []
            target_ids = [str(s) for s in rng.sample(reports, min(len(reports), 20))]
        elif target == "cell_members":
            target_type, target_id = "accounts.cell", cell.id
            target_ids = [str(m[3]) for m in eligible(cell.id, None)]
        elif target == "cell":
            target_type, target_id = "accounts.cell", cell.id
        elif target == "membership":
            target_type, target_id = "accounts.membership", membership_id
        else:  # account events: no cell, the global role (none for cell members)
            target_type, target_id, cell_id, role = "accounts.user", user_id, None, ""
            if target == "failed":
                actor, actor_org = None, None
        reason = rng.choice(REASONS[kind]) if kind in REASONS else ""
        moment = start + timedelta(microseconds=int(i * step_us + rng.random() * step_us * 0.9))
        batch.append(
            (
                moment,
                None if actor is None else str(actor),
                None if actor_org is None else str(actor_org),
                role,
                kind,
                target_type,
                "" if target_id is None else str(target_id),
                target_ids,
                None if cell_id is None else str(cell_id),
                reason,
                f"{rng.getrandbits(128):032x}",
                f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
            )
        )
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def make_events(
    plan, accounts, persons_by_cell, count: int, rng: random.Random, *, targets=None
) -> int:
    from bench.journal_events import append_batches
    from cellule.journal.chain import journal_key
    from cellule.journal.recording import journal_db

    done = 0
    started = time.perf_counter()

    def counted(batches):
        nonlocal done
        for batch in batches:
            yield batch
            done += len(batch)
            if done // 500_000 != (done - len(batch)) // 500_000:
                rate = done / (time.perf_counter() - started)
                log(f"  {number(done)} événements ({number(int(rate))}/s)")

    head = append_batches(
        counted(event_batches(plan, accounts, persons_by_cell, count, rng, targets=targets)),
        key=journal_key(),
        using=journal_db(),
    )
    return head[0]


# --- Driver -------------------------------------------------------------------------------------


def generate(scale: Scale, seed: int) -> dict:
    from django.core.management import call_command
    from faker import Faker

    timings = {}

    def step(name):
        timings[name] = time.perf_counter()

    rng = random.Random(seed)
    fake = Faker("fr_FR")
    fake.seed_instance(seed)

    step("migrate")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("migrate", database="journal", verbosity=0, interactive=False)
    step("cog")
    call_command("import_cog", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    step("cells")
    plan, organisations = make_cells(scale, rng)
    log(f"{len(plan)} cellules, {organisations} organisations")
    step("accounts")
    accounts = make_accounts(plan, rng, fake)
    log(f"{accounts['counts']['users']} comptes, {accounts['counts']['memberships']} habilitations")
    step("persons")
    persons_by_cell, infos = make_persons(
        plan, scale.persons, rng, fake, log_every=max(scale.persons // 5, 1)
    )
    log(f"{scale.persons} personnes")
    step("casework")
    casework = make_casework(plan, accounts, infos, scale, rng)
    del infos  # the persons' ciphers: not needed any more
    log(
        "dossiers : "
        + ", ".join(f"{number(n)} {name}" for name, n in casework["rows"].items())
        + " ; états : "
        + ", ".join(f"{name} {number(n)}" for name, n in casework["states"].items())
    )
    step("events")
    last_seq = make_events(
        plan, accounts, persons_by_cell, scale.events, rng, targets=casework["targets"]
    )
    log(f"{last_seq} événements dans le journal")
    step("checkpoint")
    from cellule.journal.verification import checkpoint_head

    checkpoint_head()
    step("end")
    names = list(timings)
    durations = {a: round(timings[b] - timings[a], 1) for a, b in itertools.pairwise(names)}
    log("durées (s) : " + ", ".join(f"{k} {v}" for k, v in durations.items()))
    return {
        "cells": len(plan),
        "organisations": organisations,
        **accounts["counts"],
        "persons": scale.persons,
        "casework": casework["rows"],
        "casework_states": casework["states"],
        "events": last_seq,
        "durations_s": durations,
    }


def verify_with_command() -> str:
    """``manage.py journal_verify`` in a fresh process, as an operator would run it."""
    result = subprocess.run(
        [sys.executable, "manage.py", "journal_verify"],
        cwd=BASE_DIR,
        env=bench_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or not result.stdout.startswith("OK "):
        fail(f"journal_verify a échoué sur le journal généré : {output}", code=1)
    return result.stdout.strip()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Génère le jeu de données national synthétique du banc d'essai.",
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", DEFAULT_SEED)))
    parser.add_argument(
        "--force",
        action="store_true",
        default=os.environ.get("BENCH_REGENERATE", "") not in {"", "0"},
        help="régénérer même si les bases contiennent déjà ce jeu (BENCH_REGENERATE=1)",
    )
    parser.add_argument(
        "--allow-sqlite", action="store_true", help="accepter SQLite pour un essai local"
    )
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    check_engine(allow_sqlite=args.allow_sqlite)
    urls = database_urls()

    if not args.force and is_current(scale, args.seed):
        log(
            f"les bases {', '.join(redact(u) for u in urls)} contiennent déjà l'échelle "
            f"« {scale.name} » (graine {args.seed}) : génération sautée (BENCH_REGENERATE=1 pour forcer)."
        )
        return 0

    started = time.perf_counter()
    log(
        f"échelle « {scale.name} » : {scale.cells} cellules, {number(scale.persons)} personnes, "
        f"{number(scale.events)} événements (graine {args.seed})"
    )
    for url in urls:
        databases.drop(url)
        databases.create(url)
    shutil.rmtree(CHECKPOINT_DIR, ignore_errors=True)  # they vouch for the dropped journal
    setup_django()
    summary = generate(scale, args.seed)
    verdict = verify_with_command()
    log(f"journal_verify : {verdict}")
    label = label_for(scale, args.seed)
    for url in urls:
        databases.write_label(url, label | {"summary": summary})
    log(f"terminé en {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
