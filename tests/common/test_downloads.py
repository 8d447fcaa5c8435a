"""Spreadsheet-safe writing (OWASP CSV injection) and download responses."""
import io

from openpyxl import Workbook, load_workbook

from nscl.common import downloads

RISKY = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "=cmd|' /C calc'!A0"]


def test_every_risky_text_cell_is_stored_as_text_and_numbers_stay_numbers():
    wb = Workbook()
    ws = wb.active
    ws.append(RISKY + ["safe", 12.5, -3])
    ws2 = load_workbook(io.BytesIO(downloads.workbook_bytes(wb))).active
    cells = list(ws2[1])
    for cell, original in zip(cells, RISKY):
        assert cell.value == original.replace("\r", "\n") or cell.value == original
        assert cell.data_type == "s" and cell.quotePrefix, original
    assert cells[len(RISKY)].value == "safe" and not cells[len(RISKY)].quotePrefix
    assert (cells[-2].value, cells[-2].data_type) == (12.5, "n")
    assert (cells[-1].value, cells[-1].data_type) == (-3, "n")


def test_csv_prefixes_a_quote_to_risky_text_only():
    data = downloads.csv_bytes([["=1+1", "DN001", 5, -1.5, "@x"]], header=["=cmd|' /C calc'!A0", "year"])
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["'=cmd|' /C calc'!A0,year", "'=1+1,DN001,5,-1.5,'@x"]


def test_attachment_keeps_the_vietnamese_name():
    resp = downloads.attachment(b"x", "báo-cáo.docx", downloads.DOCX)
    assert resp["Content-Disposition"] == "attachment; filename=\"bao-cao.docx\"; filename*=UTF-8''b%C3%A1o-c%C3%A1o.docx"
