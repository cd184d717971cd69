from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "cellule.people"
    label = "people"
    verbose_name = "Personnes concernées"
