"""The load run and the other figures of ``make bench`` (``python -m bench.run``).

    python -m bench.run --scale default|small [--allow-sqlite]

Needs the data set of that scale (``python -m bench.generate``). Then:

1. gunicorn, 2 sync workers, production settings (bench/environment.py), on a free port of
   127.0.0.1, serving ``bench.wsgi`` (config.wsgi plus the query-count header);
2. logs in accounts of several roles (password, then TOTP computed from their seeded secret),
   one account per virtual user (coordinators, members, reporters, DPOs, and the coordinators —
   then presidents — of departmental cells);
3. drives each page (``PAGES``: dashboards, cell, journal, profile, the reports queue, the
   situations list and a situation, the cell's and the département's statistics, and two
   writes: a review of a situation, a signalement filed through its form) with BENCH_USERS
   virtual users (20) for BENCH_SECONDS (20 s) after a BENCH_WARMUP (2 s), in slices
   interleaved with the floor page: requests/s, p50/p95/p99 latency, SQL queries per request,
   errors, and the ratio of throughput to the floor's measured in the same minutes;
4. the journal's write cost: the cell page on a second gunicorn whose journal is a no-op
   (BENCH_NO_JOURNAL=1), between two runs of the same page on the first one;
5. the workers' memory (/proc), duplicate detection (``cellule.people.bench.measure``),
   ``journal_verify``'s speed beside raw HMAC-SHA256 over the same bytes, and the département
   dashboard's tables computed in process for the département with the most facts;
6. prints the table and the target checks (« OK » / « MANQUÉ »), writes var/bench/<time>.json.

The writes add rows to the data set (a few hundred signalements and reviews per run, in the
cells of the accounts used): reads are measured before them, and the data set stays usable.

Exit 0 when the run completed without errors, even if targets are missed; 1 when a request
failed (5xx, refused, any status but 200) or a step crashed; 2 for a missing data set.
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import platform
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bench import databases, report
from bench.environment import (
    BASE_DIR,
    BENCH_DIR,
    BENCH_PASSWORD,
    SCALES,
    bench_env,
    check_engine,
    database_urls,
    fail,
    setup_django,
)
from bench.load import Client, PageResult, Target, drive, login
from bench.server import Gunicorn


def log(message: str) -> None:
    print(f"[bench.run] {message}", flush=True)


def env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


@dataclass
class Account:
    email: str
    role: str
    cell_id: str | None
    key: bytes
    step: int
    t0: int
    digits: int
    drift: int
    tolerance: int
    last_t: int

    def totp_code(self) -> str:
        """A code for a time step the device has not used yet (TOTP refuses replays)."""
        from django_otp.oath import TOTP

        totp = TOTP(self.key, self.step, self.t0, self.digits, self.drift)
        wanted = max(totp.t(), self.last_t + 1)
        while wanted > totp.t() + self.tolerance:
            time.sleep(1)
            totp = TOTP(self.key, self.step, self.t0, self.digits, self.drift)
        totp.time = self.t0 + wanted * self.step + 1
        self.last_t = wanted
        return f"{totp.token():0{self.digits}d}"


# Pages measured: (name, role of the virtual users' accounts, path for an account). None: set in
# main(), from the data set (a situation of the account's cell, a form's token…). Reads first,
# then the writes, so that no read of this run sees what they add.
PAGES = (
    ("dashboard_coordinator", "coordinator", lambda a: "/"),
    ("dashboard_member", "member", lambda a: "/"),
    ("dashboard_reporter", "reporter", lambda a: "/"),
    ("dashboard_dpo", "dpo", lambda a: "/"),
    ("cell", "coordinator", lambda a: f"/cellules/{a.cell_id}/"),
    ("journal", "dpo", lambda a: "/journal/"),
    ("journal_filtered", "dpo", None),  # an action and a 90-day period
    ("profile", "member", lambda a: "/profil/"),
    ("reports_queue", "coordinator", lambda a: "/signalements/a-qualifier/"),
    ("situations", "coordinator", lambda a: "/situations/"),
    ("situation", "coordinator", None),  # an open situation of the cell, with measures
    ("stats_cell", "coordinator", lambda a: "/statistiques/"),
    ("stats_departement", "departmental", lambda a: "/statistiques/departement/"),
    ("write_review", "coordinator", None),  # POST a review of another open situation
    ("write_signalement", "writer", None),  # POST the fiche de signalement
)
FLOOR_PATH = "/_bench/plancher/"
# Roles of select_accounts: the cell roles, "dpo", "departmental": who opens the département's
# statistics (coordinators of departmental cells, then their presidents), and "writer":
# reporters of other CMERs than the ones read (the last by name), who file signalements.
ROLES = ("coordinator", "member", "reporter", "dpo", "departmental", "writer")


def select_accounts(role: str, count: int) -> list[Account]:
    """``count`` accounts of a role with access today, a distinct cell each where possible.

    Cells are taken in the order of their names; "writer" are reporters of municipal cells
    taken from the end of that order, so that what they file lands in other cells than those
    whose pages are read (and in cells of one kind at every scale: a filing notifies the cell's
    coordinators, two in a CMER, one in a departmental cell, and its query count follows).
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cellule.accounts.models import Cell, Membership, User

    picked = []
    if role == "departmental":
        memberships = (
            Membership.objects.granting()
            .filter(role__in=("coordinator", "president"), cell__kind="departmental")
            .order_by("role", "cell__name", "user__email")  # coordinators first
            .values_list("user_id", "user__email", "cell_id")
        )
        seen = set()
        for user_id, email, cell_id in memberships:
            if user_id not in seen:
                seen.add(user_id)
                picked.append((user_id, email, cell_id))
        picked = picked[:count]
    elif role == "dpo":
        controllers = Cell.objects.filter(is_active=True).values("organisation_id")
        users = (
            User.objects.filter(global_role="dpo", is_active=True, organisation_id__in=controllers)
            .order_by("email")
            .values_list("pk", "email")[:count]
        )
        picked = [(pk, email, None) for pk, email in users]
    else:
        seen_cells, seen_users = set(), set()
        order = (
            ("-cell__name", "user__email") if role == "writer" else ("cell__name", "user__email")
        )
        memberships = Membership.objects.granting().filter(
            role="reporter" if role == "writer" else role
        )
        if role == "writer":
            memberships = memberships.filter(cell__kind="municipal")
        memberships = memberships.order_by(*order).values_list("user_id", "user__email", "cell_id")
        spare = []
        for user_id, email, cell_id in memberships:
            if user_id in seen_users:
                continue
            seen_users.add(user_id)
            (spare if cell_id in seen_cells else picked).append((user_id, email, cell_id))
            seen_cells.add(cell_id)
        picked = (picked + spare)[:count]
    devices = {
        device.user_id: device
        for device in TOTPDevice.objects.filter(user_id__in=[p[0] for p in picked], confirmed=True)
    }
    accounts = []
    for user_id, email, cell_id in picked:
        device = devices.get(user_id)
        if device is None:
            continue
        accounts.append(
            Account(
                email=email,
                role=role,
                cell_id=str(cell_id) if cell_id else None,
                key=device.bin_key,
                step=device.step,
                t0=device.t0,
                digits=device.digits,
                drift=device.drift,
                tolerance=device.tolerance,
                last_t=device.last_t,
            )
        )
    if not accounts:
        fail(f"aucun compte « {role} » utilisable dans le jeu de données.")
    if len(accounts) < count:
        log(
            f"seulement {len(accounts)} comptes « {role} » pour {count} utilisateurs : des "
            "utilisateurs virtuels partagent une session"
        )
    return accounts


