from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "cellule.meetings"
    label = "meetings"
    verbose_name = "Séances"
