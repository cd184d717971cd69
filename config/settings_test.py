"""Settings for the test suite: the same file, in « test » mode."""

import os

os.environ["CELLULE_ENV"] = "test"

from config.settings import *  # noqa: F403

# The browser tests' live server answers each request in a thread of its own: a connection kept
# for reuse (CONN_MAX_AGE) would outlive its thread, and hundreds of requests exhaust
# PostgreSQL's slots. The real processes the fault tests start keep production's reuse (see
# tests/faults/conftest.py::child_env).
for _database in DATABASES.values():  # noqa: F405
    _database["CONN_MAX_AGE"] = int(os.environ.get("CELLULE_TEST_CONN_MAX_AGE", "0"))
