from django.urls import path

from cellule.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("cellule/changer/", views.switch_cell, name="switch_cell"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.personal_data, name="personal_data"),
]
