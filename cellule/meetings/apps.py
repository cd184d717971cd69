from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "cellule.meetings"
    label = "meetings"
    verbose_name = "Séances"

    def ready(self):
        from cellule.alerts.kinds import register_target
        from cellule.cases.services import register_review_date_source
        from cellule.cases.timeline import register_source
        from cellule.core.dashboard import register_panel
        from cellule.meetings.dashboard import next_seance_panel
        from cellule.meetings.links import seance_url
        from cellule.meetings.models import next_seance_day
        from cellule.meetings.timeline import seance_entries

        register_target("meetings.seance", seance_url)
        register_source(seance_entries)
        register_panel(next_seance_panel)
        register_review_date_source(next_seance_day)
