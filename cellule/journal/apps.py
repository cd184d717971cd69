from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "cellule.journal"
    label = "journal"
    verbose_name = "Journal des accès"
