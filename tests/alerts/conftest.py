"""A real SMTP server for the e-mail tests: aiosmtpd on 127.0.0.1, on a free port."""

import socket

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    """Accepts messages, after refusing the first `refuse` ones with a temporary 451."""

    def __init__(self, refuse: int = 0, code: str = "451 4.3.0 Réessayez plus tard"):
        self.refuse = refuse
        self.code = code
        self.messages = []
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refused < self.refuse:
            self.refused += 1
            return self.code
        self.messages.append(envelope)
        return "250 2.0.0 Message accepté"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """smtp_server(refuse=N) starts a server and points Django's SMTP backend at it."""
    controllers = []

    def start(refuse: int = 0, code: str = "451 4.3.0 Réessayez plus tard") -> Mailbox:
        mailbox = Mailbox(refuse, code)
        port = free_port()
        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        return mailbox

    yield start
    for controller in controllers:
        controller.stop()
