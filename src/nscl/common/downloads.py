"""File downloads: one way to answer with a file, and spreadsheet-safe writing of user text.

Every .xlsx and .csv the system writes goes through `workbook_bytes` or `csv_bytes`, which apply
OWASP's CSV-injection rule to every cell holding text: a leading ``=``, ``+``, ``-``, ``@``, tab or
carriage return cannot start a formula. In .xlsx the cell is stored as text with Excel's quote
prefix (shown without the apostrophe, still text after an edit); in .csv a ``'`` is put in front.
Numbers stay numbers. The system writes no formulas of its own, so any formula cell is user text.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def safe_text(value):
    """A CSV cell that no spreadsheet reads as a formula; non-text values unchanged."""
    return "'" + value if is_risky(value) else value


HEADER_COLOUR = "DDEBF7"  # the light blue of every header row the system writes


def style_header(cells) -> None:
    """The one look of a header row in every workbook: bold on light blue, wrapped at the top."""
    from openpyxl.styles import Alignment, Font, PatternFill

    fill = PatternFill("solid", fgColor=HEADER_COLOUR)
    for cell in cells:
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def workbook_bytes(wb) -> bytes:
    """Save an openpyxl workbook with every text cell stored as text (see the module docstring)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" or is_risky(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows, header=None) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel opens Vietnamese text correctly) and safe cells."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if header is not None:
        w.writerow([safe_text(h) for h in header])
    for row in rows:
        w.writerow([safe_text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def frame_csv_bytes(df) -> bytes:
    """A pandas DataFrame as a safe CSV (header and text cells neutralised; a missing value, NaN,
    an empty cell rather than "nan")."""
    rows = (["" if isinstance(v, float) and v != v else v for v in row] for row in df.itertuples(index=False, name=None))
    return csv_bytes(rows, header=[str(c) for c in df.columns])


def attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    """A download with an ASCII fallback name and the exact UTF-8 name (RFC 6266)."""
    resp = HttpResponse(data, content_type=content_type)
    plain = unicodedata.normalize("NFKD", filename.replace("đ", "d").replace("Đ", "D"))
    ascii_name = plain.encode("ascii", "ignore").decode().replace('"', "") or "download"
    resp["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return resp
