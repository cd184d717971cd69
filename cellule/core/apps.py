from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cellule.core"
    verbose_name = "Cellule"
