from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    name = "cellule.exchanges"
    label = "exchanges"
    verbose_name = "Échanges avec l'État"
