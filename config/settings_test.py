"""Settings for the test suite: the same file, in « test » mode."""

import os

os.environ["CELLULE_ENV"] = "test"

from config.settings import *  # noqa: F403
