"""Computed progress is cached (served by `nscl serve`) and every write invalidates it (Hardening 12)."""
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nscl.accounts.models import Role
from nscl.programme import services
from nscl.programme.models import Phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.NSCL_PROGRESS_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def total(phase):
    return sum(p.actual for p in services.phase_progress(phase, as_of=2025))


def test_progress_is_cached_and_every_write_invalidates_it(cached, make_activity, make_user):
    phase = Phase.objects.get(start_year=2021)
    officer = make_user(Role.OFFICER)
    base = total(phase)
    with CaptureQueriesContext(connection) as q:
        assert total(phase) == base
    assert len(q) == 0  # from the cache

    activity = make_activity("class", year=2023, confirmed=False)  # created: not counted yet
    assert total(phase) == base
    services.confirm(activity, officer)
    confirmed = total(phase)
    assert confirmed > base
    services.reopen(activity, officer)
    assert total(phase) == base
    services.confirm(activity, officer)
    assert total(phase) == confirmed
    activity.refresh_from_db()
    activity.specific().delete()
    assert total(phase) == base


def test_an_edit_invalidates_it(cached, make_activity):
    phase = Phase.objects.get(start_year=2021)
    activity = make_activity("class", year=2023, confirmed=True).specific()
    counted = total(phase)
    activity.status = "planned"  # e.g. through the admin
    activity.save()
    assert total(phase) < counted


def test_a_target_edit_invalidates_it(cached):
    phase = Phase.objects.get(start_year=2021)
    first = services.phase_progress(phase, as_of=2025)[0]
    target = first.target
    target.min_value = first.target.min_value + 7
    target.save()
    assert services.phase_progress(phase, as_of=2025)[0].target.min_value == target.min_value


def test_off_by_default(settings, make_activity):
    assert settings.NSCL_PROGRESS_CACHE_SECONDS == 0
    phase = Phase.objects.get(start_year=2021)
    total(phase)
    with CaptureQueriesContext(connection) as q:
        total(phase)
    assert len(q) > 0


# Whole pages for anonymous visitors (cache.cached_page: the public dashboard and /api/v1/targets)

def _actual(html, code):
    row = html[html.index(f'data-target="{code}"'):]
    row = row[:row.index("</tr>")]
    return row[row.index('class="num actual">') + len('class="num actual">'):].split("<", 1)[0]


def _visitor(lang):
    from django.conf import settings as django_settings
    from django.test import Client

    c = Client()
    c.cookies[django_settings.LANGUAGE_COOKIE_NAME] = lang
    return c


DASHBOARD = "/?phase=2021-2025&year=2025"
API = "/api/v1/targets?phase=2021-2025&year=2025"


@pytest.fixture
def public(cached, settings):
    settings.NSCL_PUBLIC_PROGRESS = True


def test_a_confirmed_record_shows_on_the_cached_dashboard_at_once_in_both_languages(public, make_activity, make_user):
    officer = make_user(Role.OFFICER)
    vi, en = _visitor("vi"), _visitor("en")
    make_activity("class", year=2022)
    make_activity("class", year=2023)
    for c, marker in ((vi, "Tiến độ thực hiện"), (en, "Progress of the")):
        html = c.get(DASHBOARD).content.decode()
        assert marker in html and _actual(html, "MT3") == "2"
    with CaptureQueriesContext(connection) as q:  # both pages and the API now come from the cache
        assert _actual(vi.get(DASHBOARD).content.decode(), "MT3") == "2"
        assert _actual(en.get(DASHBOARD).content.decode(), "MT3") == "2"
    assert len(q) == 0
    mt3 = lambda: next(t for t in vi.get(API).json() if t["code"] == "MT3")["actual"]  # noqa: E731
    assert mt3() == 2

    activity = make_activity("class", year=2024, confirmed=False)  # recorded, not yet counted
    assert [_actual(c.get(DASHBOARD).content.decode(), "MT3") for c in (vi, en)] == ["2", "2"] and mt3() == 2
    services.confirm(activity, officer)
    assert [_actual(c.get(DASHBOARD).content.decode(), "MT3") for c in (vi, en)] == ["3", "3"] and mt3() == 3
    services.reopen(activity, officer)
    assert [_actual(c.get(DASHBOARD).content.decode(), "MT3") for c in (vi, en)] == ["2", "2"] and mt3() == 2


