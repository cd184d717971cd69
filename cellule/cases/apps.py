from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cellule.cases"
    label = "cases"
    verbose_name = "Situations"