def situations_by_cell(cell_ids) -> dict[str, list[str]]:
    """Per cell, open situations with measures (oldest id first): the first is read by the
    situation page, the second receives the reviews of the write page."""
    from django.db.models import Count

    from cellule.cases.enums import OPEN_STATUSES
    from cellule.cases.models import Situation

    found: dict[str, list[str]] = {}
    rows = (
        Situation.objects.filter(cell_id__in=cell_ids, status__in=OPEN_STATUSES)
        .annotate(measure_count=Count("measures"))
        .filter(measure_count__gt=0)
        .order_by("cell_id", "pk")
        .values_list("cell_id", "pk")
    )
    for cell_id, pk in rows:
        chosen = found.setdefault(str(cell_id), [])
        if len(chosen) < 2:
            chosen.append(str(pk))
    missing = [str(c) for c in cell_ids if not found.get(str(c))]
    if missing:
        fail(f"aucune situation ouverte avec des mesures dans {len(missing)} cellule(s) du banc.")
    return {cell: ids if len(ids) == 2 else ids * 2 for cell, ids in found.items()}


class SignalementForms:
    """The fields of the fiche de signalement, different at each submission: a person from a
    pool of Faker fr_FR identities, two indicators of the grid with their dates, the commune
    of the reporter's cell. Thread-safe (virtual users share it)."""

    def __init__(self, seed: int, size: int = 2_000):
        import random
        import threading

        from faker import Faker

        from cellule.reports.models import Indicator

        self.rng = random.Random(seed)
        fake = Faker("fr_FR")
        fake.seed_instance(seed)
        self.names = [(fake.last_name(), fake.first_name()) for _ in range(size)]
        ordinary = Indicator.objects.current().exclude(domain="imminent")  # no 17 / 112 advice
        self.indicators = [str(pk) for pk in ordinary.values_list("pk", flat=True)]
        self.lock = threading.Lock()

    def commune_of(self, cell_id) -> str:
        from cellule.accounts.models import Cell
        from cellule.territory.models import Commune

        cell = Cell.objects.get(pk=cell_id)
        commune = cell.communes.order_by("code").first() or (
            Commune.objects.filter(departement=cell.departement_id).order_by("-population").first()
        )
        return commune.pk

    def __call__(self, commune: str) -> dict:
        from django.utils import timezone

        today = timezone.localdate()
        with self.lock:
            last, first = self.rng.choice(self.names)
            born = today - timedelta(days=self.rng.randint(12 * 365, 30 * 365))
            observed = self.rng.sample(self.indicators, 2)
            seen = [today - timedelta(days=self.rng.randint(1, 30)) for _ in observed]
            source = self.rng.choice(("school", "ccas", "municipal_police", "family"))
        fields = {
            "last_name": last,
            "first_name": first,
            "birth_date": born.isoformat(),
            "commune": commune,
            "observed_on": max(seen).isoformat(),
            "source_category": source,
            "indicators": observed,
            "text": "Absences répétées depuis trois semaines, constatées par l'établissement ; "
            "la famille a été reçue et s'inquiète d'un repli marqué.",
        }
        for pk, day in zip(observed, seen, strict=True):
            fields[f"date_{pk}"] = day.isoformat()
        return fields


