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
    path("connexion/code-de-secours/", views.recovery_login, name="recovery_login"),
    path("connexion/confirmer/", views.reauthenticate, name="reauthenticate"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path(
        "invitation/<str:token>/nouvel-envoi/", views.invitation_renewal, name="invitation_renewal"
    ),
    path("profil/", views.profile, name="profile"),
    path("profil/mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("profil/codes-de-secours/", views.recovery_codes, name="recovery_codes"),
    path("profil/application-d-authentification/", views.totp_replace, name="totp_replace"),
    path("profil/sessions/", views.sessions, name="sessions"),
    path("profil/sessions/<int:pk>/fermer/", views.session_end, name="session_end"),
    path("session/prolonger/", views.session_keepalive, name="session_keepalive"),
    path("session/etat/", views.session_status, name="session_status"),
    path("invitations/<uuid:pk>/renvoyer/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<uuid:pk>/annuler/", views.invitation_revoke, name="invitation_revoke"),
    path("habilitations/<uuid:pk>/charte/", views.charter_sign, name="charter_sign"),
    path("habilitations/<uuid:pk>/modifier/", views.membership_edit, name="membership_edit"),
    path("habilitations/<uuid:pk>/retirer/", views.membership_end, name="membership_end"),
    path("cellules/<uuid:pk>/", views.cell_detail, name="cell_detail"),
    path("cellules/<uuid:pk>/charte/", views.charter_edit, name="charter_edit"),
    path("cellules/<uuid:pk>/inviter/", views.invitation_create, name="invitation_create"),
    path("cellules/<uuid:pk>/inviter/fichier/", views.invitation_bulk, name="invitation_bulk"),
    path("cellules/<uuid:pk>/charte/signer/", views.charter_sign_own, name="charter_sign_own"),
]
