from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cellule.accounts"
    verbose_name = "Comptes, organisations et cellules"
