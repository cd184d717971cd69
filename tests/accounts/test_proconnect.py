"""ProConnect login against a fake provider living in the test: its RSA key is made here, its
tokens are signed here, and its endpoints answer through `responses` (no network)."""

import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from cellule.accounts import proconnect
from cellule.accounts.enums import Role
from cellule.accounts.models import ExternalIdentity, User
from tests.accounts.factories import MembershipFactory
from tests.conftest import text, verified_client
from tests.test_settings import run_manage

pytestmark = pytest.mark.django_db

ISSUER = "https://proconnect.test/api/v2"
CLIENT_ID = "cellule-client-de-test"
CLIENT_SECRET = "secret-de-test-assez-long-pour-hmac-sha256"
ENDPOINTS = {
    "PROCONNECT_ISSUER": ISSUER,
    "PROCONNECT_AUTHORIZATION_ENDPOINT": f"{ISSUER}/authorize",
    "PROCONNECT_TOKEN_ENDPOINT": f"{ISSUER}/token",
    "PROCONNECT_JWKS_ENDPOINT": f"{ISSUER}/jwks",
    "PROCONNECT_USERINFO_ENDPOINT": f"{ISSUER}/userinfo",
    "PROCONNECT_LOGOUT_ENDPOINT": f"{ISSUER}/session/end",
}
DISCOVERY_URL = f"{ISSUER}/.well-known/openid-configuration"
AGENT_EMAIL = "agent.dupont@ministere.gouv.fr"


def new_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def provider_key():
    return new_rsa_key()


@pytest.fixture(scope="module")
def forger_key():
    return new_rsa_key()


class FakeProConnect:
    """The provider's side of the code flow; a test changes what it answers before logging in."""

    kid = "cle-de-test"

    def __init__(self, rsps, key):
        self.key = key
        self.sub = "sub-agent-dupont"
        self.idp_id = "fi-ministere"
        self.email = AGENT_EMAIL.upper()  # e-mail matching ignores case
        self.nonce = None
        self.authorize_query = None
        self.id_token_claims = {}  # overrides of the ID token's claims; None removes a claim
        self.userinfo_claims = {}
        self.sign_id_token = self.sign  # a test may forge the ID token another way
        self.sign_userinfo = self.sign
        self.userinfo_content_type = "application/jwt"
        self.token_status = 200
        self.token_requests = []
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        rsps.get(
            ENDPOINTS["PROCONNECT_JWKS_ENDPOINT"],
            json={"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]},
        )
        rsps.add_callback(responses.POST, ENDPOINTS["PROCONNECT_TOKEN_ENDPOINT"], self._token)
        rsps.add_callback(responses.GET, ENDPOINTS["PROCONNECT_USERINFO_ENDPOINT"], self._userinfo)

    def sign(self, claims, key=None, kid=None):
        return jwt.encode(
            claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    def start(self, client, next_url=None) -> str:
        """The ProConnect button; returns the state the browser carries to the provider."""
        url = reverse("proconnect:login")
        response = client.get(f"{url}?{urlencode({'next': next_url})}" if next_url else url)
        assert response.status_code == 302
        assert response.url.startswith(ENDPOINTS["PROCONNECT_AUTHORIZATION_ENDPOINT"] + "?")
        self.authorize_query = {k: v[0] for k, v in parse_qs(urlsplit(response.url).query).items()}
        self.nonce = self.authorize_query["nonce"]
        return self.authorize_query["state"]

    def come_back(self, client, state, follow=False):
        """The provider sends the browser back to Cellule with a code."""
        return client.get(
            reverse("proconnect:callback"), {"code": "code-de-test", "state": state}, follow=follow
        )

    def login(self, client, follow=False):
        return self.come_back(client, self.start(client), follow=follow)

    def id_token(self):
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": self.sub,
            "iat": now,
            "exp": now + 60,
            "nonce": self.nonce,
            "acr": "eidas1-mfa",
            "amr": ["pwd", "totp"],
        }
        claims.update(self.id_token_claims)
        return self.sign_id_token({k: v for k, v in claims.items() if v is not None})

    def _token(self, request):
        self.token_requests.append({k: v[0] for k, v in parse_qs(request.body).items()})
        if self.token_status != 200:
            return (self.token_status, {}, json.dumps({"error": "invalid_grant"}))
        body = {
            "access_token": "jeton-d-acces",
            "token_type": "Bearer",
            "expires_in": 60,
            "id_token": self.id_token(),
        }
        return (200, {"Content-Type": "application/json"}, json.dumps(body))

    def _userinfo(self, request):
        assert request.headers["Authorization"] == "Bearer jeton-d-acces"
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": self.sub,
            "email": self.email,
            "given_name": "Camille",
            "usual_name": "Dupont",
            "idp_id": self.idp_id,
            "siret": "21130063500010",
        }
        claims.update(self.userinfo_claims)
        claims = {k: v for k, v in claims.items() if v is not None}
        if self.userinfo_content_type == "application/json":
            return (200, {"Content-Type": "application/json"}, json.dumps(claims))
        return (200, {"Content-Type": "application/jwt"}, self.sign_userinfo(claims))


