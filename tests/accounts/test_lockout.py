"""Login lockout (django-axes): the username as authentication normalises it, and an address limit
that never refuses a correct password (Hardening items 3 and 4)."""
import pytest
from axes.models import AccessAttempt

from nscl.accounts.models import Role
from nscl.accounts.proxy import client_address

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def post(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.fixture
def users(make_user, settings):
    settings.NSCL_LOGIN_MAX_FAILURES = 5
    settings.NSCL_LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    return {name: make_user(role, username=name) for name, role in
            [("canbo", Role.OFFICER), ("admin", Role.ADMIN), ("xem", Role.VIEWER)]}


@pytest.mark.parametrize("spelling", [" canbo", "canbo ", "ｃａｎｂｏ", "\tcanbo\n"])
def test_a_locked_username_is_locked_in_every_spelling_authentication_accepts(client, users, spelling):
    from django.test import Client

    assert post(Client(), spelling, PASSWORD).status_code == 302  # the spelling does log in as canbo
    for _ in range(5):
        post(client, "canbo", "sai")
    resp = post(client, spelling, PASSWORD)
    assert resp.status_code == 429 and "Đăng nhập sai quá nhiều lần" in resp.content.decode()
    assert client.get("/registers/").status_code == 302


def test_failures_in_other_spellings_count_for_the_same_username(client, users):
    for name in [" canbo", "canbo ", "ｃａｎｂｏ", "canbo", "ｃanbo "]:
        post(client, name, "sai")
    assert post(client, "canbo", PASSWORD).status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"canbo"}


def test_a_lock_holds_from_any_address(client, users):
    for i in range(5):
        post(client, "canbo", "sai", REMOTE_ADDR=f"198.51.100.{i}")
    assert post(client, "canbo", PASSWORD, REMOTE_ADDR="198.51.100.77").status_code == 429


def test_one_address_with_many_failures_does_not_lock_others_out_of_a_correct_login(client, users):
    # twenty failures from one address, fifteen of them on random names
    for i in range(15):
        post(client, f"random{i}", "sai")
    for _ in range(5):
        post(client, "canbo", "sai")
    from django.test import Client

    for name in ["admin", "xem"]:
        c = Client()
        assert post(c, name, PASSWORD).status_code == 302, name
        assert c.get("/registers/").status_code in (200, 403)  # logged in (what they may see is their role's)
    # the address is flagged: its wrong passwords are refused, with the lock message
    resp = post(Client(), "xem", "sai")
    assert resp.status_code == 429 and "Đăng nhập sai quá nhiều lần" in resp.content.decode()
    # and another address is not affected
    resp = post(Client(), "xem", "sai", REMOTE_ADDR="203.0.113.9")
    assert resp.status_code == 200 and "mật khẩu chính xác" in resp.content.decode()


def test_behind_a_trusted_proxy_each_client_counts_for_itself(client, users, settings):
    settings.NSCL_TRUSTED_PROXIES = ["127.0.0.1"]
    for i in range(20):
        post(client, f"random{i}", "sai", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
    from django.test import Client

    # another client behind the same proxy: its wrong password is an ordinary wrong password
    resp = post(Client(), "xem", "sai", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.5")
    assert resp.status_code == 200
    assert post(Client(), "xem", "sai", REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR="203.0.113.66").status_code == 429


def test_forwarded_for_from_an_untrusted_peer_is_ignored(client, users, settings):
    settings.NSCL_TRUSTED_PROXIES = ["127.0.0.1"]
    post(client, "nobody", "sai", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["192.0.2.10"]


def test_client_address():
    trusted = ["127.0.0.1", "10.0.0.0/8"]
    meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.7, 10.1.2.3"}
    assert client_address(meta, trusted) == "203.0.113.7"  # right-most hop that is not a proxy
    assert client_address({**meta, "REMOTE_ADDR": "192.0.2.1"}, trusted) == "192.0.2.1"
    assert client_address({"REMOTE_ADDR": "127.0.0.1"}, trusted) == "127.0.0.1"
    assert client_address({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "junk"}, trusted) == "127.0.0.1"


def test_https_is_believed_only_from_a_trusted_proxy(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.NSCL_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.get(LOGIN, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    resp = client.get(LOGIN, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_PROTO="https")
    assert resp.status_code == 301 and resp["Location"].startswith("https://")


def test_attempts_are_listed_in_the_admin(client, users):
    post(client, "canbo", "sai")
    admin = users["admin"]
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    resp = client.get("/quan-tri/axes/accessattempt/")
    assert resp.status_code == 200 and "canbo" in resp.content.decode()
