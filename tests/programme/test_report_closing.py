"""The annual report's closing sections (issue 20, item 7c): "Tồn tại, hạn chế", "Nguyên nhân",
"Phương hướng, nhiệm vụ năm tới", "Kiến nghị, đề xuất", written by an officer on the web, kept per
year (audited, editable again), placed in the .docx and .pdf under those headings; an empty one
keeps its heading and says it was not written. Before: the report ended at section IV."""
import io

import pytest
from docx import Document

from nscl.accounts.models import Role
from nscl.audit.models import AuditEntry
from nscl.programme.models import ReportClosing

from .test_report import lines_of, pdf_pages

pytestmark = pytest.mark.django_db

URL = "/reports/annual/closing/"
TEXTS = {"shortcomings": "Một số doanh nghiệp chưa báo cáo số liệu.\nTiến độ lớp tập huấn chậm.",
         "causes": "Kinh phí giao muộn.", "directions": "Mở 25 lớp tập huấn năm 2024.",
         "recommendations": ""}
HEADINGS = ["V. TỒN TẠI, HẠN CHẾ", "VI. NGUYÊN NHÂN", "VII. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2024",
            "VIII. KIẾN NGHỊ, ĐỀ XUẤT"]


def save(client, year=2023, version="", **texts):
    return client.post(URL, {"year": year, "version": version, **TEXTS, **texts}, follow=True)


def test_officer_writes_then_edits_the_closing_sections(client, make_user):
    officer = make_user(Role.OFFICER)
    client.force_login(officer)
    page = client.get(URL + "?year=2023").content.decode()
    assert "Tồn tại, hạn chế" in page and "Kiến nghị, đề xuất" in page
    assert "Đã lưu phần đánh giá của báo cáo năm 2023" in save(client).content.decode()
    closing = ReportClosing.objects.get(year=2023)
    assert closing.causes == "Kinh phí giao muộn." and closing.updated_by == officer and closing.version == 1
    assert AuditEntry.objects.filter(model="programme.ReportClosing", action="create", object_id=str(closing.pk)).exists()
    page = client.get(URL + "?year=2023").content.decode()
    assert "Kinh phí giao muộn." in page and 'name="version" value="1"' in page
    save(client, version="1", causes="Kinh phí giao muộn; thiếu cán bộ.")
    closing.refresh_from_db()
    assert closing.causes == "Kinh phí giao muộn; thiếu cán bộ." and closing.version == 2
    entry = AuditEntry.objects.get(model="programme.ReportClosing", action="update", object_id=str(closing.pk))
    assert entry.before["causes"] == "Kinh phí giao muộn." and entry.after["causes"] == "Kinh phí giao muộn; thiếu cán bộ."
    assert ReportClosing.objects.count() == 1


def test_the_sections_are_in_the_docx_and_pdf(client, make_user, data):
    client.force_login(make_user(Role.OFFICER))
    save(client)
    doc = Document(io.BytesIO(client.get("/reports/annual/?year=2023&format=docx").content))
    texts = [p.text for p in doc.paragraphs]
    at = [texts.index(h) for h in HEADINGS]
    assert at == sorted(at) and texts.index("IV. HIỆU QUẢ SỬ DỤNG KINH PHÍ") < at[0]
    assert texts[at[0] + 1:at[1]] == ["Một số doanh nghiệp chưa báo cáo số liệu.", "Tiến độ lớp tập huấn chậm."]
    assert texts[at[1] + 1:at[2]] == ["Kinh phí giao muộn."]
    assert texts[at[3] + 1] == "Chưa có nội dung (cán bộ chưa nhập phần này)."
    lines = lines_of(pdf_pages(client.get("/reports/annual/?year=2023&format=pdf").content))
    for h in HEADINGS:
        assert h in lines
    assert "Kinh phí giao muộn." in lines


def test_nothing_written_keeps_the_headings(client, make_user, data):
    client.force_login(make_user(Role.OFFICER))
    doc = Document(io.BytesIO(client.get("/reports/annual/?year=2023&format=docx").content))
    texts = [p.text for p in doc.paragraphs]
    for h in HEADINGS:
        assert texts[texts.index(h) + 1] == "Chưa có nội dung (cán bộ chưa nhập phần này)."


def test_a_stale_page_is_refused_and_nothing_written(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    save(client)
    save(client, version="1", causes="Bản của người thứ nhất.")
    html = save(client, version="1", causes="Bản của người thứ hai.").content.decode()
    assert "Phần đánh giá năm 2023 đã được người khác sửa sau khi bạn mở trang" in html
    assert ReportClosing.objects.get(year=2023).causes == "Bản của người thứ nhất."


@pytest.mark.parametrize("year,message", [("2019", "Năm báo cáo phải từ 2021 đến 2100."),
                                          ("x", "Năm báo cáo phải từ 2021 đến 2100."),
                                          ("2035", "Không có giai đoạn nào chứa năm 2035.")])
def test_bad_year_is_refused_in_words(client, make_user, year, message):
    client.force_login(make_user(Role.OFFICER))
    html = save(client, year=year).content.decode()
    assert message in html
    assert not ReportClosing.objects.exists()


def test_too_long_is_refused(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    html = save(client, causes="x" * 20001).content.decode()
    assert "tối đa 20.000 ký tự" in html and not ReportClosing.objects.exists()


@pytest.mark.parametrize("role", [Role.PARTNER, Role.VIEWER, Role.ENTERPRISE])
def test_only_officers_write_them(client, make_user, role):
    client.force_login(make_user(role))
    assert client.post(URL, {"year": 2023, **TEXTS}).status_code == 403
    assert not ReportClosing.objects.exists()