@pytest.fixture(autouse=True)
def _fresh_discovery_cache():
    proconnect._discovery_cache.clear()
    yield
    proconnect._discovery_cache.clear()


@pytest.fixture
def proconnect_on(settings):
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    settings.PROCONNECT_DISCOVERY_URL = ""
    for name, value in ENDPOINTS.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def fake(proconnect_on, provider_key):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeProConnect(rsps, provider_key)


@pytest.fixture
def agent(cell):
    """A provisioned account (created by invitation), coordinator of `cell`."""
    return MembershipFactory(cell=cell, role=Role.COORDINATOR, user__email=AGENT_EMAIL).user


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


# --- Success ----------------------------------------------------------------------------------


def test_the_authorization_request_asks_for_two_factors_with_state_and_nonce(fake, client):
    state = fake.start(client, next_url="/profil/")
    query = fake.authorize_query

    assert set(query) == {
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "claims",
    }  # ProConnect refuses any other parameter
    assert query["response_type"] == "code"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver/proconnect/retour/"
    assert query["scope"] == "openid email idp_id"
    assert len(state) >= 32 and len(query["nonce"]) >= 32
    assert json.loads(query["claims"]) == {
        "id_token": {"acr": {"essential": True, "values": ["eidas1-mfa", "eidas2", "eidas3"]}}
    }
    assert client.session["oidc_states"][state]["nonce"] == query["nonce"]


def test_a_provisioned_agent_gets_in_by_email_and_proconnect_is_the_second_factor(
    fake, client, agent
):
    users_before = User.objects.count()

    response = fake.come_back(client, fake.start(client, next_url="/profil/"))

    assert response.status_code == 302 and response.url == "/profil/"
    assert logged_in_user_id(client) == str(agent.pk)
    assert client.session[proconnect.SECOND_FACTOR_SESSION_KEY] == str(agent.pk)
    assert client.session[proconnect.ID_TOKEN_SESSION_KEY]
    # No TOTP code asked: the dashboard opens, with its menu.
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert "Tableau de bord" in text(home) and 'id="fr-navigation"' in text(home)
    # The code was exchanged with the client secret, for the registered redirect URI.
    (token_request,) = fake.token_requests
    assert token_request == {
        "grant_type": "authorization_code",
        "code": "code-de-test",
        "redirect_uri": "http://testserver/proconnect/retour/",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.idp_id, identity.sub) == (agent, fake.idp_id, fake.sub)
    assert identity.last_login_at is not None
    assert User.objects.count() == users_before


def test_the_next_login_matches_idp_and_sub_even_when_the_email_claim_changed(
    fake, client, client_factory, agent
):
    fake.login(client)
    first_login = ExternalIdentity.objects.get().last_login_at

    fake.email = "camille.dupont@nouveau-ministere.gouv.fr"
    other_browser = client_factory()
    response = fake.login(other_browser)

    assert response.status_code == 302 and response.url == "/"
    assert logged_in_user_id(other_browser) == str(agent.pk)
    agent.refresh_from_db()
    assert agent.email == AGENT_EMAIL  # never updated from the claims
    identity = ExternalIdentity.objects.get()
    assert identity.last_login_at > first_login
    assert not User.objects.filter(email__iexact=fake.email).exists()


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


