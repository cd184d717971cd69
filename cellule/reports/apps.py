from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cellule.reports"
    label = "reports"
    verbose_name = "Signalements"
