from django.urls import path

from cellule.api import views

app_name = "api_tokens"

urlpatterns = [
    path("nouveau/", views.token_new, name="new"),
    path("<uuid:pk>/revoquer/", views.token_revoke, name="revoke"),
]