def log_in_all(base_url: str, accounts: list[Account]) -> dict[str, Client]:
    def one(account):
        return account.email, login(base_url, account.email, BENCH_PASSWORD, account.totp_code)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, accounts))


def paired(a, b, *, seconds, warmup, slices, think=0.0) -> tuple[PageResult, PageResult]:
    """Measure two loads (each a (server, users) pair) in alternating slices, A B B A A B…

    On a shared, noisy machine the throughput drifts from one minute to the next; a ratio of
    two loads measured in interleaved slices of the same minutes is what holds. Each gets
    ``seconds`` in all; the first slice of each waits ``warmup``, the others half a second (the
    previous slice's requests drain, the workers are warm).
    """
    totals = (PageResult(duration_s=0), PageResult(duration_s=0))
    for index in range(slices):
        order = (0, 1) if index % 2 == 0 else (1, 0)
        for which in order:
            server, users = (a, b)[which]
            result = drive(
                users,
                seconds=seconds / slices,
                warmup=warmup if index == 0 else 0.5,
                think=think,
            )
            if result.server_errors:
                log(f"  erreurs serveur, fin du journal de gunicorn :\n{server.log_tail()}")
            totals[which].add(result)
    return totals


def report_line(label: str, result: PageResult, floor: PageResult | None = None) -> None:
    summary = result.summary()
    ratio = f"  {result.rps / floor.rps:.2f} du plancher" if floor and floor.rps else ""
    log(
        f"{label:<24} {summary['rps']:>7} req/s  p95 {summary['p95_ms']:>7} ms  "
        f"{summary['queries']} requêtes  {summary['errors']} erreurs{ratio}"
    )


