"""No odd input gives a 500: every URL pattern is walked with odd values in every path and query
parameter, as an administrator and anonymously; every error under /api/ is problem+json.

(Probe: `?year=%C2%B2`, `/progress/chart.foo`, `/tfp/runs/1/note.%0d%0aX`, an empty `version`,
`1e400` in a TFP import all gave HTTP 500.)"""
import itertools
import re

import pytest
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from nscl.accounts.models import Role
from nscl.cli import load_demo

pytestmark = pytest.mark.django_db

ODD = ["", "x", "²", "１２", "-1", "0", "1e400", "NaN", "99999999999999999999", "\r\nX", "<b>'\"", "2021-2025", "../.."]
QUERY = ["year", "unit", "phase", "lang", "format", "page", "confirmed", "user", "status", "object_id", "model",
         "action", "alpha", "from", "to", "number", "signer", "signer_title", "kind", "q", "method"]
PATH_ODD = ["x", "²", "１２", "-1", "0", "99999999999999999999", "\r\nX", "<b>'\"", "../.."]
# a value that finds an object (from the demo data) for each path parameter, so that one odd
# parameter at a time reaches the code behind the others
VALID = {"pk": ["1", "2"], "kind": ["class", "support", "tfp"], "phase_code": ["2021-2025"], "code": ["MT5", "MT6"],
         "fmt": ["svg", "png", "docx", "pdf"], "name": ["contributions", "tfp_share", "tfp_index", "tfp", "event"],
         "rest": ["v1/x"],
         # traceability (the demo's longan chain): a GTIN with its lot and serial, an event, a capture job
         "gtin": ["08930002000017"], "lot": ["PH260720"], "serial": ["1"], "event_id": ["urn:uuid:x"],
         "capture_id": ["6e0a8f4c-1d7e-4b8e-9d2b-2f1c8a7e5b10"],
         "series": ["1", "2"],  # a deflator series of the registry impact
         "uidb64": ["MQ"], "token": ["set-password", "x-y"]}  # a password reset link (user 1; not valid)


def routes(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            route = str(p.pattern)
            if route.startswith("quan-tri"):
                continue  # Django's own admin
            yield from routes(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def concrete(route):
    """URLs for a route: its parameters all valid, then each parameter in turn odd."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route).replace("^", "").replace("$", "").replace("\\.", ".")
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)

    def fill(values):
        url = route
        for name, value in zip(names, values):
            url = re.sub(r"<(?:\w+:)?%s>" % name, value.replace("\\", "\\\\"), url, count=1)
        return "/" + url
    # an object's own id (industry_pk, file_pk, ...) takes the ids of `pk`; any other name must be listed
    for combo in itertools.product(*[VALID["pk"] if n.endswith("_pk") and n not in VALID else VALID[n] for n in names]):
        yield fill(combo)
        for i, _name in enumerate(names):
            for odd in PATH_ODD:
                yield fill(combo[:i] + (odd,) + combo[i + 1:])


@pytest.fixture
def admin(make_user):
    load_demo()
    return make_user(Role.ADMIN)


def _check(client, url, query, seen):
    resp = client.get(url, query)
    assert resp.status_code < 500, (url, query, resp.status_code)
    if url.startswith("/api/") and resp.status_code >= 400:
        assert resp["Content-Type"] == "application/problem+json", (url, query)
    seen.add(resp.status_code)


def reaches_a_view(url) -> bool:
    try:
        resolve(url)
    except Resolver404:
        return False
    return True


def test_every_url_with_odd_values_never_answers_500(admin, plain_templates):
    """A URL that matches no pattern (an odd value where the route wants digits) never reaches a
    view: whoever asks and whatever the query, it meets the same 404 handler, so it is asked once;
    the others are asked by both identities with every odd query."""
    urls = sorted({u for r in routes() for u in concrete(r)})
    assert len(urls) > 300 and "/tfp/runs/1/note.pdf" in urls and "/progress/chart.png" in urls
    to_views = [u for u in urls if reaches_a_view(u)]
    assert 0 < len(to_views) < len(urls)
    seen = set()
    anonymous = Client(raise_request_exception=False)
    for url in sorted(set(urls) - set(to_views)):
        _check(anonymous, url, {}, seen)
    for who in (admin, None):
        client = Client(raise_request_exception=False)
        if who:
            client.force_login(who)
        for url in to_views:
            _check(client, url, {}, seen)
            for value in ("²", "1e400", "\r\nX", "99999999999999999999"):
                _check(client, url, {k: value for k in QUERY}, seen)
    assert {200, 404} <= seen


def test_each_query_parameter_alone(admin, plain_templates):
    """One odd parameter at a time (the others absent take their defaults) on the pages that read them."""
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    seen = set()
    for route in ["/", "/registers/class/", "/progress/2021-2025/MT5/", "/api/v1/targets", "/reports/annual/",
                  "/audit/", "/tfp/asean/", "/progress/export.xlsx"]:
        for name in QUERY:
            for value in ("²", "1e400", "\r\nX", "99999999999999999999", "-1", ""):
                _check(client, route, {name: value}, seen)
    assert 200 in seen


def test_api_errors_are_problem_json(admin):
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    client.force_login(admin)
    for method in ("post", "put", "delete", "patch"):
        resp = getattr(client, method)("/api/v1/targets")
        assert resp.status_code in (403, 405) and resp["Content-Type"] == "application/problem+json", method
        assert resp.json()["status"] == resp.status_code
    resp = client.post("/api/v1/nothing")
    assert resp.status_code in (403, 404, 405) and resp["Content-Type"] == "application/problem+json"
