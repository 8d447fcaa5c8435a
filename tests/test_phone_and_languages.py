"""Issue 20 item 8, "Phone and languages", outside the browser: every text the system writes itself is in
the reader's language, and its numbers are written the language's way.

Before: the Decree 80 size sentence was stored and shown in Vietnamese on English pages, its amounts
unrounded ("21,042481188 tỷ đồng"); support contents and certificate standards showed their
Vietnamese names in English (the English name was on the model, unused); a registry estimate's title
stayed in the language of whoever started it and its result sentence named the variable
(`log_labour_productivity`); the admin header was "NSCL — quản trị" in English; charts wrote "22.5" and
their tick labels with a decimal point on Vietnamese pages; the menu (the collapsed header) had no
English name."""
import re

import pytest
from django.test import Client
from django.utils import translation

from nscl.accounts.models import Role
from nscl.common.charts import comma, new_figure, render
from nscl.enterprises import size
from nscl.enterprises.models import Enterprise, SupportContent, YearlyFigures
from nscl.enterprises.reference import load_reference
from nscl.enterprises.services import refresh_size

B = size.BILLION


def test_size_rule_rounds_its_amounts_sensibly():
    r = size.classify(size.INDUSTRY, 45, 21_042_481_188, 80 * B)
    assert r.rule == ("Nhỏ (công nghiệp, xây dựng): lao động 45 ≤ 100 và doanh thu 21,04 tỷ đồng ≤ 50 tỷ đồng"
                      " — Nghị định 80/2021/NĐ-CP, Điều 5; không đạt siêu nhỏ: lao động 45 > 10")
    # just over a limit never reads as the limit itself
    assert "doanh thu 3,000001 tỷ đồng > 3 tỷ đồng" in size.classify(size.INDUSTRY, 5, 3 * B + 1000, 500 * B).rule
    assert "doanh thu 2,5 tỷ đồng ≤ 3 tỷ đồng" in size.classify(size.INDUSTRY, 5, 2.5 * B, None).rule


def test_size_rule_in_english():
    assert size.rule_text(size.TRADE, 11, None, 40 * B, "en") == (
        "Small (trade, services): employees 11 ≤ 50 and total capital 40 billion VND ≤ 50 billion VND"
        " — Decree 80/2021/ND-CP, Article 5; not micro: employees 11 > 10")
    text = size.rule_text(size.INDUSTRY, 250, 250.5 * B, 150 * B, "en")
    assert text == ("Large (industry, construction): above the limits of a medium enterprise — medium: employees 250 > 200"
                    " — Decree 80/2021/ND-CP, Article 5")
    assert size.rule_text(size.INDUSTRY, 45, 21_042_481_188, None, "en").startswith(
        "Small (industry, construction): employees 45 ≤ 100 and revenue 21.04 billion VND ≤ 50 billion VND")


@pytest.mark.django_db
def test_enterprise_page_says_the_size_rule_in_its_language(make_user):
    e = Enterprise.objects.create(tax_code="0109999991", name="Công ty TNHH Thử", sector_group=size.INDUSTRY)
    YearlyFigures.objects.create(enterprise=e, year=2024, employees=45, revenue=21_042_481_188, total_capital=80 * B)
    refresh_size(e)
    e.refresh_from_db()
    assert e.size_class == "small" and "21,04 tỷ đồng" in e.size_rule
    c = Client()
    c.force_login(make_user(Role.OFFICER))
    vi = c.get(f"/enterprises/{e.pk}/").content.decode()
    assert "lao động 45 ≤ 100 và doanh thu 21,04 tỷ đồng ≤ 50 tỷ đồng" in vi
    c.cookies["django_language"] = "en"
    en = c.get(f"/enterprises/{e.pk}/").content.decode()
    assert "employees 45 ≤ 100 and revenue 21.04 billion VND ≤ 50 billion VND — Decree 80/2021/ND-CP" in en
    assert "tỷ đồng" not in en and "Nghị định 80/2021/NĐ-CP, Điều" not in en