# --- Refusals ---------------------------------------------------------------------------------


def _forged_with_another_key(fake, key):
    fake.sign_id_token = lambda claims: fake.sign(claims, key=key)


def _hs256_with_client_secret(fake):
    fake.sign_id_token = lambda claims: jwt.encode(
        claims, CLIENT_SECRET, algorithm="HS256", headers={"kid": fake.kid}
    )


def _unsigned(fake):
    fake.sign_id_token = lambda claims: jwt.encode(claims, None, algorithm="none")


def _expired(fake):
    now = int(time.time())
    fake.id_token_claims.update(iat=now - 600, exp=now - 300)


REFUSALS = {
    "bad signature": (
        lambda fake, forger_key: _forged_with_another_key(fake, forger_key),
        proconnect.REFUSED,
    ),
    "unknown key id": (
        lambda fake, _: setattr(fake, "sign_id_token", lambda c: fake.sign(c, kid="autre-cle")),
        proconnect.REFUSED,
    ),
    "HS256 signed with the client secret": (
        lambda fake, _: _hs256_with_client_secret(fake),
        proconnect.REFUSED,
    ),
    "alg none": (lambda fake, _: _unsigned(fake), proconnect.REFUSED),
    "wrong audience": (
        lambda fake, _: fake.id_token_claims.update(aud="un-autre-service"),
        proconnect.REFUSED,
    ),
    "wrong issuer": (
        lambda fake, _: fake.id_token_claims.update(iss="https://faux-proconnect.test/api/v2"),
        proconnect.REFUSED,
    ),
    "wrong nonce": (
        lambda fake, _: fake.id_token_claims.update(nonce="n" * 32),
        proconnect.REFUSED,
    ),
    "no nonce": (lambda fake, _: fake.id_token_claims.update(nonce=None), proconnect.REFUSED),
    "expired token": (lambda fake, _: _expired(fake), proconnect.REFUSED),
    "missing acr": (lambda fake, _: fake.id_token_claims.update(acr=None), proconnect.WEAK_ACR),
    "acr too weak (eidas1)": (
        lambda fake, _: fake.id_token_claims.update(acr="eidas1"),
        proconnect.WEAK_ACR,
    ),
    "declarative acr (eidas0-mfa)": (
        lambda fake, _: fake.id_token_claims.update(acr="eidas0-mfa"),
        proconnect.WEAK_ACR,
    ),
    "userinfo about another subject": (
        lambda fake, _: fake.userinfo_claims.update(sub="quelqu-un-d-autre"),
        proconnect.REFUSED,
    ),
    "userinfo signed by another key": (
        lambda fake, forger_key: setattr(
            fake, "sign_userinfo", lambda c: fake.sign(c, key=forger_key)
        ),
        proconnect.REFUSED,
    ),
    "userinfo not signed": (
        lambda fake, _: setattr(fake, "userinfo_content_type", "application/json"),
        proconnect.REFUSED,
    ),
    "userinfo without idp_id": (
        lambda fake, _: fake.userinfo_claims.update(idp_id=None),
        proconnect.REFUSED,
    ),
    "code refused by the token endpoint": (
        lambda fake, _: setattr(fake, "token_status", 400),
        proconnect.REFUSED,
    ),
    "unprovisioned user": (
        lambda fake, _: setattr(fake, "email", "inconnu@prefecture.gouv.fr"),
        proconnect.UNKNOWN_IDENTITY,
    ),
}


def assert_refused(client, response, message, users_before):
    assert response.redirect_chain[0] == (reverse("accounts:login"), 302)
    assert response.status_code == 200
    assert message in text(response)
    assert logged_in_user_id(client) is None
    assert proconnect.SECOND_FACTOR_SESSION_KEY not in client.session
    assert proconnect.ID_TOKEN_SESSION_KEY not in client.session
    assert not ExternalIdentity.objects.exists()
    assert User.objects.count() == users_before
    assert client.get(reverse("core:home")).status_code == 302


