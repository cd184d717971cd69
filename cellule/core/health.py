from django.conf import settings
from django.db import DatabaseError, connections, transaction


def database_writable(alias: str) -> bool:
    """Whether a write on this database would succeed right now (the write is rolled back)."""
    connection = connections[alias]
    try:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW transaction_read_only")
                writable = cursor.fetchone()[0] == "off"
            else:
                # Rewriting the header's user_version is a real write, undone by the rollback.
                cursor.execute("PRAGMA user_version")
                version = int(cursor.fetchone()[0])
                cursor.execute(f"PRAGMA user_version = {version}")
                writable = True
            transaction.set_rollback(True, using=alias)
            return writable
    except DatabaseError:
        return False


def readiness() -> dict[str, bool]:
    return {alias: database_writable(alias) for alias in settings.DATABASES}
