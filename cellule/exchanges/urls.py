from django.urls import path

from cellule.exchanges import views

app_name = "exchanges"

urlpatterns = [
    path("", views.transmission_list, name="list"),
    path("situations/<uuid:pk>/transmettre/", views.transmit_situation, name="transmit_situation"),
    path(
        "signalements/<uuid:pk>/transmettre/",
        views.transmit_signalement,
        name="transmit_signalement",
    ),
    path("<uuid:pk>/", views.transmission_detail, name="detail"),
    path("<uuid:pk>/accuse-reception/", views.transmission_acknowledge, name="acknowledge"),
    path("<uuid:pk>/retour/", views.transmission_feedback, name="feedback"),
    path("information-au-maire/", views.information_new, name="information_new"),
    path("<uuid:pk>/accord/", views.information_approval, name="approval"),
    path("<uuid:pk>/envoyer/", views.information_send, name="send"),
    path("information-generale/demande/", views.briefing_request, name="briefing_request"),
    path("<uuid:pk>/information-generale/", views.briefing_held, name="briefing_held"),
]
