"""The load run and the other figures of ``make bench`` (``python -m bench.run``).

    python -m bench.run --scale default|small [--allow-sqlite]

Needs the data set of that scale (``python -m bench.generate``). Then:

1. gunicorn, 2 sync workers, production settings (bench/environment.py), on a free port of
   127.0.0.1, serving ``bench.wsgi`` (config.wsgi plus the query-count header);
2. logs in accounts of several roles (password, then TOTP computed from their seeded secret),
   one account per virtual user;
3. drives each page with BENCH_USERS virtual users (20) for BENCH_SECONDS (20 s) after a
   BENCH_WARMUP (2 s): requests/s, p50/p95/p99 latency, SQL queries per request, errors, and
   the ratio of throughput to the floor page's (measured first and last, averaged);
4. the journal's write cost: the cell page on a second gunicorn whose journal is a no-op
   (BENCH_NO_JOURNAL=1), between two runs of the same page on the first one;
5. the workers' memory (/proc), duplicate detection (``cellule.people.bench.measure``), and
   ``journal_verify``'s speed beside raw HMAC-SHA256 over the same bytes;
6. prints the table and the target checks (« OK » / « MANQUÉ »), writes var/bench/<time>.json.

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
from bench.load import Client, PageResult, drive, login
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


# Pages measured: (name, role of the virtual users' accounts, path for an account).
PAGES = (
    ("dashboard_coordinator", "coordinator", lambda a: "/"),
    ("dashboard_member", "member", lambda a: "/"),
    ("dashboard_reporter", "reporter", lambda a: "/"),
    ("dashboard_dpo", "dpo", lambda a: "/"),
    ("cell", "coordinator", lambda a: f"/cellules/{a.cell_id}/"),
    ("journal", "dpo", lambda a: "/journal/"),
    ("journal_filtered", "dpo", None),  # set in main(): an action and a 90-day period
    ("profile", "member", lambda a: "/profil/"),
)
FLOOR_PATH = "/_bench/plancher/"


def select_accounts(role: str, count: int) -> list[Account]:
    """``count`` accounts of a role with access today, a distinct cell each where possible."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cellule.accounts.models import Cell, Membership, User

    picked = []
    if role == "dpo":
        controllers = Cell.objects.filter(is_active=True).values("organisation_id")
        users = (
            User.objects.filter(global_role="dpo", is_active=True, organisation_id__in=controllers)
            .order_by("email")
            .values_list("pk", "email")[:count]
        )
        picked = [(pk, email, None) for pk, email in users]
    else:
        seen_cells, seen_users = set(), set()
        memberships = (
            Membership.objects.granting()
            .filter(role=role)
            .order_by("cell__name", "user__email")
            .values_list("user_id", "user__email", "cell_id")
        )
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
    if len(accounts) < count:
        fail(f"seulement {len(accounts)} comptes « {role} » utilisables (il en faut {count}).")
    return accounts


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
    accounts = {
        role: select_accounts(role, users) for role in ("coordinator", "member", "reporter", "dpo")
    }
    since = (timezone.localdate() - timedelta(days=90)).isoformat()
    paths = {name: path for name, _role, path in PAGES}
    paths["journal_filtered"] = lambda a: f"/journal/?action=record_viewed&start={since}"

    pages, overhead, memory = {}, {}, []
    floor_total = PageResult(duration_s=0)
    main_server = Gunicorn("journal", workers=workers)
    bare_server = Gunicorn("sans-journal", workers=workers, BENCH_NO_JOURNAL="1")
    timing = {"seconds": seconds, "warmup": warmup, "slices": slices, "think": think}
    try:
        main_server.start()
        log(
            f"gunicorn ({workers} workers) sur {main_server.base_url} ; connexion de "
            f"{sum(map(len, accounts.values()))} comptes (mot de passe + TOTP)"
        )
        clients = {
            role: log_in_all(main_server.base_url, group) for role, group in accounts.items()
        }

        def users_for(role, path_for, base_url=None):
            chosen = [(clients[role][a.email], path_for(a)) for a in accounts[role]]
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
        with_journal, without_journal = paired(
            (main_server, users_for("coordinator", paths["cell"])),
            (bare_server, users_for("coordinator", paths["cell"], bare_server.base_url)),
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

    doc = report.document(
        scale={**scale.as_dict(), "seed": label.get("seed"), "generated": label.get("summary")},
        floor=floor,
        pages=pages,
        matching=matching,
        journal={"write_overhead": overhead, "verify": verify},
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
        f"{scale.persons} personnes, {scale.events} événements ; {users} utilisateurs "
        f"simultanés, {seconds:.0f} s par page, {workers} workers gunicorn"
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
