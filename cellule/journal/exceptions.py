class JournalUnavailable(Exception):
    """The journal des accès could not be written: the request must fail (architecture §2.7)."""
