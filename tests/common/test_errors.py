"""Outages, full disks and errors answered properly (issue 18, item 3): 503 + Retry-After when the
database cannot answer, 507 when the disk is full, problem+json on /api/ and /epcis/, a styled
bilingual page with a link home elsewhere — never Django's bare "Server Error (500)". The real
drills (a PostgreSQL connection cut, a SQLite file gone, a full tmpfs) are in tests/deploy/test_outage.py."""
import errno
import os

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.test import Client
from django.urls import path

from nscl.common.storage import AtomicFileSystemStorage


def db_down(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def sqlite_full(request):
    raise OperationalError("database or disk is full")


def disk_full(request):
    raise OSError(errno.ENOSPC, "No space left on device")


def broken(request):
    raise ValueError("boom")


from nscl.urls import urlpatterns as _site  # noqa: E402  (error pages link to the site's pages)

urlpatterns = [path("down/", db_down), path("api/down/", db_down), path("epcis/down/", db_down),
               path("full/", sqlite_full), path("api/full/", disk_full), path("broken/", broken),
               path("api/broken/", broken), *_site]
handler404 = "nscl.common.errors.handler404"  # as nscl.urls sets them
handler500 = "nscl.common.errors.handler500"


@pytest.fixture
def client(settings):
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("debug", [False, True])
def test_database_unreachable_is_503_with_retry_after(client, settings, debug):
    settings.DEBUG = debug
    page = client.get("/down/")
    assert page.status_code == 503 and page["Retry-After"] == "30"
    html = page.content.decode()
    assert "Hệ thống tạm thời gián đoạn" in html and 'href="/"' in html and "nscl.css" in html
    assert "Server Error" not in html and "Traceback" not in html
    for url in ("/api/down/", "/epcis/down/"):
        resp = client.get(url)
        assert resp.status_code == 503 and resp["Content-Type"] == "application/problem+json"
        assert resp["Retry-After"] == "30"
        body = resp.json()
        assert body["status"] == 503 and "không truy cập được" in body["detail"]


def test_the_page_follows_the_language(client):
    client.cookies["django_language"] = "en"
    html = client.get("/down/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "temporarily" in html.lower() and "Hệ thống tạm thời" not in html and "Back to the home page" in html


def test_a_full_disk_is_507_saying_so(client):
    page = client.get("/full/")
    assert page.status_code == 507 and "hết dung lượng" in page.content.decode()
    resp = client.get("/api/full/")
    assert resp.status_code == 507 and resp.json()["title"] == "Máy chủ hết dung lượng lưu trữ"


def test_other_errors_are_a_styled_500(client, settings):
    settings.DEBUG = False
    page = client.get("/broken/")
    assert page.status_code == 500
    html = page.content.decode()
    assert "Lỗi máy chủ" in html and 'href="/"' in html and "Server Error (500)" not in html
    api = client.get("/api/broken/")
    assert api.status_code == 500 and api.json()["status"] == 500


@pytest.mark.django_db
def test_404_is_styled_with_a_way_home_and_problem_json_on_the_api(client, settings):
    settings.DEBUG = False
    page = client.get("/khong-co-trang-nay/")
    assert page.status_code == 404
    html = page.content.decode()
    assert "Không tìm thấy trang hoặc hồ sơ." in html and "Về trang chủ" in html and "<nav>" in html
    api = client.get("/api/v1/khong-co/")
    assert api.status_code == 404 and api["Content-Type"] == "application/problem+json"


class FillsTheDisk(ContentFile):
    """Content whose second chunk meets a full disk."""

    def chunks(self, chunk_size=None):
        yield b"x" * 1000
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_file_is_written_whole_or_not_at_all(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    with pytest.raises(OSError) as e:
        storage.save("evidence/bien-ban.pdf", FillsTheDisk(b""))
    assert e.value.errno == errno.ENOSPC
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # nothing half-written, no temporary left
    name = storage.save("evidence/bien-ban.pdf", ContentFile(b"%PDF-1.4 whole"))
    assert (tmp_path / name).read_bytes() == b"%PDF-1.4 whole"
    again = storage.save("evidence/bien-ban.pdf", ContentFile(b"second"))
    assert again != name and (tmp_path / name).read_bytes() == b"%PDF-1.4 whole"  # never overwritten
    assert sorted(os.listdir(tmp_path / "evidence")) == sorted([os.path.basename(name), os.path.basename(again)])


@pytest.mark.django_db
def test_the_site_uses_these_pages(settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)  # the site's own ROOT_URLCONF
    assert client.get("/epcis/khong-co").status_code == 404
    assert client.get("/epcis/khong-co")["Content-Type"] == "application/problem+json"
    assert "Về trang chủ" in client.get("/khong-co/").content.decode()
