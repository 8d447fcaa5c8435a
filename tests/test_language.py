import pytest

from nscl.programme.services import fmt_date, fmt_num, fmt_vnd

pytestmark = pytest.mark.django_db


def test_vietnamese_formats():
    import datetime

    assert fmt_vnd(1234567) == "1.234.567 đ"
    assert fmt_vnd(0) == "0 đ"
    assert fmt_num(1234.5) == "1.234,5" and fmt_num(20) == "20"
    assert fmt_date(datetime.date(2025, 7, 1)) == "01/07/2025"


def test_vietnamese_is_the_default_whatever_the_browser_says(client, settings):
    settings.NSCL_PUBLIC_PROGRESS = True
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html and "Tiến độ thực hiện Kế hoạch" in html


def test_english_through_the_switch(client, settings):
    settings.NSCL_PUBLIC_PROGRESS = True
    resp = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert resp.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "Progress of the productivity and quality plan" in html
    assert "Train and certify 1-2 productivity-quality experts" in html  # the target's English rendering
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "Tiến độ thực hiện Kế hoạch" in client.get("/").content.decode()
