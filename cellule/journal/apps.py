from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "cellule.journal"
    label = "journal"
    verbose_name = "Journal des accès"

    def ready(self):
        from cellule.journal import checks  # noqa: F401  (registers the start-up checks)
