from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "cellule.territory"
    verbose_name = "Territoires"
