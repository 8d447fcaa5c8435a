"""The annual implementation report (.docx read back with python-docx, .pdf with pypdf) and the
layout of the official documents: tables within the text width, amounts and codes never broken,
"Nơi nhận" left-aligned, the signature block never alone on a page."""
import datetime
import io
import re

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from pypdf import PdfReader

from nscl.accounts.models import Role
from nscl.common import officedoc
from nscl.common.formatting import fmt_vnd
from nscl.common.officedoc import OfficialDocument
from nscl.programme.models import Activity, Phase

pytestmark = pytest.mark.django_db

CODES = ["MT1a", "MT1b", "MT2", "MT3", "MT4", "MT5", "MT6", "MT7", "MT8", "MT9"]
AMOUNT = re.compile(r"\d{1,3}(?:\.\d{3})* đ")


def pdf_pages(content):
    """Text of each page, lines as pypdf reads them (a non-breaking space reads as a space)."""
    return [page.extract_text().replace("\u00a0", " ") for page in PdfReader(io.BytesIO(content)).pages]


def lines_of(pages):
    return [line.strip() for page in pages for line in page.splitlines()]


def amounts_in_db(year):
    counted = Activity.objects.filter(count_year=year, confirmed_at__isnull=False)
    return {fmt_vnd(a.budget_spent) for a in counted} | {fmt_vnd(sum(a.budget_spent for a in counted))}


def assert_whole_on_one_line(lines, value):
    assert any(re.search(rf"(^|\s){re.escape(value)}(\s|$)", line) for line in lines), f"{value!r} broken or missing"


def assert_signature_with_text(pages, name):
    last = pages[-1]
    assert "Nơi nhận:" in last and name in last
    above = last[:last.index("Nơi nhận:")].strip()
    assert above, "the signature block is alone on the last page"


# The report ------------------------------------------------------------------------------------

def test_annual_report_docx(client, make_user, data):
    client.force_login(make_user(Role.OFFICER))
    resp = client.get("/reports/annual/?year=2023&number=15/BC-SKHCN&signer=Nguyễn Văn B&signer_title=GIÁM ĐỐC&format=docx")
    assert resp.status_code == 200
    doc = Document(io.BytesIO(resp.content))
    head = doc.tables[0]
    left = " ".join(p.text for p in head.cell(0, 0).paragraphs)
    right = " ".join(p.text for p in head.cell(0, 1).paragraphs)
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in left and "Số: 15/BC-SKHCN" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right and "Độc lập - Tự do - Hạnh phúc" in right
    assert "Hưng Yên, ngày" in right
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BÁO CÁO" in text and "năm 2023" in text and "1 hồ sơ hoạt động đang chờ xác nhận" in text
    targets = doc.tables[1]
    assert [c.text for c in targets.rows[0].cells] == ["Mã", "Chỉ tiêu", "Kế hoạch giai đoạn", "Trong năm", "Lũy kế", "Đánh giá"]
    # the target codes of the dashboard in the first column, not 1..10
    assert [r.cells[0].text for r in targets.rows[1:]] == CODES
    mt3 = next(r for r in targets.rows if "lớp tập huấn" in r.cells[1].text)
    assert mt3.cells[0].text == "MT3"
    assert [c.text for c in mt3.cells[2:]] == ["khoảng 20", "1", "5", "Có nguy cơ không đạt"]
    budget = next(t for t in doc.tables if t.rows[0].cells[0].text == "Nguồn kinh phí")
    total = budget.rows[-1].cells
    # confirmed 2023 records: one class 12,345,678 + one campaign 9,000,000
    assert total[0].text == "Tổng cộng" and total[2].text == "21.345.678 đ"
    assert len(doc.inline_shapes) == 1  # the dashboard chart
    sign = " ".join(p.text for p in doc.tables[-1].cell(0, 1).paragraphs)
    assert "GIÁM ĐỐC" in sign and "Nguyễn Văn B" in sign
    recipients = doc.tables[-1].cell(0, 0).paragraphs
    assert "Nơi nhận:" in recipients[0].text
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.LEFT for p in recipients)
    # fixed column widths within the text width (A4 less 30 mm and 20 mm), amounts not wrapped
    section = doc.sections[0]
    assert (round(section.left_margin.mm), round(section.right_margin.mm)) == (30, 20)
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in doc.tables[1:-1]:
        widths = [table.columns[c].width for c in range(len(table.columns))]
        assert all(widths) and sum(widths) <= text_width
    amount_cell = budget.rows[-1].cells[2]._element
    assert amount_cell.tcPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}noWrap") is not None


