from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cellule.api"
    label = "api"
    verbose_name = "API"
