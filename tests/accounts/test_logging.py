"""Refusals are logged as one line, real errors with their traceback, each once (Hardening item 10)."""
import io
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import Client
from django.urls import path


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise ValueError("boom")


def fine(request):
    return HttpResponse("ok")


from nscl.urls import urlpatterns as _site  # noqa: E402  (error pages link to the site's pages)

urlpatterns = [path("forbidden/", forbidden), path("broken/", broken), path("fine/", fine), *_site]


@pytest.fixture
def console(settings):
    """What the configured console handler writes."""
    settings.ROOT_URLCONF = __name__
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buf = io.StringIO()
    old = handler.setStream(buf)
    yield buf
    handler.setStream(old)


def test_a_refusal_is_one_line_and_an_error_keeps_its_traceback(console, caplog, db):
    client = Client(raise_request_exception=False)
    caplog.set_level(logging.WARNING)
    assert client.get("/forbidden/").status_code == 403
    refusal = [r for r in caplog.records if r.name == "django.request"]
    assert len(refusal) == 1 and refusal[0].exc_info is None
    assert console.getvalue().count("Forbidden (Permission denied): /forbidden/") == 1
    assert "Traceback" not in console.getvalue()

    caplog.clear()
    assert client.get("/broken/").status_code == 500
    error = [r for r in caplog.records if r.name == "django.request"]
    assert len(error) == 1 and error[0].exc_info is not None
    out = console.getvalue()
    assert out.count("Internal Server Error: /broken/") == 1 and out.count("Traceback") == 1
    assert "ValueError: boom" in out


def test_a_disallowed_host_is_one_line(console, db):
    client = Client(raise_request_exception=False)
    assert client.get("/fine/", HTTP_HOST="evil.example").status_code == 400
    out = console.getvalue()
    assert out.count("Invalid HTTP_HOST header") == 1 and "Traceback" not in out


def test_a_csrf_refusal_is_one_line(console, db):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 403
    out = console.getvalue()
    assert out.count("Forbidden (CSRF") == 1 and "Traceback" not in out