def journal_verify_speed() -> dict:
    """journal_verify's throughput, and raw HMAC-SHA256 over the very same bytes."""
    from cellule.journal.chain import canonical, journal_key, values_from_db
    from cellule.journal.verification import _N, _rows, verify_journal

    started = time.perf_counter()
    verdict = verify_journal()
    seconds = time.perf_counter() - started
    if not verdict.ok:
        fail(f"journal_verify : {verdict}", code=1)

    key = journal_key()
    hmac_seconds, total_bytes, count = 0.0, 0, 0
    with _rows(chunk_size=5000) as rows:
        messages = []
        for row in rows:
            messages.append(row[_N].encode("ascii") + canonical(values_from_db(row[:_N])))
            if len(messages) == 50_000:
                hmac_seconds += _time_hmac(key, messages)
                total_bytes += sum(map(len, messages))
                count += len(messages)
                messages = []
        if messages:
            hmac_seconds += _time_hmac(key, messages)
            total_bytes += sum(map(len, messages))
            count += len(messages)
    raw_per_s = count / hmac_seconds if hmac_seconds else 0
    return {
        "events": verdict.count,
        "seconds": round(seconds, 2),
        "events_per_s": round(verdict.count / seconds),
        "raw_hmac_per_s": round(raw_per_s),
        "raw_hmac_mb_per_s": round(total_bytes / hmac_seconds / 1e6, 1) if hmac_seconds else 0,
        "mean_message_bytes": round(total_bytes / count) if count else 0,
        "share_of_raw_hmac": round(verdict.count / seconds / raw_per_s, 2) if raw_per_s else None,
    }


def _time_hmac(key: bytes, messages: list[bytes]) -> float:
    digest = hmac.digest
    started = time.perf_counter()
    for message in messages:
        digest(key, message, "sha256")
    return time.perf_counter() - started


def matching_figures(sizes, seed: int) -> dict:
    from cellule.people.bench import measure

    figures = {}
    for size in sizes:
        started = time.perf_counter()
        result = measure(size, seed)
        figures[str(size)] = {
            key: round(value, 4) if isinstance(value, float) else value
            for key, value in result.items()
        }
        log(
            f"doublons à {size} personnes : rappel {result['recall']:.3f}, précision "
            f"{result['precision']:.3f}, médiane {result['latency_ms_median']:.1f} ms "
            f"({time.perf_counter() - started:.0f} s)"
        )
    return figures


