"""The pure parts of the bench harness (make bench): no server, no timing assertion."""

import datetime
import math
import random
import types
import uuid

import pytest
from django.urls import NoReverseMatch, reverse
from django_otp.oath import TOTP

from bench import generate, report
from bench.journal_events import append_batches, chain_batch
from bench.load import Client, PageResult, Response, Target, drive, percentile
from bench.run import Account
from cellule.journal.chain import GENESIS, journal_key
from cellule.journal.models import AuditEvent
from cellule.journal.recording import journal_db
from cellule.journal.verification import verify_journal
from tests.conftest import text


def _plan(cells=3):
    """A stand-in for the generator's cell plan: what event_batches reads of it."""
    plan = []
    for index in range(cells):
        cell = types.SimpleNamespace(id=uuid.uuid4(), kind="municipal" if index else "departmental")
        plan.append((cell, {}, [types.SimpleNamespace(population=10_000 * (index + 1))]))
    return plan


def _accounts(plan):
    members = {}
    for cell, _orgs, _communes in plan:
        members[cell.id] = [
            (uuid.uuid4(), uuid.uuid4(), role, uuid.uuid4())
            for role in ("president", "coordinator", "member", "reporter")
        ]
    return {"members_by_cell": members, "users": []}


@pytest.mark.django_db(databases="__all__")
def test_generated_events_chained_in_bulk_verify_with_the_journals_own_verifier():
    plan = _plan()
    persons = {cell.id: [uuid.uuid4() for _ in range(30)] for cell, *_ in plan}
    batches = generate.event_batches(
        plan, _accounts(plan), persons, 120, random.Random(1), batch_size=50
    )
    head = append_batches(batches, key=journal_key(), using=journal_db())

    verdict = verify_journal()
    assert verdict.ok, str(verdict)
    assert verdict.count == head[0] == AuditEvent.objects.count() > 100
    assert {e.action for e in AuditEvent.objects.all()} >= {"record_viewed", "list_viewed"}


@pytest.mark.django_db(databases="__all__")
def test_a_bulk_event_altered_before_insertion_is_caught():
    when = datetime.datetime(2026, 1, 5, 10, 0, tzinfo=datetime.UTC)
    events = [
        (when, None, None, "", "login_failed", "accounts.user", str(i), [], None, "", "r", "")
        for i in range(5)
    ]
    rows, _head = chain_batch(events, key=journal_key(), head=(0, GENESIS))
    rows[2] = (*rows[2][:7], "quelqu'un d'autre", *rows[2][8:])  # target_id changed after hashing
    from django.db import connections

    from bench.journal_events import insert_rows

    insert_rows(connections[journal_db()], rows)

    verdict = verify_journal()
    assert not verdict.ok and verdict.bad_seq == 3


def test_chain_batch_continues_from_the_head_it_is_given():
    when = datetime.datetime(2026, 1, 5, 10, 0, tzinfo=datetime.UTC)
    event = (when, None, None, "", "logout", "", "", [], None, "", "", "")
    first, head = chain_batch([event, event], key=b"k" * 32, head=(0, GENESIS))
    second, _ = chain_batch([event], key=b"k" * 32, head=head)
    together, _ = chain_batch([event] * 3, key=b"k" * 32, head=(0, GENESIS))

    assert [row[0] for row in first + second] == [1, 2, 3]
    assert first + second == together


def test_percentile_is_the_nearest_rank():
    values = list(range(100, 0, -1))  # 1..100, unordered
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.5], 95) == 7.5
    assert percentile([1, 2, 3], 50) == 2
    assert math.isnan(percentile([], 50))


def test_share_splits_in_proportion_within_the_caps():
    shares = generate._share(10, [1, 1, 8], [5, 5, 3])
    assert sum(shares) == 10 and shares[2] == 3
    assert generate._share(5, [0, 0], [10, 10]) in ([3, 2], [2, 3])


