from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "cellule.privacy"
    label = "privacy"
    verbose_name = "Protection des données"
