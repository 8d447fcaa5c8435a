"""The inbox, its unread count in the header, marking read, and the preferences page: a user reaches
only their own notifications; writes are POST answered with a redirect."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nscl.enterprises.dossiers import Status
from nscl.enterprises.workflow import TRANSITIONS
from nscl.notifications import kinds, services
from nscl.notifications.models import Notification, Preference

pytestmark = pytest.mark.django_db

PARAMS = {"title": "Áp dụng ISO 9001", "enterprise": services.both("Công ty Cổ phần Phố Hiến", "Pho Hien JSC"),
          "move": TRANSITIONS["appraise"].label, "status": Status.APPRAISED.label}


def notices(user, n=3):
    return [services.notify([user], kinds.DOSSIER_MOVED, dict(PARAMS, title=f"Hồ sơ {i}"), f"/enterprises/dossiers/{i}/")[0]
            for i in range(n)]


def badge(html):
    m = re.search(r'id="nscl-notifications">[^<]*(?:<span class="badge"[^>]*>(\d+)</span>)?</a>', html)
    assert m, "no notifications link in the header"
    return int(m.group(1) or 0)


def test_unread_count_in_the_header(client, people):
    owner = people["owner"]
    client.force_login(owner)
    assert badge(client.get("/notifications/").content.decode()) == 0
    notices(owner, 3)
    notices(people["officer"], 2)  # someone else's do not count
    assert badge(client.get("/registers/").content.decode()) == 3
    with CaptureQueriesContext(connection) as q:
        client.get("/notifications/preferences/")
    assert sum("notifications_notification" in x["sql"] for x in q.captured_queries) == 1  # one count query


def test_no_count_query_for_anonymous_visitors(client, settings):
    settings.NSCL_PUBLIC_PROGRESS = True
    with CaptureQueriesContext(connection) as q:
        html = client.get("/").content.decode()
    assert "nscl-notifications" not in html
    assert not any("notifications_notification" in x["sql"] for x in q.captured_queries)
    assert client.get("/notifications/")["Location"].startswith("/accounts/login/")


def test_mark_one_and_all_read(client, people):
    owner = people["owner"]
    a, b, c = notices(owner, 3)
    client.force_login(owner)
    page = client.get("/notifications/").content.decode()
    assert "Hồ sơ 0" in page and f'href="/enterprises/dossiers/{a.url.split("/")[-2]}/"' in page
    assert client.get(f"/notifications/{a.pk}/read/").status_code == 405  # never by GET
    resp = client.post(f"/notifications/{a.pk}/read/", {"next": "/notifications/?unread=1"})
    assert resp.status_code == 302 and resp["Location"] == "/notifications/?unread=1"
    a.refresh_from_db()
    assert a.read_at is not None and badge(client.get("/notifications/").content.decode()) == 2
    assert "Hồ sơ 0" not in client.get("/notifications/?unread=1").content.decode()
    resp = client.post("/notifications/read-all/", {"next": "https://evil.example/"})
    assert resp.status_code == 302 and resp["Location"] == "/notifications/"  # never to another site
    assert services.unread_count(owner) == 0


def test_another_users_notification_is_not_found(client, people):
    mine = notices(people["owner"], 1)[0]
    client.force_login(people["stranger"])
    assert client.post(f"/notifications/{mine.pk}/read/").status_code == 404
    client.post("/notifications/read-all/")
    mine.refresh_from_db()
    assert mine.read_at is None
    assert "Hồ sơ 0" not in client.get("/notifications/").content.decode()


def test_preferences_saved_per_kind_defaults_on(client, people):
    owner = people["owner"]
    client.force_login(owner)
    html = client.get("/notifications/preferences/").content.decode()
    assert 'name="dossier_moved-in_app" id="dossier_moved-in_app" checked' in html
    assert "activity_awaiting" not in html  # offered to officers only
    resp = client.post("/notifications/preferences/", {"dossier_moved-in_app": "on", "recall_declared-email": "on"})
    assert resp.status_code == 302 and resp["Location"] == "/notifications/preferences/"
    p = {x.kind: (x.in_app, x.email) for x in Preference.objects.filter(user=owner)}
    assert p == {"dossier_moved": (True, False), "recall_declared": (False, True), "reporting_due": (False, False)}
    html = client.get("/notifications/preferences/").content.decode()
    assert re.search(r'name="dossier_moved-email" id="dossier_moved-email"\s+aria', html)  # unchecked now
    client.force_login(people["officer"])
    assert "activity_awaiting" in client.get("/notifications/preferences/").content.decode()
    assert not Preference.objects.filter(user=people["officer"]).exists()  # one's choices are one's own


def test_inbox_in_both_languages(client, people):
    owner = people["owner"]
    notices(owner, 1)
    client.force_login(owner)
    vi = client.get("/notifications/").content.decode()
    assert "Công ty Cổ phần Phố Hiến</span>: Thẩm định; trạng thái mới: Đã thẩm định." in vi
    client.cookies["django_language"] = "en"
    en = client.get("/notifications/").content.decode()
    assert '<html lang="en">' in en and "Pho Hien JSC</span>: Appraise; new status: Appraised." in en
    assert "Mark all as read (1)" in en and "Notifications" in en
    assert "Support dossier moved" in client.get("/notifications/preferences/").content.decode()


def test_activity_awaiting_confirmation_tells_the_officers(client, people, units, django_capture_on_commit_callbacks,
                                                          smtp):
    from tests.programme.test_activity_forms import class_post

    client.force_login(people["partner"])
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/registers/class/new/", class_post(units, responsible_unit=units["sct"].pk, status="ongoing",
                                                               end_date=""))
    assert resp.status_code == 302
    told = Notification.objects.filter(kind=kinds.ACTIVITY_AWAITING)
    assert set(told.values_list("user__username", flat=True)) == {"canbo-xuly", "canbo-khac"}
    assert "đang chờ cán bộ xác nhận" in smtp.wait(2)[0]["body"]
    # completed later: told again; edited again while completed: not
    from nscl.programme.models import Activity

    obj = Activity.objects.get()
    data = class_post(units, responsible_unit=units["sct"].pk, version=obj.version)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/registers/class/{obj.pk}/edit/", data).status_code == 302
    assert told.count() == 4
    obj.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/registers/class/{obj.pk}/edit/", dict(data, title="Sửa", version=obj.version))
    assert told.count() == 4
    # an officer's own records wait for no one
    client.force_login(people["actor"])
    client.post("/registers/class/new/", class_post(units))
    assert told.count() == 4 and Activity.objects.count() == 2
