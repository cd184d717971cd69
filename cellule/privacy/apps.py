from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "cellule.privacy"
    label = "privacy"
    verbose_name = "Protection des données"

    def ready(self):
        from cellule.alerts.periodic import register_reminder
        from cellule.cases.timeline import register_source
        from cellule.core.dashboard import register_panel
        from cellule.people.crypto import register_key_store
        from cellule.privacy import dashboard, exports, periodic, rules, timeline

        rules.register_meetings_and_exchanges()
        if rules._installed("meetings.agendaitem"):
            exports.register_source(exports.seance_decisions)
        if rules._installed("exchanges.transmission"):
            exports.register_source(exports.transmissions_to_state)
        register_reminder(periodic.daily_purge)
        register_panel(dashboard.panel)
        register_key_store("privacy.RightsRequest", owner="pk")
        register_source(timeline.legal_holds)