def test_annual_report_pdf(client, make_user, make_activity, data):
    make_activity("class", 2023, budget_spent=128_000_000, title="Lớp tập huấn công cụ cải tiến năng suất Lean, "
                                                                  "Kaizen và 5S cho doanh nghiệp vừa và nhỏ")
    client.force_login(make_user(Role.OFFICER))
    resp = client.get("/reports/annual/?year=2023&number=15/BC-SKHCN&signer=Trần Thị C&format=pdf")
    assert resp["Content-Type"] == "application/pdf" and resp.content[:5] == b"%PDF-"
    assert b"/Type /Page" in resp.content and len(resp.content) > 20_000
    pages = pdf_pages(resp.content)
    lines = lines_of(pages)
    text = "\n".join(pages)
    assert "BÁO CÁO" in text and "Số: 15/BC-SKHCN" in text
    for amount in amounts_in_db(2023) | {"128.000.000 đ"}:
        assert_whole_on_one_line(lines, amount)
    # nothing that looks like the end of an amount starts a line ("0 đ" after "128.000.00")
    assert not any(re.match(r"^\d{1,2} đ", line) for line in lines)
    assert not any(re.search(r"\d\.\d{1,2}$", line) for line in lines)
    for code in CODES:
        assert_whole_on_one_line(lines, code)
    assert any(re.search(r"(^|\s)STT(\s|$)", line) for line in lines) and "ST" not in lines
    assert not any(line.startswith("T ") for line in lines)
    assert "GIÁM ĐỐC" in pages[-1]                      # the title defaults to settings.NSCL_SIGNER_TITLE
    assert_signature_with_text(pages, "Trần Thị C")


def test_signer_defaults_from_settings(client, make_user, data, settings):
    settings.NSCL_SIGNER_NAME, settings.NSCL_SIGNER_TITLE = "Lê Văn D", "PHÓ GIÁM ĐỐC"
    client.force_login(make_user(Role.OFFICER))
    form = client.get("/reports/annual/").content.decode()
    assert 'value="Lê Văn D"' in form and 'value="PHÓ GIÁM ĐỐC"' in form
    pages = pdf_pages(client.get("/reports/annual/?year=2023&format=pdf").content)
    assert "PHÓ GIÁM ĐỐC" in pages[-1] and "Lê Văn D" in pages[-1]
    doc = Document(io.BytesIO(client.get("/reports/annual/?year=2023&signer=Ngô Thị E&format=docx").content))
    sign = " ".join(p.text for p in doc.tables[-1].cell(0, 1).paragraphs)
    assert "PHÓ GIÁM ĐỐC" in sign and "Ngô Thị E" in sign and "Lê Văn D" not in sign


