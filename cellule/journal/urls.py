from django.urls import path

from cellule.journal import views

app_name = "journal"

urlpatterns = [
    path("", views.journal_list, name="list"),
    path("export.csv", views.journal_export, name="export"),
]
