from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cellule.reports"
    label = "reports"
    verbose_name = "Signalements"

    def ready(self):
        from cellule.alerts.kinds import register_target
        from cellule.alerts.periodic import register_reminder
        from cellule.reports import reminders

        register_target("reports.signalement", reminders.signalement_url)
        register_reminder(reminders.remind_qualification_overdue)
