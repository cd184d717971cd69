"""Start-up checks: configurations under which the journal would not hold its promises."""

from django.core import checks
from django.db import connections, router


@checks.register()
def journal_database(app_configs, **kwargs):
    from cellule.journal.models import AuditEvent

    alias = router.db_for_write(AuditEvent)
    connection = connections[alias]
    if connection.vendor == "sqlite":
        mode = connection.settings_dict.get("OPTIONS", {}).get("transaction_mode", "")
        if str(mode).upper() != "IMMEDIATE":
            return [
                checks.Error(
                    f"La base « {alias} » (SQLite) doit utiliser transaction_mode IMMEDIATE.",
                    hint="Sans cela, deux écritures simultanées du journal peuvent échouer.",
                    id="journal.E001",
                )
            ]
    elif connection.vendor != "postgresql":
        return [
            checks.Error(
                f"Le journal des accès exige SQLite ou PostgreSQL (base « {alias} » : "
                f"{connection.vendor}).",
                id="journal.E002",
            )
        ]
    return []


@checks.register()
def journal_retention(app_configs, **kwargs):
    from cellule.journal.retention import retention_months

    try:
        retention_months()
    except ValueError as exc:
        return [checks.Error(str(exc), id="journal.E003")]
    return []
