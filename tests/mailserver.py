"""A real SMTP server for mail tests: aiosmtpd on a free local port, with Django's SMTP backend
pointed at it (pytest-django puts the in-memory backend in place otherwise). Import the fixtures
into a test module or conftest: `from tests.mailserver import smtp, smtp_down  # noqa: F401`."""
import email
import socket
import time
from email import policy

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Received:
    """What the server was given: each message parsed, with its envelope recipients."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append({"to": list(envelope.rcpt_tos), "from": envelope.mail_from, "subject": str(msg["subject"]).strip(),
                              "body": msg.get_body(("plain",)).get_content(), "message": msg})
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for m in self.messages if address in m["to"]]

    def wait(self, n, seconds=5.0):
        """The server's handler runs in its own thread: wait until it has `n` messages."""
        end = time.monotonic() + seconds
        while len(self.messages) < n and time.monotonic() < end:
            time.sleep(0.02)
        return self.messages


def _point_at(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.NSCL_EMAIL_ENABLED = True
    settings.DEFAULT_FROM_EMAIL = "NSCL Hưng Yên <nscl@sokhcn.hungyen.gov.vn>"
    settings.NSCL_SITE_URL = "https://nscl.hungyen.gov.vn"


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    received = Received()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    _point_at(settings, controller.port)
    yield received
    controller.stop()


@pytest.fixture
def smtp_down(settings):
    """The mail server configured but not listening (connection refused)."""
    _point_at(settings, free_port())
