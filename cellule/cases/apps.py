from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cellule.cases"
    label = "cases"
    verbose_name = "Situations"

    def ready(self):
        from cellule.alerts.kinds import register_target
        from cellule.alerts.periodic import register_reminder
        from cellule.cases import reminders

        register_target("cases.situation", reminders.situation_url)
        register_target("cases.measure", reminders.measure_url)
        register_reminder(reminders.remind_reviews)
        register_reminder(reminders.archive)
