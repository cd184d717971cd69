from django.urls import path

from cellule.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.situation_list, name="list"),
    path("a-revoir/", views.situation_to_review, name="to_review"),
    path("archives/", views.situation_archive, name="archive"),
    path("recherche/", views.situation_search, name="search"),
    path("<uuid:pk>/", views.situation_detail, name="detail"),
    path("<uuid:pk>/vue-partenaire/", views.situation_provider, name="provider"),
    path("<uuid:pk>/archive/", views.situation_archived, name="archived"),
    path("<uuid:pk>/etat/", views.situation_transition, name="transition"),
    path("<uuid:pk>/referent/", views.situation_referent, name="referent"),
    path("<uuid:pk>/revue/", views.situation_review, name="review"),
    path("<uuid:pk>/notes/", views.note_new, name="note_new"),
    path("<uuid:pk>/mesures/nouvelle/", views.measure_new, name="measure_new"),
    path("<uuid:pk>/cloture/", views.situation_close, name="close"),
    path("notes/<uuid:pk>/modifier/", views.note_edit, name="note_edit"),
    path("mesures/<uuid:pk>/adhesion/", views.measure_consent, name="measure_consent"),
    path("mesures/<uuid:pk>/avancement/", views.measure_progress, name="measure_progress"),
]