@pytest.mark.parametrize("case", list(REFUSALS))
def test_forged_invalid_or_unprovisioned_logins_are_refused(fake, client, agent, forger_key, case):
    forge, message = REFUSALS[case]
    forge(fake, forger_key)
    users_before = User.objects.count()

    response = fake.login(client, follow=True)

    assert_refused(client, response, message, users_before)


def test_an_inactive_account_is_refused_like_an_unknown_one(fake, client, agent):
    agent.is_active = False
    agent.save()
    users_before = User.objects.count()

    response = fake.login(client, follow=True)

    assert_refused(client, response, proconnect.UNKNOWN_IDENTITY, users_before)


def test_an_unknown_state_is_refused_before_any_call_to_the_provider(fake, client, agent):
    fake.start(client)
    users_before = User.objects.count()

    response = fake.come_back(client, "s" * 32, follow=True)

    assert_refused(client, response, proconnect.REFUSED, users_before)
    assert fake.token_requests == []


def test_a_callback_cannot_be_replayed(fake, client, agent):
    state = fake.start(client)
    assert fake.come_back(client, state).url == "/"

    response = fake.come_back(client, state, follow=True)

    assert proconnect.REFUSED in text(response)
    assert len(fake.token_requests) == 1  # the used state is gone: no second code exchange


def test_an_email_cannot_tie_a_second_proconnect_identity_to_an_account(fake, client, agent):
    ExternalIdentity.objects.create(user=agent, idp_id="fi-ancien", sub="ancien-sub")

    response = fake.login(client, follow=True)

    assert proconnect.ALREADY_LINKED in text(response)
    assert logged_in_user_id(client) is None
    assert ExternalIdentity.objects.count() == 1


def test_a_second_factor_mark_for_another_user_counts_for_nothing(client, agent, cell):
    other = MembershipFactory(cell=cell).user
    client.force_login(agent)
    session = client.session
    session[proconnect.SECOND_FACTOR_SESSION_KEY] = str(other.pk)
    session.save()

    assert client.get(reverse("core:home")).url.startswith(reverse("accounts:otp_verify"))


def test_a_password_login_does_not_reach_the_proconnect_backend(proconnect_on, client, agent):
    from tests.accounts.factories import PASSWORD

    with responses.RequestsMock() as rsps:  # any call to the provider would fail the test
        response = client.post(
            reverse("accounts:login"), {"username": AGENT_EMAIL, "password": PASSWORD}
        )
        assert len(rsps.calls) == 0
    assert response.status_code == 302
    assert client.get(reverse("core:home")).url.startswith(reverse("accounts:otp_verify"))


# --- Logout -----------------------------------------------------------------------------------


