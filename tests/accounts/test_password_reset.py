"""Password reset by e-mail (issue 20, item 6): Django's views, the e-mail through a real SMTP
server with a link that sets a new password; the same answer whether or not the address has an
account; throttled per e-mail address and per client address. Before: no reset at all."""
import re

import pytest
from django.core.cache import cache
from django.test import Client

from nscl.accounts.models import Role

from ..mailserver import smtp  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
NEW = "Khoa-Moi-Cua-Toi-2026"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(make_user):
    user = make_user(Role.ENTERPRISE, username="dn-phohien")
    user.email = "ketoan@phohien.vn"
    user.save()
    return user


def ask(client, address, **kw):
    return client.post("/accounts/password-reset/", {"email": address}, **kw)


def test_the_login_page_links_to_the_reset(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password-reset/"' in html and "Quên mật khẩu?" in html
    page = client.get("/accounts/password-reset/").content.decode()
    assert "Địa chỉ thư điện tử" in page and 'class="card"' in page


def test_reset_by_email_sets_a_new_password(client, owner, smtp):
    resp = ask(client, "KeToan@PhoHien.vn")  # case does not matter
    assert resp.status_code == 302 and resp["Location"] == "/accounts/password-reset/sent/"
    [mail] = smtp.wait(1)
    assert mail["to"] == ["ketoan@phohien.vn"] and mail["subject"] == "[NSCL] Đặt lại mật khẩu / Password reset"
    body = mail["body"]
    assert "Có yêu cầu đặt lại mật khẩu cho tài khoản “dn-phohien”" in body
    assert "A password reset was requested for the account “dn-phohien”" in body
    link = re.search(r"http://testserver(/accounts/password-reset/[\w-]+/[\w-]+/)", body).group(1)
    resp = client.get(link)  # Django moves the token into the session and redirects
    assert resp.status_code == 302
    form = client.get(resp["Location"])
    assert "Mật khẩu mới" in form.content.decode()
    resp = client.post(resp["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert resp.status_code == 302 and resp["Location"] == "/accounts/password-reset/done/"
    owner.refresh_from_db()
    assert owner.check_password(NEW)
    assert Client().post("/accounts/login/", {"username": "dn-phohien", "password": NEW}).status_code == 302
    # the link works once
    assert "không hợp lệ" in client.get(link, follow=True).content.decode()


def test_the_same_answer_for_an_unknown_address(client, owner, smtp):
    known, unknown = ask(client, "ketoan@phohien.vn"), ask(Client(), "ai-do@khong-co.vn")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    def page(c, url):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", c.get(url).content.decode())

    assert page(client, known["Location"]) == page(Client(), unknown["Location"])
    assert len(smtp.wait(2, 0.5)) == 1  # only the account's address got a message


def test_throttled_after_the_limit_per_address_and_per_email(owner, smtp, settings):
    settings.NSCL_PASSWORD_RESET_MAX = 3
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert ask(client, "ketoan@phohien.vn").status_code == 302
    resp = ask(client, "ketoan@phohien.vn")
    assert resp.status_code == 429 and "quá nhiều yêu cầu" in resp.content.decode()
    assert len(smtp.wait(4, 0.5)) == 3
    # the same address from elsewhere: still refused (per e-mail); an unknown one from here: refused too
    assert ask(Client(REMOTE_ADDR="198.51.100.9"), "ketoan@phohien.vn").status_code == 429
    assert ask(client, "ai-do@khong-co.vn").status_code == 429
    # an unknown address is counted like a known one: the refusal tells nothing either
    other = Client(REMOTE_ADDR="192.0.2.1")
    for _ in range(3):
        assert ask(other, "nguoi-la@khong-co.vn").status_code == 302
    assert ask(Client(REMOTE_ADDR="192.0.2.2"), "nguoi-la@khong-co.vn").status_code == 429


def test_reset_pages_in_english(client):
    client.cookies["django_language"] = "en"
    html = client.get("/accounts/password-reset/").content.decode()
    assert '<html lang="en">' in html and "Forgotten password" in html and "Send the reset link" in html
    assert "Forgot your password?" in client.get("/accounts/login/").content.decode()
    assert "Check your mailbox" in client.get("/accounts/password-reset/sent/").content.decode()
    assert "This password reset link is not valid" in client.get("/accounts/password-reset/MQ/x-y/").content.decode()
