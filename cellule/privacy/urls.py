from django.urls import path

from cellule.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.index, name="index"),
    path("conservation/", views.retention, name="retention"),
    path("echeances/", views.upcoming, name="upcoming"),
    path("gels/", views.hold_list, name="holds"),
    path(
        "gels/<slug:kind>/<uuid:pk>/nouveau/", views.hold_new, name="hold_new"
    ),  # kind: situation or signalement
    path("gels/<uuid:pk>/lever/", views.hold_lift, name="hold_lift"),
    path("certificats/", views.certificate_list, name="certificates"),
    path("certificats/<uuid:pk>/", views.certificate_detail, name="certificate"),
    path("certificats/<uuid:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("demandes/", views.request_list, name="requests"),
    path("demandes/nouvelle/", views.request_new, name="request_new"),
    path("demandes/<uuid:pk>/", views.request_detail, name="request_detail"),
    path("demandes/<uuid:pk>/personne/", views.request_person, name="request_person"),
    path("demandes/<uuid:pk>/export/", views.request_export, name="request_export"),
    path("demandes/<uuid:pk>/relecture/", views.request_review, name="request_review"),
    path("demandes/<uuid:pk>/export.json", views.request_export_json, name="request_export_json"),
    path("demandes/<uuid:pk>/export.pdf", views.request_export_pdf, name="request_export_pdf"),
    path("demandes/<uuid:pk>/rectification/", views.request_rectify, name="request_rectify"),
    path("demandes/<uuid:pk>/effacement/", views.request_erase, name="request_erase"),
    path("demandes/<uuid:pk>/limitation/", views.request_hold, name="request_hold"),
    path("demandes/<uuid:pk>/etape/", views.request_step, name="request_step"),
    path("demandes/<uuid:pk>/reponse/", views.request_answer, name="request_answer"),
    path("registre/", views.register_page, name="register"),
    path("registre.pdf", views.register_pdf, name="register_pdf"),
    path("aipd/", views.dpia, name="dpia"),
    path("aipd.pdf", views.dpia_pdf, name="dpia_pdf"),
    path("information/collective/", views.notice, name="notice"),
    path("information/individuelle/", views.letter, name="letter"),
    path("information/individuelle.pdf", views.letter_pdf, name="letter_pdf"),
]
