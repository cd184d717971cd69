"""One keyring per request: each person's data key is unwrapped once per request at most."""

from cellule.people.crypto import keyring_scope


class KeyringMiddleware:
    """Add to MIDDLEWARE (anywhere after authentication); the keys are dropped with the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with keyring_scope():
            return self.get_response(request)
