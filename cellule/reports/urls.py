from django.urls import path

from cellule.reports import views

app_name = "reports"

urlpatterns = [
    path("nouveau/", views.signalement_new, name="new"),
    path("mes-signalements/", views.signalement_mine, name="mine"),
    path("a-qualifier/", views.signalement_queue, name="queue"),
    path("<uuid:pk>/", views.signalement_detail, name="detail"),
    path("<uuid:pk>/personne/", views.signalement_check_person, name="check_person"),
    path("<uuid:pk>/qualifier/", views.signalement_qualify, name="qualify"),
]
