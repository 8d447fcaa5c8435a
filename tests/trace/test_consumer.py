"""An honest consumer page (issue 19, item 5): a lot or serial with no recorded production says so at
the top and shows no certificate; the report form reaches officers (CSRF-protected, throttled per
address, audited); a recalled lot says so at the top with the recall's instructions; codes are
human-readable, times dd/mm/yyyy hh:mm, every label translated."""
import re

import pytest
from django.core.cache import cache
from django.test import Client

from nscl.audit.models import AuditEntry
from nscl.trace import demo
from nscl.trace.models import CounterfeitReport
from tests.test_bilingual_pages import foreign_fragments, stored_texts

pytestmark = pytest.mark.django_db

BOX_GTIN, FRESH_GTIN = "08930002000017", "08930001000018"


@pytest.fixture
def longan(db):
    cache.clear()  # the report throttle counts in the cache
    demo.load()
    yield
    cache.clear()


def main_text(html):
    body = html.split("<main>", 1)[1].split("</main>", 1)[0]
    body = re.sub(r"<(script|style)\b.*?</\1>", "", body, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_unknown_lot_says_so_at_the_top_and_borrows_no_certificate(longan):
    for url in (f"/trace/p/{BOX_GTIN}/?lot=GIA2026", f"/trace/p/{BOX_GTIN}/?serial=999"):
        r = Client().get(url)
        html = r.content.decode()
        text = main_text(html)
        assert r.status_code == 200
        assert text.startswith("Mã này chưa có ghi nhận sản xuất nào"), text[:200]
        assert "có thể là hàng giả" in text and "báo cho Sở Khoa học và Công nghệ" in text
        for certificate in ("HACCP", "VietGAP", "chứng chỉ", "Tiêu chuẩn áp dụng"):
            assert certificate not in html, certificate  # not in the page, nor in its JSON-LD
        assert 'action="/trace/report/"' in html and "csrfmiddlewaretoken" in html
    known = Client().get(f"/trace/p/{BOX_GTIN}/?lot=PH260720").content.decode()
    assert "chưa có ghi nhận sản xuất" not in known and "HACCP" in known


def test_unknown_gtin_is_404_with_the_same_warning(longan):
    r = Client().get("/01/08930009000010/10/L1")  # a valid GTIN nobody registered
    assert r.status_code == 404 and main_text(r.content.decode()).startswith("Mã này chưa có ghi nhận sản xuất nào")


def test_report_reaches_officers_and_is_throttled(longan, officer, enterprise_user, settings):
    settings.NSCL_TRACE_REPORTS_PER_HOUR = 3
    shopper = Client(enforce_csrf_checks=True)
    page = shopper.get(f"/trace/p/{BOX_GTIN}/?lot=GIA2026").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"gtin": BOX_GTIN, "lot": "GIA2026", "message": "Hộp in mờ, giá rẻ bất thường",
            "place": "Chợ Phố Hiến", "contact": "0912 000 000"}
    assert shopper.post("/trace/report/", form).status_code == 403  # no CSRF token: refused
    assert CounterfeitReport.objects.count() == 0
    r = shopper.post("/trace/report/", {**form, "csrfmiddlewaretoken": token}, follow=True)
    assert r.status_code == 200 and "báo cáo đã được gửi tới Sở" in r.content.decode()
    report = CounterfeitReport.objects.get()
    assert (report.gtin, report.lot, report.known, report.place) == (BOX_GTIN, "GIA2026", False, "Chợ Phố Hiến")
    assert report.sender and "127.0.0.1" not in report.sender
    assert AuditEntry.objects.filter(model="trace.CounterfeitReport", object_id=str(report.pk), action="create").exists()
    # officers read it; an enterprise user may not
    staff = Client()
    staff.force_login(officer)
    listing = staff.get("/trace/reports/").content.decode()
    assert "Hộp in mờ, giá rẻ bất thường" in listing and "GIA2026" in listing
    assert "Báo cáo nghi hàng giả mới: 1" in staff.get("/trace/").content.decode()
    firm = Client()
    firm.force_login(enterprise_user(demo_enterprise()))
    assert firm.get("/trace/reports/").status_code == 403
    assert staff.post(f"/trace/reports/{report.pk}/handled/", {"handling_note": "Đã chuyển quản lý thị trường"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "handled" and report.handled_by == officer
    # the same address: at most 3 an hour
    codes = [shopper.post("/trace/report/", {**form, "csrfmiddlewaretoken": token}).status_code for _ in range(3)]
    assert codes == [302, 302, 429] and CounterfeitReport.objects.count() == 3
    assert Client(REMOTE_ADDR="10.0.0.9").post("/trace/report/", form).status_code == 302  # another address
    assert Client().post("/trace/report/", {**form, "gtin": "08930002000018"}).status_code == 429  # same 127.0.0.1


def demo_enterprise():
    from nscl.trace.models import Product

    return Product.objects.get(gtin=BOX_GTIN).owner


def test_recalled_lot_says_so_at_the_top_with_what_to_do(longan):
    for gtin, lot in ((FRESH_GTIN, "HN260728"), (BOX_GTIN, "PH260730")):  # the lot, and boxes made from it
        text = main_text(Client().get(f"/trace/p/{gtin}/?lot={lot}").content.decode())
        assert text.startswith("Lô sản phẩm này đang bị thu hồi"), text[:200]
        assert "Mang sản phẩm trả lại nơi mua để được hoàn tiền" in text and "dư lượng thuốc bảo vệ thực vật" in text
    english = Client()
    english.cookies["django_language"] = "en"
    text = main_text(english.get(f"/trace/p/{FRESH_GTIN}/?lot=HN260728").content.decode())
    assert text.startswith("This lot is being recalled") and "Return the product where you bought it" in text


def test_readable_codes_and_local_times(longan):
    html = Client().get(f"/trace/p/{BOX_GTIN}/?lot=PH260720").content.decode()
    text = main_text(html)
    assert "(01) 08930002000017 (10) PH260720" in text and "urn:epc" not in text
    assert "20/07/2026 06:00" in text and "+07:00" not in text  # the harvest, in the page's timezone


@pytest.mark.parametrize("query", ["lot=PH260720", "lot=HN260728", "lot=GIA2026", "serial=7"])
def test_every_label_in_both_languages(longan, query):
    data = stored_texts()
    gtin = FRESH_GTIN if "HN" in query else BOX_GTIN
    for lang in ("vi", "en"):
        client = Client()
        client.cookies["django_language"] = lang
        html = client.get(f"/trace/p/{gtin}/?{query}").content.decode()
        assert foreign_fragments(html, lang, data) == [], lang