@pytest.mark.django_db
def test_support_contents_are_named_in_the_readers_language():
    load_reference()
    iso = SupportContent.objects.get(code="iso-9001")
    assert str(iso) == "Hệ thống quản lý chất lượng TCVN ISO 9001"
    with translation.override("en"):
        assert str(iso) == iso.label == "Quality management (ISO 9001)"
    iso.name_en = ""
    with translation.override("en"):
        assert str(iso) == "Hệ thống quản lý chất lượng TCVN ISO 9001"  # no English name: the Vietnamese one


@pytest.mark.django_db
def test_dossier_and_certificate_pages_name_the_standard_in_english(make_user):
    from nscl.enterprises.dossiers import Certificate

    load_reference()
    e = Enterprise.objects.create(tax_code="0109999992", name="Công ty TNHH Thử Hai")
    iso = SupportContent.objects.get(code="iso-9001")
    Certificate.objects.create(enterprise=e, standard=iso, number="QT-1", body="Quacert", issued_on="2024-03-01")
    c = Client()
    c.force_login(make_user(Role.OFFICER))
    c.cookies["django_language"] = "en"
    for path in (f"/enterprises/{e.pk}/", "/enterprises/certificates/"):
        html = c.get(path).content.decode()
        assert "Quality management (ISO 9001)" in html and "Hệ thống quản lý chất lượng TCVN ISO 9001" not in html, path


@pytest.mark.django_db
def test_admin_header_in_english(make_user):
    admin = make_user(Role.ADMIN)
    admin.is_staff = True
    admin.save()
    admin_client = Client()
    admin_client.force_login(admin)
    assert "NSCL — quản trị" in admin_client.get("/quan-tri/").content.decode()
    admin_client.cookies["django_language"] = "en"
    html = admin_client.get("/quan-tri/").content.decode()
    assert "NSCL — administration" in html and "quản trị" not in re.sub(r"<script.*?</script>", "", html, flags=re.S)


def test_menu_button_has_a_name_in_both_languages(client):
    vi = client.get("/accounts/login/").content.decode()
    assert 'id="nscl-menu-toggle"' in vi and 'aria-controls="nscl-menu"' in vi and 'aria-label="Trình đơn"' in vi
    client.cookies["django_language"] = "en"
    en = client.get("/accounts/login/").content.decode()
    assert 'aria-label="Menu"' in en and '>Menu<' in en


def test_comma_rewrites_decimals_but_not_thousands():
    assert comma("α = 0.38") == "α = 0,38"
    assert comma("22.5 / 20") == "22,5 / 20"
    assert comma("−1.25") == "−1,25"
    assert comma("1.234.567 đ") == "1.234.567 đ" and comma("1.234 doanh nghiệp") == "1.234 doanh nghiệp"
    assert comma("2021-2025, 45%") == "2021-2025, 45%"


def _svg_texts(svg: bytes) -> str:
    # matplotlib writes each text as glyph paths with the text itself in a comment
    return " ".join(re.findall(r"<!-- (.*?) -->", svg.decode()))


@pytest.mark.parametrize("lang, annotation, tick", [("vi", "22,5 / 20", "0,5"), ("en", "22.5 / 20", "0.5")])
def test_chart_numbers_follow_the_language(lang, annotation, tick):
    fig, ax = new_figure((5, 3))
    ax.plot([0, 1, 2], [0.0, 0.5, 1.5])
    ax.text(1, 1, "22.5 / 20")
    ax.set_title("α = 0.38")
    texts = _svg_texts(render(fig, "svg", lang=lang))
    assert annotation in texts and ("α = 0,38" if lang == "vi" else "α = 0.38") in texts
    assert tick in texts.split() and ("0.5" if lang == "vi" else "0,5") not in texts.split()


def test_a_chart_on_a_page_takes_the_request_language():
    with translation.override("vi"):
        fig, ax = new_figure((5, 3))
        ax.text(0, 0, "22.5")
        assert "22,5" in _svg_texts(render(fig, "svg"))
    with translation.override("en"):
        fig, ax = new_figure((5, 3))
        ax.text(0, 0, "22.5")
        assert "22.5" in _svg_texts(render(fig, "svg"))
        fig, ax = new_figure((5, 3))  # a PNG goes into a Vietnamese document
        ax.text(0, 0, "22.5")
        render(fig, "png")
        assert ax.texts[0].get_text() == "22,5"
