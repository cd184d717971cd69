"""API clients: a token per user, sent as « Authorization: Bearer »."""

import pytest
from django.test import Client

from cellule.api import tokens


def token_for(user, *, name="Logiciel de test", days=None) -> str:
    return tokens.create_token(user=user, name=name, days=days, by=user)[1]


class ApiClient:
    """A test client that sends a token with every request, and JSON bodies."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, params=None, **headers):
        return self.client.get(path, params or {}, headers={**self.headers, **headers})

    def post(self, path, data=None, **headers):
        return self.client.post(
            path, data or {}, content_type="application/json", headers={**self.headers, **headers}
        )


@pytest.fixture
def api_for():
    """api_for(user) → a client with a fresh token of that user (None: no token at all)."""

    def make(user):
        return ApiClient(token_for(user) if user is not None else None)

    return make


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits live in Django's cache, which outlives a test: each test starts afresh."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
