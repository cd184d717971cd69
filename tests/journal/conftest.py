import pytest

from tests.journal.helpers import wipe_journal


@pytest.fixture
def committed_journal(transactional_db):
    """For tests whose journal events are committed: empty the journal before the flush."""
    yield
    wipe_journal()