def test_report_for_a_year_outside_any_phase_is_refused(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    resp = client.get("/reports/annual/?year=2040&format=docx")
    assert resp.status_code == 200 and "Không có giai đoạn nào chứa năm 2040" in resp.content.decode()


def test_report_of_a_year_whose_phase_has_no_targets_yet(client, make_user, make_activity):
    from nscl.programme import services

    # a draft copied from 2021-2025 is not yet the phase's targets: the report does not use it
    services.copy_targets(Phase.objects.get(code="2021-2025"), Phase.objects.get(code="2026-2030"))
    make_activity("class", 2026, budget_spent=128_000_000)
    make_activity("class", 2026, budget_spent=7_500_000)
    make_activity("campaign", 2026)
    make_activity("class", 2026, confirmed=False)
    client.force_login(make_user(Role.OFFICER))
    doc = Document(io.BytesIO(client.get("/reports/annual/?year=2026&signer=Nguyễn Văn B&format=docx").content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Giai đoạn 2026-2030 chưa có chỉ tiêu được ban hành; báo cáo liệt kê kết quả thực hiện trong năm 2026" in text
    assert "chỉ tiêu giai đoạn 2021-2025" in text and "3 hoạt động" in text
    assert len(doc.inline_shapes) == 0                       # no empty chart
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert not any(h[:2] == ["Mã", "Chỉ tiêu"] for h in headers)   # no empty targets table
    done = next(t for t in doc.tables if t.rows[0].cells[0].text == "Loại hoạt động")
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in done.rows[1:]}
    assert rows["Lớp tập huấn"] == ["2", "135.500.000 đ"]
    assert rows["Đợt tuyên truyền"] == ["1", "9.000.000 đ"]
    assert rows["Tổng cộng"] == ["3", "144.500.000 đ"]
    assert "1 hồ sơ hoạt động đang chờ xác nhận" in text
    pages = pdf_pages(client.get("/reports/annual/?year=2026&signer=Nguyễn Văn B&format=pdf").content)
    pdf_text = " ".join(" ".join(pages).split())
    assert "Giai đoạn 2026-2030 chưa có chỉ tiêu được ban hành" in pdf_text and "Chỉ tiêu" not in pdf_text.split("II.")[0]
    lines = lines_of(pages)
    for amount in ("128.000.000 đ", "135.500.000 đ", "144.500.000 đ", "9.000.000 đ"):
        assert_whole_on_one_line(lines, amount)
    assert_signature_with_text(pages, "Nguyễn Văn B")


# The layout ------------------------------------------------------------------------------------

def test_table_layout_fits_the_text_width():
    assert officedoc.TEXT_WIDTH == 210 - 30 - 20
    headers = ["STT", "Hoạt động", "Thời gian", "Đơn vị thực hiện", "Trạng thái", "Kinh phí đã chi"]
    rows = [[str(i), "Lớp tập huấn " * 6, "01/03/2023 - 03/03/2023", "Sở Khoa học và Công nghệ", "Hoàn thành",
             fmt_vnd(128_000_000 * i)] for i in range(1, 12)]
    lay = officedoc.table_layout(headers, rows, officedoc.TEXT_WIDTH, weights=(0, 55, 26, 30, 20, 0))
    assert sum(lay.widths) <= officedoc.TEXT_WIDTH + 1e-9
    assert lay.nowrap == [True, False, False, False, False, True] and lay.align[-1] == "R"
    # the amount column holds the widest amount on one line, the number column "STT" (headings bold)
    widest = max(officedoc.string_width(r[-1], False, lay.size) for r in rows)
    assert lay.widths[-1] >= widest + 2 * 1.0
    assert lay.widths[0] >= officedoc.string_width("STT", True, lay.size) + 2 * 1.0
    # many wide number columns: a smaller font, still within the width
    many = officedoc.table_layout(["Năm"] + [f"Cột {i}" for i in range(9)], [["2024"] + [fmt_vnd(10 ** 12)] * 9],
                                  officedoc.TEXT_WIDTH)
    assert sum(many.widths) <= officedoc.TEXT_WIDTH + 1e-9 and many.size < 8.5
    # a narrow table is as wide as the text
    small = officedoc.table_layout(["Nguồn kinh phí", "Dự kiến", "Đã chi"], [["Ngân sách tỉnh", "1 đ", "2 đ"]])
    assert sum(small.widths) == pytest.approx(officedoc.TEXT_WIDTH)


def test_text_and_tables_start_at_the_left_margin(client, make_user, data):
    """Every piece of text of the report begins at or right of the 30 mm left margin (a table centred
    on the page used to begin at 25 mm) and the right edge is the layout's (sum(widths) <= text width)."""
    client.force_login(make_user(Role.OFFICER))
    reader = PdfReader(io.BytesIO(client.get("/reports/annual/?year=2023&format=pdf").content))
    xs = []
    for page in reader.pages:
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: xs.append(tm[4] * cm[0] + cm[4])
                          if text.strip() else None)
    mm = 72 / 25.4
    assert xs and min(xs) >= 30 * mm - 0.5 and max(xs) <= (210 - 20) * mm


@pytest.mark.parametrize("n", range(14, 30))
def test_signature_is_never_alone_on_a_page(n):
    """Paragraphs enough to fill the first page to every height near its bottom: the signature block
    always has text above it on its page (the last lines move with it)."""
    od = OfficialDocument(number="1/BC", day=datetime.date(2026, 11, 27), kind="BÁO CÁO", title="Thử bố cục",
                          sections=[("h", "I. NỘI DUNG")] + [("p", f"Đoạn {i}: " + "nội dung báo cáo " * 5)
                                                              for i in range(n)],
                          signer="Nguyễn Văn B", recipients=["UBND tỉnh;", "Lưu: VT."])
    pages = pdf_pages(officedoc.to_pdf(od))
    assert_signature_with_text(pages, "Nguyễn Văn B")


@pytest.mark.parametrize("n", range(30, 52, 2))
def test_signature_after_a_long_table_takes_its_last_rows(n):
    od = OfficialDocument(number="1/BC", day=datetime.date(2026, 11, 27), kind="BÁO CÁO", title="Thử bố cục",
                          sections=[("h", "I. BẢNG"), ("table", ["STT", "Nội dung", "Kinh phí"],
                                                         [[str(i), f"Dòng {i}", fmt_vnd(1_000_000 * i)] for i in range(n)])],
                          signer="Nguyễn Văn B", recipients=["UBND tỉnh;", "Lưu: VT."])
    pages = pdf_pages(officedoc.to_pdf(od))
    assert_signature_with_text(pages, "Nguyễn Văn B")
    assert re.search(r"STT Nội dung Kinh phí", pages[-1]) or "Dòng" not in pages[-1]
