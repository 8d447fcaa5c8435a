import pytest

from nscl.common.formatting import fmt_date, fmt_num, fmt_vnd

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
    html = client.get("/?phase=2021-2025").content.decode()  # the default phase (2026-2030, today's) has no targets yet
    assert '<html lang="en">' in html and "Progress of the productivity and quality plan" in html
    assert "Train and certify 1-2 productivity-quality experts" in html  # the target's English rendering
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "Tiến độ thực hiện Kế hoạch" in client.get("/").content.decode()


def test_english_labels_are_the_right_ones(client, settings, make_user, make_activity):
    from nscl.accounts.models import Role

    settings.NSCL_PUBLIC_PROGRESS = True
    make_activity("class", 2023)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/?phase=2021-2025&year=2025").content.decode()
    assert "Not met: 10" in html and "Không đạt" not in html
    client.force_login(make_user(Role.OFFICER))
    html = client.get("/analysis/").content.decode()
    assert "Firm productivity analysis" in html and "No analysis yet." in html and "Created by" in html
    html = client.get("/tfp/").content.decode()
    assert "Recent runs" in html and "No run yet." in html


def test_catalogue_has_no_unreviewed_guesses():
    from pathlib import Path

    import nscl

    po = (Path(nscl.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po  # msgmerge's guesses were wrong ("Lỗi" -> "Filter"): never ship one unreviewed
    entries = po.split("\n\n")[1:]  # the first block is the header
    untranslated = [e for e in entries if e.rstrip().endswith('msgstr ""')]
    assert untranslated == []


def test_english_formats_through_the_filters():
    from django.template import Context, Template
    from django.utils import translation

    from nscl.common.formatting import fmt_decimal

    assert fmt_vnd(1234567, "en") == "1,234,567 VND" and fmt_num(1234.5, "en") == "1,234.5"
    assert fmt_decimal(45.678, 2, "en") == "45.68" and fmt_decimal(45.678, 2, "vi") == "45,68"
    t = Template("{% load nscl %}{{ a|vnd }} {{ b|num }} {{ c|pct }} {{ d|rate }} {{ e|dec4 }}")
    values = Context({"a": 1234567, "b": 1234.5, "c": 12.345, "d": 0.0712, "e": 0.19851})
    with translation.override("en"):
        assert t.render(values) == "1,234,567 VND 1,234.5 12.35 7.12 0.1985"
    with translation.override("vi"):
        assert t.render(values) == "1.234.567 đ 1.234,5 12,35 7,12 0,1985"
