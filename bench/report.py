"""The bench's output: the JSON document (var/bench/<timestamp>.json), the table and the target
checks of issue 13. Pure functions: no Django, no network."""

from __future__ import annotations

import json
import math
from pathlib import Path

# Issue 13, point 3 (2-core machine, 2 gunicorn workers, PostgreSQL, 20 concurrent users).
P95_MS = 150.0
RATIO_TO_FLOOR = 0.40
RSS_MB = 250.0

PAGE_KEYS = ("rps", "p50_ms", "p95_ms", "p99_ms", "queries", "ratio_to_floor", "errors")


def page_entry(summary: dict, floor_rps: float) -> dict:
    """A page's figures as stored: the issue's keys first, then the details.

    The ratio is to the floor measured in slices interleaved with the page's when there is one
    (``floor_rps_paired``), else to the run's floor."""
    floor_rps = summary.get("floor_rps_paired") or floor_rps
    ratio = summary["rps"] / floor_rps if floor_rps else None
    entry = {key: summary.get(key) for key in PAGE_KEYS if key != "ratio_to_floor"}
    entry["ratio_to_floor"] = None if ratio is None else round(ratio, 2)
    return {**entry, **{k: v for k, v in summary.items() if k not in entry}}


def document(
    *,
    scale: dict,
    floor: dict,
    pages: dict,
    matching: dict,
    journal: dict,
    run: dict,
    statistics: dict | None = None,
) -> dict:
    """``statistics``: the département dashboard computed in process (statistics issue)."""
    floor_rps = floor["rps"]
    return {
        "scale": scale,
        "floor": floor,
        "pages": {name: page_entry(summary, floor_rps) for name, summary in pages.items()},
        "matching": matching,
        "journal": journal,
        "statistics": statistics or {},
        "run": run,
    }


def checks(doc: dict, other: dict | None = None) -> list[tuple[bool, str]]:
    """(met, French line) for each target; ``other``: the latest run at another scale."""
    lines = []
    users = doc["run"].get("users")
    pages = doc["pages"]
    for name, page in pages.items():
        p95 = page["p95_ms"]
        met = p95 is not None and not math.isnan(p95) and p95 < P95_MS
        lines.append((met, f"{name} : p95 {p95} ms < {P95_MS:.0f} ms à {users} utilisateurs"))
    for name, page in pages.items():
        ratio = page["ratio_to_floor"]
        met = ratio is not None and ratio >= RATIO_TO_FLOOR
        lines.append((met, f"{name} : {ratio} du débit du plancher ≥ {RATIO_TO_FLOOR:.2f}"))
    errors = doc["floor"].get("errors", 0) + sum(page["errors"] for page in pages.values())
    lines.append((errors == 0, f"aucune erreur pendant la charge ({errors})"))
    workers = doc["run"].get("workers", [])
    if workers:
        worst = max(worker["rss_mb"] for worker in workers)
        peak = max(worker["peak_mb"] for worker in workers)
        lines.append(
            (worst < RSS_MB, f"mémoire par worker {worst} Mo < {RSS_MB:.0f} Mo (pic {peak} Mo)")
        )
    if other:
        name = other["scale"].get("name")
        for page, entry in pages.items():
            mine, theirs = _constant_queries(entry, other.get("pages", {}).get(page, {}))
            if theirs is not None and mine is not None:
                lines.append(
                    (
                        theirs == mine,
                        f"{page} : {mine} requêtes SQL ici, {theirs} à l'échelle « {name} » "
                        "(constant quand les données croissent)",
                    )
                )
    return lines


def _constant_queries(mine: dict, theirs: dict) -> tuple:
    """The query counts to compare across scales: the fewest a request of the page made, when
    both runs have it. Some requests make one more, whatever the data: the session's activity
    stamp is saved at most every 10 s of a user's activity, so how many requests carry it
    depends on the page's speed, and the median can flip between two counts."""
    if mine.get("queries_min") is not None and theirs.get("queries_min") is not None:
        return mine["queries_min"], theirs["queries_min"]
    return mine.get("queries"), theirs.get("queries")


