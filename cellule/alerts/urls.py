from django.urls import path

from cellule.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("tout-marquer-lu/", views.notification_mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("<uuid:pk>/", views.notification_open, name="open"),
    path("<uuid:pk>/lue/", views.notification_mark_read, name="mark_read"),
]
