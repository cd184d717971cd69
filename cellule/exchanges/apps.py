from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    name = "cellule.exchanges"
    label = "exchanges"
    verbose_name = "Échanges avec l'État"

    def ready(self):
        from cellule.alerts.kinds import register_target
        from cellule.alerts.periodic import register_reminder
        from cellule.cases.timeline import register_source
        from cellule.core.dashboard import register_panel
        from cellule.exchanges import panels, reminders
        from cellule.people.crypto import register_key_store

        register_target("exchanges.transmission", reminders.transmission_url)
        register_reminder(reminders.remind_feedback)
        register_reminder(reminders.remind_briefings)
        register_reminder(reminders.erase_expired)
        register_source(panels.timeline_entries)
        register_panel(panels.dashboard)
        register_key_store(
            "exchanges.TransmissionKey", owner="transmission_id", stamp="rewrapped_at"
        )
