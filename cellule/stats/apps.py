from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "cellule.stats"
    label = "stats"
    verbose_name = "Statistiques"
