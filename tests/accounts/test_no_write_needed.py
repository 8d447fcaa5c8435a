"""Logins and API-key reads do not depend on a write succeeding (issue 18, item 3). Before: on
SQLite with a full disk every login and every API-key request (reads too) failed, because each
wrote (the session, the last-login time, the lockout bookkeeping, the key's last-used time).

The database is made to refuse writes with the error a full disk gives: on SQLite the connection
is put in query-only mode ("attempt to write a readonly database", an OperationalError as
"database or disk is full" is); on PostgreSQL triggers raise SQLSTATE 53100 (disk_full) on the
tables a login and a key read write to."""
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from nscl.accounts.models import Profile, Role
from nscl.trace.models import ApiKey

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-dai-du-10"
WRITTEN_AT_LOGIN = ["django_session", "auth_user", "axes_accesslog", "axes_accessattempt", "trace_apikey"]


@pytest.fixture
def writes_fail():
    """Until the end of the test, every write to the login tables fails as on a full disk."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA query_only = 1")
        else:
            cur.execute("CREATE OR REPLACE FUNCTION nscl_disk_full() RETURNS trigger AS $$ BEGIN "
                        "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; "
                        "END $$ LANGUAGE plpgsql")
            for table in WRITTEN_AT_LOGIN:
                cur.execute(f"CREATE TRIGGER nscl_disk_full BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                            "FOR EACH ROW EXECUTE FUNCTION nscl_disk_full()")
    yield
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA query_only = 0")
        else:
            for table in WRITTEN_AT_LOGIN:
                cur.execute(f"DROP TRIGGER nscl_disk_full ON {table}")


@pytest.fixture
def officer():
    user = get_user_model().objects.create_user("canbo-day", password=PASSWORD)
    Profile.objects.create(user=user, role=Role.OFFICER)
    return user


def test_a_login_works_when_the_database_cannot_write(officer, writes_fail):
    client = Client()
    resp = client.post("/accounts/login/", {"username": "canbo-day", "password": PASSWORD})
    assert resp.status_code == 302, resp.content.decode()[:500]
    page = client.get("/registers/")
    assert page.status_code == 200 and "canbo-day" in page.content.decode()  # signed in: the session was kept
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/registers/").status_code == 302  # signed out again


def test_the_session_is_kept_in_the_database_when_it_can_write(officer):
    from django.contrib.sessions.models import Session

    client = Client()
    assert client.post("/accounts/login/", {"username": "canbo-day", "password": PASSWORD}).status_code == 302
    assert Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()


def test_an_api_key_reads_when_the_database_cannot_write(writes_fail_after_key):
    client, key = writes_fail_after_key
    resp = client.get("/epcis/events")
    assert resp.status_code == 200, resp.content.decode()[:300]
    key.refresh_from_db()
    assert key.last_used_at is None  # the nicety was skipped, the read answered


@pytest.fixture
def writes_fail_after_key(request):
    from nscl.enterprises.models import Enterprise

    firm = Enterprise.objects.create(tax_code="0100109106", name="Doanh nghiệp A")
    key, text = ApiKey.issue(firm, "khóa A")
    request.getfixturevalue("writes_fail")
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}"), key
