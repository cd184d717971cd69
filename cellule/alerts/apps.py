from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "cellule.alerts"
    label = "alerts"
    verbose_name = "Alertes et notifications"

    def ready(self):
        from cellule.alerts import receivers  # noqa: F401  (signal receivers)
