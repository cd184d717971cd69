from django.urls import path

from cellule.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.cell_dashboard, name="cell"),
    path("export.csv", views.cell_export, name="cell_export"),
    path("departement/", views.departement_dashboard, name="departement"),
    path("departement/export.csv", views.departement_export, name="departement_export"),
]