def test_french_elision_in_generated_names():
    assert generate.of("Istres") == "d'Istres"
    assert generate.of("Le Havre") == "du Havre"
    assert generate.of("Les Mureaux") == "des Mureaux"
    assert generate.of("Évry") == "d'Évry"
    assert generate.of("Miramas") == "de Miramas"


def _figures(rps, p95=80.0, queries=9):
    return {"rps": rps, "p50_ms": 40.0, "p95_ms": p95, "p99_ms": 120.0, "queries": queries,
            "errors": 0, "requests": 10}  # fmt: skip


def _document():
    return report.document(
        scale={"name": "small", "cells": 50},
        floor=_figures(200.0),
        pages={"cell": _figures(100.0), "journal": _figures(50.0, p95=400.0)},
        matching={"10000": {"recall": 0.99, "precision": 0.9}},
        journal={"write_overhead": {}, "verify": {}},
        run={"users": 20, "workers": [{"pid": 1, "rss_mb": 120.0, "peak_mb": 190.0}]},
    )


def test_the_json_document_has_the_shape_issue_13_asks_for():
    doc = _document()

    assert set(doc) >= {"scale", "floor", "pages", "matching", "journal"}
    assert doc["floor"]["rps"] == 200.0
    for page in doc["pages"].values():
        assert set(page) >= {"rps", "p50_ms", "p95_ms", "p99_ms", "queries", "ratio_to_floor",
                             "errors"}  # fmt: skip
    assert doc["pages"]["cell"]["ratio_to_floor"] == 0.5
    assert doc["pages"]["journal"]["ratio_to_floor"] == 0.25


def test_queries_compared_across_scales_are_the_fewest_a_request_made():
    doc = _document()
    doc["pages"]["cell"] |= {"queries": 10, "queries_min": 9}
    other = {"scale": {"name": "small"},
             "pages": {"cell": {"queries": 9, "queries_min": 9}, "journal": {"queries": 12}}}  # fmt: skip

    printed = report.target_lines(report.checks(doc, other))

    assert "     OK  cell : 9 requêtes SQL ici, 9 à l'échelle « small »" in printed
    assert " MANQUÉ  journal : 9 requêtes SQL ici, 12" in printed  # no minimum: the medians


def test_targets_say_ok_or_missed_and_compare_queries_across_scales():
    doc = _document()
    other = {
        "scale": {"name": "default"},
        "pages": {"cell": {"queries": 9}, "journal": {"queries": 12}},
    }

    lines = report.checks(doc, other)
    printed = report.target_lines(lines)

    assert "     OK  cell : p95 80.0 ms" in printed
    assert " MANQUÉ  journal : p95 400.0 ms" in printed
    assert " MANQUÉ  journal : 0.25 du débit du plancher" in printed
    assert "     OK  mémoire par worker 120.0 Mo < 250 Mo" in printed
    assert "     OK  cell : 9 requêtes SQL ici, 9 à l'échelle « default »" in printed
    assert " MANQUÉ  journal : 9 requêtes SQL ici, 12" in printed
    assert "plancher" in report.table(doc) and "journal" in report.table(doc)


def test_the_client_sends_back_host_prefixed_secure_cookies_over_plain_http():
    client = Client("http://127.0.0.1:9")
    client._remember(Response(200, [
        ("Set-Cookie", "__Host-sessionid=abc; HttpOnly; Path=/; SameSite=Lax; Secure"),
        ("Set-Cookie", "__Host-csrftoken=tok; Path=/; Secure"),
    ], b""))  # fmt: skip
    assert client.cookies == {"__Host-sessionid": "abc", "__Host-csrftoken": "tok"}

    client._remember(Response(302, [("Set-Cookie", '__Host-sessionid=""; Max-Age=0; Path=/')], b""))
    assert client.cookies == {"__Host-csrftoken": "tok"}