def test_publishing_targets_shows_them_on_the_cached_dashboard(public, make_user):
    from nscl.programme.models import ProgrammeDocument, Target

    phase = Phase.objects.get(start_year=2026)
    assert not phase.targets_published
    api = f"/api/v1/targets?phase={phase.code}"
    assert _visitor("vi").get(api).json() == []
    html = _visitor("vi").get(f"/?phase={phase.code}").content.decode()
    assert 'data-target="N1"' not in html
    Target.objects.create(phase=phase, code="N1", objective=1, description="Chỉ tiêu mới", unit="lớp",
                          kind="at_least", min_value=3, activity_kind="class")
    phase.targets_document = ProgrammeDocument.objects.create(number="12/QĐ-UBND", title="Chỉ tiêu", issuer="UBND tỉnh")
    phase.save()
    services.publish_targets(phase, make_user(Role.ADMIN))
    assert 'data-target="N1"' in _visitor("vi").get(f"/?phase={phase.code}").content.decode()
    assert [t["code"] for t in _visitor("en").get(api).json()] == ["N1"]


def test_each_visitor_of_a_cached_page_gets_a_working_csrf_token_of_their_own(public):
    from django.test import Client

    pages, tokens = [], []
    for _ in range(3):  # the first renders and stores the page, the others are served from the cache
        c = Client(enforce_csrf_checks=True)
        html = c.get("/").content.decode()
        token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        assert len(token) == 64 and "\x00" not in html
        resp = c.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
        assert resp.status_code == 302  # the token matches this visitor's own cookie
        pages.append(html.replace(token, ""))
        tokens.append(token)
    assert len(set(tokens)) == 3 and len(set(pages)) == 1
    stranger = Client(enforce_csrf_checks=True)
    stranger.get("/api/v1/targets")  # a JSON answer sets no CSRF cookie
    assert "csrftoken" not in stranger.cookies
    stranger.get("/")
    assert stranger.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": tokens[0]}).status_code == 403


def test_signed_in_users_and_pending_messages_are_never_served_or_stored(public, make_user, client):
    from django.test import Client

    client.force_login(make_user(Role.OFFICER, username="canbo-x"))
    assert "canbo-x" in client.get("/").content.decode()  # not the anonymous page stored before or after
    anonymous = Client()
    assert "canbo-x" not in anonymous.get("/").content.decode()
    assert "canbo-x" in client.get("/").content.decode()
    client.post("/accounts/logout/")
    assert "canbo-x" not in client.get("/").content.decode()


def test_a_visitor_with_a_pending_message_sees_it_and_nobody_else_does(public, settings):
    from django.contrib import messages
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import Client, RequestFactory

    Client().get("/")  # the anonymous page is in the cache
    told = Client()
    told.cookies[CookieStorage.cookie_name] = CookieStorage(RequestFactory().get("/"))._encode(
        [Message(messages.INFO, "Đã gửi thông báo thử.")])
    assert "Đã gửi thông báo thử." in told.get("/").content.decode()
    assert "Đã gửi thông báo thử." not in Client().get("/").content.decode()
    assert "Đã gửi thông báo thử." not in told.get("/").content.decode()  # shown once


def test_no_page_cache_when_the_progress_cache_is_off(settings, make_activity):
    from django.test import Client

    settings.NSCL_PUBLIC_PROGRESS = True
    assert settings.NSCL_PROGRESS_CACHE_SECONDS == 0
    Client().get("/")
    with CaptureQueriesContext(connection) as q:
        Client().get("/")
    assert len(q) > 0