def departement_dashboard_figures(runs: int = 5) -> dict:
    """The département dashboard's tables (one query per call, then the small-count
    suppression of every section) for the département with the most facts, default period."""
    import statistics

    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from cellule.stats import dashboards
    from cellule.stats.forms import PeriodForm
    from cellule.stats.models import Fact

    period = PeriodForm().period
    busiest = (
        Fact.objects.between(period.first, period.last)
        .values("departement_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "departement_code")
        .first()
    )
    if busiest is None:
        return {}
    code = busiest["departement_code"]
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            blocks = dashboards.for_departement(code, period)
            timings.append((time.perf_counter() - started) * 1000)
    tables = [block.table for block in blocks if block.table is not None]
    figures = {
        "departement": code,
        "period": period.label,
        "facts": busiest["n"],
        "communes": max((len(table.rows) for table in tables), default=0),
        "hidden_entries": sum(table.hidden_count for table in tables),
        "runs": runs,
        "ms_median": round(statistics.median(timings), 1),
        "ms_max": round(max(timings), 1),
        "queries": len(queries),
    }
    log(
        f"statistiques du département {code} : {figures['facts']} faits, "
        f"{figures['communes']} communes, {figures['ms_median']} ms"
    )
    return figures


def collect_static() -> None:
    """Production serves hashed static names from a manifest: collect them for the bench."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"],
        cwd=BASE_DIR,
        env=bench_env(),
        check=True,
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description="Banc d'essai : charge, doublons, journal."
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="default")
    parser.add_argument("--allow-sqlite", action="store_true")
    args = parser.parse_args(argv)
    scale = SCALES[args.scale]
    check_engine(allow_sqlite=args.allow_sqlite)
    label = (
        databases.read_label(database_urls()[0]) if databases.exists(database_urls()[0]) else None
    )
    if not label or label.get("scale", {}).get("name") != scale.name:
        fail(
            f"les bases du banc ne contiennent pas l'échelle « {scale.name} » : lancez "
            f"python -m bench.generate --scale {scale.name} (ou make bench)."
        )
    users = int(env_number("BENCH_USERS", 20))
    seconds = env_number("BENCH_SECONDS", 20)
    warmup = env_number("BENCH_WARMUP", 2)
    slices = max(1, int(env_number("BENCH_SLICES", 4)))
    think = env_number("BENCH_THINK", 0)
    workers = int(env_number("BENCH_WORKERS", 2))
    sizes = (
        tuple(int(s) for s in os.environ.get("BENCH_MATCHING", "").split(",") if s.strip())
        or scale.matching_sizes
    )

    # A SIGTERM must still stop the gunicorns started below (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    setup_django()
    from django.core.management import call_command
    from django.utils import timezone

    started_at = timezone.now()
    load_start = _loadavg()
    log("migrations en attente (le code a pu avancer depuis la génération), fichiers statiques")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("migrate", database="journal", verbosity=0, interactive=False)
    collect_static()
    accounts = {role: select_accounts(role, users) for role in ROLES}
    since = (timezone.localdate() - timedelta(days=90)).isoformat()
    paths = {name: path for name, _role, path in PAGES}
    paths["journal_filtered"] = lambda a: f"/journal/?action=record_viewed&start={since}"
    followed = situations_by_cell({a.cell_id for a in accounts["coordinator"]})
    paths["situation"] = lambda a: f"/situations/{followed[a.cell_id][0]}/"
    forms = SignalementForms(label.get("seed", 0))
    communes = {a.cell_id: forms.commune_of(a.cell_id) for a in accounts["writer"]}

    pages, overhead, memory = {}, {}, []
    floor_total = PageResult(duration_s=0)
    main_server = Gunicorn("journal", workers=workers)
    bare_server = Gunicorn("sans-journal", workers=workers, BENCH_NO_JOURNAL="1")
    timing = {"seconds": seconds, "warmup": warmup, "slices": slices, "think": think}
    try:
        main_server.start()
        # An account in two groups (a small data set) logs in once: a second login would need
        # a TOTP time step its device has not used yet.
        distinct = {a.email: a for group in accounts.values() for a in group}
        log(
            f"gunicorn ({workers} workers) sur {main_server.base_url} ; connexion de "
            f"{len(distinct)} comptes (mot de passe + TOTP)"
        )
        logged_in = log_in_all(main_server.base_url, list(distinct.values()))
        clients = {
            role: {a.email: logged_in[a.email] for a in group} for role, group in accounts.items()
        }
        # The writes: the CSRF token of each account's form, fetched once.
        paths["write_review"] = _review_target(clients["coordinator"], followed)
        paths["write_signalement"] = _signalement_target(clients["writer"], forms, communes)

        def users_for(role, path_for, base_url=None):
            chosen = [(clients[role][a.email], path_for(a)) for a in accounts[role]]
            # Fewer accounts than users (a small data set): users share sessions, each with
            # its own cookie jar (a copy), as several tabs of one browser would.
            chosen = [
                (client if i < len(chosen) else _rebased(client, main_server.base_url), path)
                for i, (client, path) in enumerate(chosen * -(-users // len(chosen)))
            ][:users]
            if base_url:  # same sessions (kept in the database), another server
                chosen = [(_rebased(client, base_url), path) for client, path in chosen]
            return chosen

        floor_users = users_for("coordinator", lambda a: FLOOR_PATH)
        for name, role, _path in PAGES:
            page, floor = paired(
                (main_server, users_for(role, paths[name])),
                (main_server, floor_users),
                **timing,
            )
            report_line(name, page, floor)
            pages[name] = {**page.summary(), "floor_rps_paired": round(floor.rps, 1)}
            floor_total.add(floor)
        memory = main_server.memory()

        log("coût du journal : page cellule, ce gunicorn et un second dont le journal est inerte")
        bare_server.start()
        bare_users = users_for("coordinator", paths["cell"], bare_server.base_url)
        # A fresh server: its workers load templates and open connections on their first
        # requests; without this, the first slice measures a cold server against a warm one.
        drive(bare_users, seconds=0, warmup=max(5.0, 3 * warmup))
        with_journal, without_journal = paired(
            (main_server, users_for("coordinator", paths["cell"])),
            (bare_server, bare_users),
            **timing,
        )
        report_line("cell avec journal", with_journal)
        report_line("cell sans journal", without_journal)
        with_s, without_s = with_journal.summary(), without_journal.summary()
        overhead = {
            "page": "cell",
            "rps_with": with_s["rps"],
            "rps_without": without_s["rps"],
            "ratio": round(with_journal.rps / without_journal.rps, 2)
            if without_journal.rps
            else None,
            "cost_pct": round(100 * (1 - with_journal.rps / without_journal.rps), 1)
            if without_journal.rps
            else None,
            "p50_ms_with": with_s["p50_ms"],
            "p50_ms_without": without_s["p50_ms"],
            "queries_with": with_s["queries"],
            "queries_without": without_s["queries"],
            "errors": with_s["errors"] + without_s["errors"],
        }
    finally:
        bare_server.stop()
        main_server.stop()

    floor = floor_total.summary()
    errors = floor["errors"] + overhead.get("errors", 0)
    errors += sum(page["errors"] for page in pages.values())

    log("détection des doublons")
    matching = matching_figures(sizes, label.get("seed", 0))
    log("vitesse de journal_verify")
    verify = journal_verify_speed()
    log("tableau de bord du département, en processus")
    departement = departement_dashboard_figures()

    doc = report.document(
        scale={**scale.as_dict(), "seed": label.get("seed"), "generated": label.get("summary")},
        floor=floor,
        pages=pages,
        matching=matching,
        journal={"write_overhead": overhead, "verify": verify},
        statistics=departement,
        run={
            "started_at": started_at.isoformat(),
            "seconds_per_page": seconds,
            "slices": slices,
            "think_s": think,
            "warmup_s": warmup,
            "loadavg_start": load_start,
            "loadavg_end": _loadavg(),
            "users": users,
            "gunicorn_workers": workers,
            "workers": memory,
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "database": "postgresql" if not args.allow_sqlite else "sqlite",
        },
    )
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"{started_at:%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")

    print()
    print(
        f"Banc d'essai Cellule — échelle « {scale.name} » : {scale.cells} cellules, "
        f"{scale.persons} personnes, {scale.signalements} signalements, {scale.situations} "
        f"situations, {scale.measures} mesures, {scale.events} événements ; {users} "
        f"utilisateurs simultanés, {seconds:.0f} s par page, {workers} workers gunicorn"
    )
    print(report.table(doc))
    print("\nObjectifs (ticket 13)")
    other = report.latest_other_scale(BENCH_DIR, scale.name, exclude=path)
    print(report.target_lines(report.checks(doc, other)))
    print(f"\nRésultats : {path.relative_to(BASE_DIR)}")
    if errors:
        print(
            f"\n{errors} requêtes en erreur pendant la charge : la commande échoue.",
            file=sys.stderr,
        )
        return 1
    return 0


def _review_target(clients: dict, followed: dict):
    """A review of the cell's second situation by its coordinator (the first is read)."""
    by_email = {}

    def target(account):
        if account.email not in by_email:
            situation = followed[account.cell_id][-1]
            by_email[account.email] = Target(
                f"/situations/{situation}/revue/",
                method="POST",
                form=lambda: {"changes": "Point d'étape en séance : mesures maintenues."},
                token=clients[account.email].form_token(f"/situations/{situation}/"),
                expect=302,
                discard=("messages",),
                location=f"/situations/{situation}/",
            )
        return by_email[account.email]

    return target


def _signalement_target(clients: dict, forms: SignalementForms, communes: dict):
    """The fiche de signalement filed by the reporter, a new person each time."""
    by_email = {}

    def target(account):
        if account.email not in by_email:
            commune = communes[account.cell_id]
            by_email[account.email] = Target(
                "/signalements/nouveau/",
                method="POST",
                form=lambda: forms(commune),
                token=clients[account.email].form_token("/signalements/nouveau/"),
                expect=302,
                discard=("messages",),
                location="/signalements/mes-signalements/",
            )
        return by_email[account.email]

    return target


def _loadavg() -> list[float]:
    """The machine's load (1, 5, 15 min): how much else was running, for reading the figures."""
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def _rebased(client: Client, base_url: str) -> Client:
    twin = Client(base_url, timeout=client.timeout)
    twin.cookies = dict(client.cookies)
    return twin


if __name__ == "__main__":
    raise SystemExit(main())