def test_a_write_succeeds_only_by_redirecting_where_the_view_goes_after_the_service():
    target = Target("/signalements/nouveau/", method="POST", form=dict, token="t", expect=302,
                    location="/signalements/mes-signalements/")  # fmt: skip
    done = Response(302, [("Location", "/signalements/mes-signalements/")], b"")
    form_again = Response(200, [], b"<form>...erreurs...</form>")
    logged_out = Response(302, [("Location", "/connexion/?next=/signalements/nouveau/")], b"")

    assert target.outcome(done) is None
    assert target.outcome(form_again) == "200"
    assert target.outcome(logged_out) == "302 → /connexion/?next=/signalements/nouveau/"
    assert Target("/profil/").outcome(Response(200, [], b"")) is None
    assert Target("/profil/").outcome(done) == "302 → /signalements/mes-signalements/"


def test_a_virtual_user_drops_the_confirmation_a_browser_would_show_on_the_next_page():
    class Writer:
        cookies = {"__Host-sessionid": "s", "messages": "« Revue enregistrée. »"}

        def request(self, method, path, form):
            self.cookies["messages"] = "« Revue enregistrée. »"
            return Response(302, [("Location", "/situations/1/")], b"")

    writer = Writer()
    target = Target("/situations/1/revue/", method="POST", expect=302, location="/situations/1/",
                    discard=("messages",))  # fmt: skip

    result = drive([(writer, target)], seconds=0.05, warmup=0)

    assert result.errors == 0 and result.statuses[302] >= 1
    assert writer.cookies == {"__Host-sessionid": "s"}


def test_unexpected_answers_are_errors_and_not_timed():
    result = PageResult(duration_s=10, latencies_ms=[12.0, 14.0])
    result.statuses.update({302: 2, 200: 1})
    result.unexpected["200"] += 1
    other = PageResult(duration_s=10)
    other.failures["ConnectionRefusedError: refusée"] += 1

    result.add(other)

    assert result.errors == 2 and result.requests == 4
    assert result.rps == pytest.approx(0.1)
    assert result.summary()["unexpected"] == {"200": 1}


def test_the_departement_dashboard_figures_go_in_the_document_and_the_table():
    doc = report.document(
        scale={"name": "small"}, floor=_figures(100.0), pages={"stats_departement": _figures(50.0)},
        matching={}, journal={}, run={"users": 20},
        statistics={"departement": "13", "facts": 9000, "communes": 40, "ms_median": 31.5,
                    "ms_max": 40.0, "runs": 5, "queries": 2},
    )  # fmt: skip

    assert doc["statistics"]["departement"] == "13"
    assert "Statistiques du département 13" in report.table(doc)


def test_a_totp_code_is_never_one_the_device_already_used():
    key = bytes(range(20))
    now_step = TOTP(key).t()
    account = Account("a@b.c", "member", None, key, 30, 0, 6, 0, 1, last_t=now_step)

    code = account.totp_code()

    later = TOTP(key)
    later.time = (now_step + 1) * 30 + 1
    assert code == f"{later.token():06d}"
    assert account.last_t == now_step + 1


def test_the_floor_page_is_not_routed_outside_the_bench():
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")


@pytest.mark.urls("tests.bench.urls")
def test_the_floor_page_needs_a_verified_login_and_renders_the_layout(client, client_for, member):
    assert client.get("/_bench/plancher/").status_code == 302

    response = client_for(member).get("/_bench/plancher/")

    assert response.status_code == 200
    assert "Plancher du banc d'essai" in text(response)


# transaction=True: the WSGI handler closes the connection at request end (request_finished),
# which would break the test's surrounding transaction on PostgreSQL.
@pytest.mark.django_db(databases="__all__", transaction=True)
def test_the_bench_wsgi_entry_point_counts_queries_in_a_header():
    from bench.wsgi import QUERIES_HEADER, application

    captured = {}

    def start_response(status, headers, exc_info=None):
        captured.update(status=status, headers=dict(headers))

    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": "/connexion/", "SERVER_NAME": "testserver",
        "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": __import__("io").BytesIO(),
    }  # fmt: skip
    b"".join(application(environ, start_response))

    assert captured["status"].startswith("200")
    assert int(captured["headers"][QUERIES_HEADER]) >= 1  # the site configuration row at least
