from django.urls import path

from cellule.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.seance_list, name="list"),
    path("nouvelle/", views.seance_new, name="new"),
    path("<uuid:pk>/", views.seance_detail, name="detail"),
    path("<uuid:pk>/modifier/", views.seance_edit, name="edit"),
    path("<uuid:pk>/convoquer/", views.seance_convene, name="convene"),
    path("<uuid:pk>/ordre-du-jour/proposer/", views.agenda_propose, name="agenda_propose"),
    path("<uuid:pk>/ordre-du-jour/ajouter/", views.agenda_add, name="agenda_add"),
    path("<uuid:pk>/invites/", views.guest_invite, name="guest_invite"),
    path("<uuid:pk>/salle/", views.seance_room, name="room"),
    path("<uuid:pk>/clore/", views.seance_close, name="close"),
    path("<uuid:pk>/releve/valider/", views.minutes_validate, name="minutes_validate"),
    path("<uuid:pk>/releve.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("points/<uuid:pk>/retirer/", views.item_remove, name="item_remove"),
    path("points/<uuid:pk>/deplacer/", views.item_move, name="item_move"),
    path("points/<uuid:pk>/decision/", views.item_decision, name="decision"),
    path("points/<uuid:pk>/decision/champs/", views.decision_fields, name="decision_fields"),
    path("convoques/<uuid:pk>/presence/", views.attendee_attendance, name="attendance"),
    path("convoques/<uuid:pk>/confidentialite/", views.attendee_acknowledge, name="acknowledge"),
]
