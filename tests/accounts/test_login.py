import datetime
import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.utils import timezone

from nscl.accounts.models import Role

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_login_and_logout(client, make_user):
    make_user(Role.OFFICER, username="canbo")
    resp = client.post("/accounts/login/", {"username": "canbo", "password": PASSWORD})
    assert resp.status_code == 302
    assert client.get("/registers/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/registers/").status_code == 302


def test_wrong_password_message_is_vietnamese(client, make_user):
    make_user(Role.OFFICER, username="canbo")
    resp = client.post("/accounts/login/", {"username": "canbo", "password": "sai"})
    assert resp.status_code == 200 and "mật khẩu chính xác" in resp.content.decode()


def test_login_is_throttled_after_repeated_failures(client, make_user, settings):
    settings.NSCL_LOGIN_MAX_FAILURES = 5
    make_user(Role.OFFICER, username="canbo")
    for _ in range(5):
        assert client.post("/accounts/login/", {"username": "canbo", "password": "sai"}).status_code == 200
    resp = client.post("/accounts/login/", {"username": "canbo", "password": PASSWORD})
    assert resp.status_code == 429 and "Đăng nhập sai quá nhiều lần" in resp.content.decode()
    assert client.get("/registers/").status_code == 302  # still not logged in
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(seconds=901))  # 15 min later
    assert client.post("/accounts/login/", {"username": "canbo", "password": PASSWORD}).status_code == 302


def test_password_change(client, make_user):
    user = make_user(Role.VIEWER)
    client.force_login(user)
    resp = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Khoa-Moi-2026!",
                                                "new_password2": "Khoa-Moi-2026!"})
    assert resp.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Khoa-Moi-2026!")
    resp = client.post("/accounts/password/", {"old_password": "Khoa-Moi-2026!", "new_password1": "123",
                                                "new_password2": "123"})
    assert resp.status_code == 200 and "Mật khẩu quá ngắn" in resp.content.decode()


def test_session_and_csrf_cookies_are_hardened(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax" and settings.X_FRAME_OPTIONS == "DENY"


def test_csrf_is_enforced(make_user):
    from django.test import Client

    make_user(Role.OFFICER, username="canbo")
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/accounts/login/", {"username": "canbo", "password": PASSWORD}).status_code == 403


def test_production_mode_passes_check_deploy(tmp_path):
    env = dict(os.environ, NSCL_ENV="production", NSCL_SECRET_KEY="x" * 20 + "-Zq8!pL3@vN6#rT1$wY4%bH7^kM2&cF5*",
               NSCL_ALLOWED_HOSTS="nscl.hungyen.gov.vn", NSCL_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/p.db")
    out = subprocess.run([sys.executable, "-m", "nscl.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"],
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path):
    env = dict(os.environ, NSCL_ENV="production", NSCL_VAR_DIR=str(tmp_path))
    env.pop("NSCL_SECRET_KEY", None)
    env.pop("NSCL_ALLOWED_HOSTS", None)
    out = subprocess.run([sys.executable, "-m", "nscl.cli", "manage", "check"], env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "NSCL_SECRET_KEY" in out.stderr
    # one clear message naming every missing setting, not a traceback
    assert "NSCL_ALLOWED_HOSTS" in out.stderr and "Traceback" not in out.stderr, out.stderr


def test_admin_site_for_administrators_only(client, make_user):
    from nscl.programme.models import Phase, Target

    admin = make_user(Role.ADMIN)
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    assert client.get("/quan-tri/programme/target/").status_code == 200
    from nscl.audit.models import AuditEntry

    published = Target.objects.get(code="MT3", phase__code="2021-2025")
    assert published.phase.targets_published
    n = AuditEntry.objects.filter(model="programme.Target").count()
    resp = client.post(f"/quan-tri/programme/target/{published.pk}/change/", {"tolerance_pct": "15"})
    published.refresh_from_db()  # a published phase's targets change only by an amendment (its document kept)
    assert resp.status_code == 403 and published.tolerance_pct != 15
    t = Target.objects.create(phase=Phase.objects.exclude(pk=published.phase_id).first(), code="MT3", objective=3,
                              description=published.description, unit=published.unit, activity_kind="class",
                              kind="about", min_value=20, tolerance_pct=10, order=4,
                              responsible_unit=published.responsible_unit)
    n = AuditEntry.objects.filter(model="programme.Target").count()
    client.post(f"/quan-tri/programme/target/{t.pk}/change/", {
        "phase": t.phase_id, "code": "MT3", "objective": 3, "description": t.description, "description_en": t.description_en,
        "unit": t.unit, "unit_en": t.unit_en, "activity_kind": "class", "criteria": "{}", "distinct_by": "", "kind": "about",
        "min_value": "20", "max_value": "", "tolerance_pct": "15", "condition": "", "condition_en": "",
        "responsible_unit": t.responsible_unit_id, "order": 4})
    t.refresh_from_db()
    assert t.tolerance_pct == 15
    assert AuditEntry.objects.filter(model="programme.Target").count() == n + 1
    client.force_login(make_user(Role.OFFICER))
    assert client.get("/quan-tri/programme/target/").status_code == 302  # to the admin login