def test_logout_after_a_proconnect_login_ends_the_proconnect_session_too(fake, client, agent):
    fake.login(client)
    id_token = client.session[proconnect.ID_TOKEN_SESSION_KEY]

    response = client.post(reverse("proconnect:logout"))

    assert response.status_code == 302
    assert response.url.startswith(ENDPOINTS["PROCONNECT_LOGOUT_ENDPOINT"] + "?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(response.url).query).items()}
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == "http://testserver/proconnect/deconnexion/retour/"
    assert len(query["state"]) >= 32
    assert logged_in_user_id(client) is None
    assert client.get(reverse("core:home")).status_code == 302

    back = client.get(reverse("proconnect:logged_out"), {"state": query["state"]}, follow=True)
    assert back.redirect_chain[0] == (reverse("accounts:login"), 302)
    assert proconnect.LOGGED_OUT in text(back)


def test_the_logout_return_with_another_state_says_nothing(fake, client, agent):
    fake.login(client)
    client.post(reverse("proconnect:logout"))

    back = client.get(reverse("proconnect:logged_out"), {"state": "x" * 43}, follow=True)

    assert proconnect.LOGGED_OUT not in text(back)


def test_logout_after_a_password_login_stays_local(proconnect_on, agent):
    browser = verified_client(agent)

    response = browser.post(reverse("proconnect:logout"))

    assert response.url == reverse("accounts:login")
    assert logged_in_user_id(browser) is None


def test_logout_is_post_only(fake, client, agent):
    fake.login(client)
    assert client.get(reverse("proconnect:logout")).status_code == 405
    assert logged_in_user_id(client) == str(agent.pk)


# --- The login page and the feature switch ----------------------------------------------------


def test_the_login_page_offers_proconnect_above_the_password_form(proconnect_on, client):
    with responses.RequestsMock() as rsps:  # showing the page fetches nothing
        page = text(client.get(reverse("accounts:login") + "?next=/profil/"))
        assert len(rsps.calls) == 0
    button = page.index('class="fr-connect"')
    assert 'href="/proconnect/connexion/?next=/profil/"' in page
    assert "S'identifier avec" in page and "ProConnect</span>" in page
    assert button < page.index('<p class="fr-hr-or">ou</p>') < page.index('method="post"')


def test_proconnect_is_off_without_a_client_id(client, agent, settings):
    settings.PROCONNECT_CLIENT_ID = ""
    assert "ProConnect" not in text(client.get(reverse("accounts:login")))
    for name in ("proconnect:login", "proconnect:callback", "proconnect:logged_out"):
        assert client.get(reverse(name), {"code": "c", "state": "s"}).status_code == 404
    assert verified_client(agent).post(reverse("proconnect:logout")).status_code == 404


# --- Provider metadata ------------------------------------------------------------------------


def discovery_document(issuer=ISSUER):
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token",
        "jwks_uri": f"{ISSUER}/jwks",
        "userinfo_endpoint": f"{ISSUER}/userinfo",
        "end_session_endpoint": f"{ISSUER}/session/end",
    }


@pytest.fixture
def discovery_only(proconnect_on):
    for name in ENDPOINTS:
        setattr(proconnect_on, name, "")
    proconnect_on.PROCONNECT_DISCOVERY_URL = DISCOVERY_URL
    return proconnect_on


def test_the_discovery_document_is_read_at_the_first_login_then_kept(
    discovery_only, provider_key, client, agent
):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        discovery = rsps.get(DISCOVERY_URL, json=discovery_document())
        fake = FakeProConnect(rsps, provider_key)
        client.get(reverse("accounts:login"))
        assert discovery.call_count == 0

        response = fake.login(client)

        assert response.url == "/"
        assert logged_in_user_id(client) == str(agent.pk)
        fake.start(client)
        assert discovery.call_count == 1


def test_a_discovery_document_naming_another_issuer_is_refused(discovery_only, client):
    with responses.RequestsMock() as rsps:
        rsps.get(DISCOVERY_URL, json=discovery_document(issuer="https://autre.test/api/v2"))
        response = client.get(reverse("proconnect:login"), follow=True)
    assert response.redirect_chain[0] == (reverse("accounts:login"), 302)
    assert proconnect.REFUSED in text(response)


def test_settings_fetch_nothing_at_start_and_refuse_an_incomplete_configuration(tmp_path):
    base = {"CELLULE_ENV": "development", "PROCONNECT_CLIENT_ID": CLIENT_ID}
    # A discovery URL that cannot resolve: starting must not try to read it.
    lazy = run_manage(
        "check",
        env_overrides={
            **base,
            "PROCONNECT_CLIENT_SECRET": CLIENT_SECRET,
            "PROCONNECT_DISCOVERY_URL": "https://proconnect.invalid/.well-known/openid-configuration",
        },
        tmp_path=tmp_path,
    )
    assert lazy.returncode == 0, lazy.stderr

    incomplete = run_manage(
        "check",
        env_overrides={**base, "PROCONNECT_CLIENT_SECRET": CLIENT_SECRET},
        tmp_path=tmp_path,
    )
    assert incomplete.returncode != 0
    assert "PROCONNECT_DISCOVERY_URL" in incomplete.stderr
    assert "PROCONNECT_TOKEN_ENDPOINT" in incomplete.stderr
