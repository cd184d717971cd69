from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cellule.accounts"
    verbose_name = "Comptes, organisations et cellules"

    def ready(self):
        from cellule.accounts import sessions, signals  # noqa: F401  (signal receivers)
