from django.urls import path

from cellule.accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("connexion/code/", views.otp_verify, name="otp_verify"),
    path("connexion/double-authentification/", views.otp_setup, name="otp_setup"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/oublie/envoye/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/modifie/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("profil/", views.profile, name="profile"),
    path("habilitations/<uuid:pk>/charte/", views.charter_sign, name="charter_sign"),
    path("habilitations/<uuid:pk>/modifier/", views.membership_edit, name="membership_edit"),
    path("habilitations/<uuid:pk>/retirer/", views.membership_end, name="membership_end"),
    path("cellules/<uuid:pk>/", views.cell_detail, name="cell_detail"),
    path("cellules/<uuid:pk>/charte/", views.charter_edit, name="charter_edit"),
    path("cellules/<uuid:pk>/charte/signer/", views.charter_sign_own, name="charter_sign_own"),
]
