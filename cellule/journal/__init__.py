"""Journal des accès: the one entry point every app calls to record an access.

Imported by everyone, models modules included, so this module imports no model: the real
work lives in ``cellule.journal.recording`` and is loaded on first call.
"""

from cellule.journal.enums import Action
from cellule.journal.exceptions import JournalUnavailable

__all__ = ["Action", "JournalUnavailable", "record"]


def record(**kwargs):
    """Append one event to the journal; see ``cellule.journal.recording.record``."""
    from cellule.journal.recording import record as _record

    return _record(**kwargs)
