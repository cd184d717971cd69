"""Tokens: shown once, stored hashed, expiring, revocable, the user's rights and no more."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cellule.accounts import services as account_services
from cellule.api import tokens
from cellule.api.models import ApiToken
from cellule.journal.models import AuditEvent
from tests.api.conftest import ApiClient, token_for
from tests.conftest import text

MINE = "/api/v1/signalements/mine"


def test_a_token_is_shown_once_and_stored_only_hashed(coordinator):
    token, raw = tokens.create_token(user=coordinator, name="Vie scolaire", by=coordinator)
    assert raw.startswith("cel_") and len(raw) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert raw not in str(stored)
    assert token.prefix == raw[:10]
    assert token.expires_at.date() == (timezone.now() + timedelta(days=90)).date()
    assert ApiClient(raw).get(MINE).status_code == 200


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "not_authenticated"),
        ("Bearer cel_inventé", "token_invalid"),
        ("Bearer n'importe quoi", "token_invalid"),
        ("Basic dXNlcjpwYXNz", "not_authenticated"),
    ],
)
def test_without_a_valid_token_the_answer_is_a_french_401(db, client, header, code):
    headers = {"Authorization": header} if header else {}
    response = client.get(MINE, headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == code
    assert "jeton" in response.json()["detail"].lower()


def test_an_expired_token_is_refused(coordinator):
    raw = token_for(coordinator, days=1)
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        response = ApiClient(raw).get(MINE)
    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_a_revoked_token_is_refused_at_once(coordinator):
    token, raw = tokens.create_token(user=coordinator, name="x", by=coordinator)
    assert ApiClient(raw).get(MINE).status_code == 200
    tokens.revoke_token(token=token, by=coordinator)
    response = ApiClient(raw).get(MINE)
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_an_inactive_account_or_one_without_second_factor_is_refused(coordinator):
    raw = token_for(coordinator)
    TOTPDevice.objects.filter(user=coordinator).delete()
    assert ApiClient(raw).get(MINE).json()["code"] == "second_factor_missing"
    coordinator.is_active = False
    coordinator.save()
    response = ApiClient(raw).get(MINE)
    assert response.status_code == 401
    assert response.json()["code"] == "account_inactive"


def test_an_unsigned_charter_closes_the_api_as_it_closes_the_pages(unsigned_member):
    response = ApiClient(token_for(unsigned_member)).get(MINE)
    assert response.status_code == 403
    assert response.json()["code"] == "charter_unsigned"


def test_a_token_has_the_rights_of_its_user_today(world):
    """The rights are those of the membership now, not when the token was made."""
    coordinator = world.actors["coordinator"]
    president = world.actors["president"]
    client = ApiClient(token_for(president))
    url = f"/api/v1/signalements/{world.signalement.pk}"
    assert client.get(url).status_code == 200
    membership = president.memberships.get(cell=world.cell)
    account_services.end_membership(membership=membership, by=coordinator)
    assert client.get(url).status_code == 404


def test_no_token_without_a_second_factor_or_for_someone_else(coordinator, member):
    TOTPDevice.objects.filter(user=member).delete()
    with pytest.raises(tokens.ValidationError, match="double authentification"):
        tokens.create_token(user=member, name="x", by=None)
    with pytest.raises(tokens.PermissionDenied):
        tokens.create_token(user=member, name="x", by=coordinator)
    with pytest.raises(tokens.ValidationError) as error:
        tokens.create_token(user=coordinator, name=" ", days=400, by=coordinator)
    assert set(error.value.message_dict) == {"name", "days"}


def test_the_last_use_is_recorded_once_a_minute_at_most(coordinator):
    token, raw = tokens.create_token(user=coordinator, name="x", by=coordinator)
    client = ApiClient(raw)
    client.get(MINE)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(MINE)
    token.refresh_from_db()
    assert token.last_used_at == first
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        client.get(MINE)
    token.refresh_from_db()
    assert token.last_used_at > first


def test_requests_beyond_the_rate_get_a_french_429(coordinator, member, settings):
    settings.CELLULE_API_RATE = "3/m"
    client = ApiClient(token_for(coordinator))
    assert [client.get(MINE).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(MINE)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert "Trop de requêtes" in response.json()["detail"]
    assert int(response["Retry-After"]) >= 1
    assert ApiClient(token_for(member)).get(MINE).status_code == 200  # per token


def test_guessing_tokens_is_slowed_down(coordinator, settings):
    settings.CELLULE_API_FAILED_AUTH_RATE = "2/m"
    guesser = ApiClient("cel_devine")
    assert [guesser.get(MINE).status_code for _ in range(2)] == [401, 401]
    response = guesser.get(MINE)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"


def test_creating_and_revoking_are_journaled(coordinator):
    token, _ = tokens.create_token(user=coordinator, name="x", by=coordinator)
    tokens.revoke_token(token=token, by=coordinator)
    reasons = list(
        AuditEvent.objects.filter(target_type="api.apitoken", target_id=str(token.pk))
        .order_by("seq")
        .values_list("actor_id", "reason")
    )
    assert reasons == [
        (coordinator.pk, "jeton d'API créé"),
        (coordinator.pk, "jeton d'API révoqué"),
    ]


# --- The profile's section --------------------------------------------------------------------


def test_the_profile_lists_ones_tokens_without_their_value(client_for, coordinator, member):
    tokens.create_token(user=coordinator, name="Vie scolaire", by=coordinator)
    tokens.create_token(user=member, name="Logiciel du CCAS", by=member)
    page = text(client_for(coordinator).get(reverse("accounts:profile")))
    assert "Vie scolaire" in page and "Logiciel du CCAS" not in page
    assert "jamais" in page  # never used yet
    assert "Créer un jeton d'API" in page


def test_creating_a_token_asks_a_fresh_authentication(client_for, coordinator):
    client = client_for(coordinator)
    session = client.session
    session.pop("cellule_reauth_at")
    session.save()
    response = client.get(reverse("api_tokens:new"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:reauthenticate"))


def test_a_token_made_in_the_profile_is_shown_once_then_works(client_for, coordinator):
    client = client_for(coordinator)
    response = client.post(reverse("api_tokens:new"), {"name": "Vie scolaire", "days": "30"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = response.context["raw"]
    assert raw in text(response)
    token = ApiToken.objects.get(user=coordinator)
    assert token.expires_at.date() == (timezone.now() + timedelta(days=30)).date()
    assert raw not in text(client.get(reverse("accounts:profile")))
    assert ApiClient(raw).get(MINE).status_code == 200


def test_the_token_form_shows_french_errors(client_for, coordinator):
    response = client_for(coordinator).post(reverse("api_tokens:new"), {"name": "", "days": "7"})
    page = text(response)
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in page
    assert "Sélectionnez un choix valide" in page
    assert not ApiToken.objects.exists()


def test_one_revokes_only_ones_own_tokens(client_for, coordinator, member):
    own, _ = tokens.create_token(user=coordinator, name="x", by=coordinator)
    other, _ = tokens.create_token(user=member, name="y", by=member)
    client = client_for(coordinator)
    assert client.post(reverse("api_tokens:revoke", args=[other.pk])).status_code == 404
    response = client.post(reverse("api_tokens:revoke", args=[own.pk]))
    assert response.url == reverse("accounts:profile")
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.revoked_at is not None and other.revoked_at is None
