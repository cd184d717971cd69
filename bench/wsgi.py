"""The WSGI entry point of the bench's gunicorn: ``config.wsgi`` plus two bench-only shims.

Kept out of production code and settings: only a server started by ``bench/run.py`` loads it.

- Every response carries ``X-Bench-Queries``: the number of SQL queries the request ran, on
  every database alias (the journal's included), counted with ``execute_wrapper`` — no DEBUG,
  no ``connection.queries``. Django calls ``start_response`` once the response is built (the
  session saved), so the count is complete for the pages measured (none streams).
- With ``BENCH_NO_JOURNAL=1``, ``cellule.journal.recording.record`` does nothing: the second
  server of the run, against which the journal's write cost per request is measured. Every
  caller reaches it through ``cellule.journal.record``, which looks it up at each call.
"""

import os
from contextlib import ExitStack

from django.db import connections

from config.wsgi import application as django_application

QUERIES_HEADER = "X-Bench-Queries"

if os.environ.get("BENCH_NO_JOURNAL") == "1":
    from cellule.journal import recording

    def _not_recorded(**kwargs):
        return None

    recording.record = _not_recorded


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def application(environ, start_response):
    counter = _QueryCounter()

    def counting_start_response(status, headers, exc_info=None):
        return start_response(status, [*headers, (QUERIES_HEADER, str(counter.count))], exc_info)

    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(counter))
        return django_application(environ, counting_start_response)