def _cell(value, width: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        text = "—"
    elif isinstance(value, float):
        text = f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
    else:
        text = str(value)
    return text.rjust(width)


def table(doc: dict) -> str:
    columns = ("rps", "p50_ms", "p95_ms", "p99_ms", "queries", "ratio_to_floor", "errors")
    headers = ("req/s", "p50 ms", "p95 ms", "p99 ms", "requêtes", "/plancher", "erreurs")
    width = max(len(name) for name in ["plancher", *doc["pages"]]) + 2
    lines = ["page".ljust(width) + "".join(h.rjust(10) for h in headers)]
    floor = {**doc["floor"], "ratio_to_floor": 1.0}
    for name, entry in [("plancher", floor), *doc["pages"].items()]:
        lines.append(name.ljust(width) + "".join(_cell(entry.get(c), 10) for c in columns))
    out = ["\n".join(lines)]

    if doc["matching"]:
        out.append("\nDétection des doublons (cellule.people.bench.measure)")
        out.append(
            "personnes".ljust(12)
            + "".join(
                h.rjust(12)
                for h in ("rappel", "précision", "cand./req.", "fausses al.", "méd. ms", "p95 ms")
            )
        )
        for size, figures in doc["matching"].items():
            out.append(
                str(size).ljust(12)
                + "".join(
                    _cell(figures.get(key), 12)
                    for key in (
                        "recall",
                        "precision",
                        "candidates_per_query",
                        "false_alarm_rate",
                        "latency_ms_median",
                        "latency_ms_p95",
                    )
                )
            )

    journal = doc["journal"]
    overhead = journal.get("write_overhead")
    if overhead:
        out.append(
            f"\nJournal, coût d'écriture par requête (page {overhead['page']}) : "
            f"{overhead['rps_with']} req/s avec, {overhead['rps_without']} req/s sans "
            f"→ ratio {overhead['ratio']} ({overhead['cost_pct']} % du débit)"
        )
    verify = journal.get("verify")
    if verify:
        out.append(
            f"Journal, vérification : {verify['events']} événements en {verify['seconds']} s "
            f"= {verify['events_per_s']} év./s ; HMAC-SHA256 brut sur les mêmes octets : "
            f"{verify['raw_hmac_per_s']} /s ({verify['raw_hmac_mb_per_s']} Mo/s) ; "
            f"la vérification va à {verify['share_of_raw_hmac']} de la vitesse du HMAC seul"
        )
    stats = doc.get("statistics") or {}
    if stats:
        out.append(
            f"Statistiques du département {stats['departement']} (le plus de faits) : "
            f"{stats['facts']} faits sur la période, {stats['communes']} communes, tableaux en "
            f"{stats['ms_median']} ms (médiane de {stats['runs']}, max {stats['ms_max']} ms, "
            f"{stats['queries']} requêtes SQL)"
        )
    workers = doc["run"].get("workers")
    if workers:
        out.append(
            "Mémoire des workers gunicorn : "
            + ", ".join(f"{w['rss_mb']} Mo (pic {w['peak_mb']} Mo)" for w in workers)
        )
    return "\n".join(out)


def target_lines(results: list[tuple[bool, str]]) -> str:
    return "\n".join(f"{'OK' if met else 'MANQUÉ':>7}  {text}" for met, text in results)


def latest_other_scale(
    directory: Path, scale_name: str, exclude: Path | None = None
) -> dict | None:
    """The newest stored run at another scale, to compare query counts across scales."""
    for path in sorted(directory.glob("*.json"), reverse=True):
        if path == exclude:
            continue
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        name = doc.get("scale", {}).get("name")
        if name not in {None, "tiny", scale_name} and doc.get("pages"):
            return doc
    return None
