"""QR labels carrying GS1 Digital Link URIs (`https://<host>/01/<gtin>/10/<lot>/21/<serial>`), made
with segno: PNG, SVG, and an A4 sheet of labels (fpdf2, the documents' DejaVu fonts) to print."""
from __future__ import annotations

import io
from importlib import resources
from urllib.parse import quote

import segno

# A4 sheet: 3 columns × 8 rows of 70 × 37 mm (the common "24 per sheet" label stock)
SHEET_COLUMNS, SHEET_ROWS = 3, 8
LABEL_W, LABEL_H = 70.0, 37.125
QR_SIZE = 30.0


def digital_link(base: str, gtin: str, lot: str | None = None, serial: str | None = None) -> str:
    """The Digital Link URI, AIs in GS1's order (01, 10, 21), values percent-encoded."""
    uri = f"{base.rstrip('/')}/01/{gtin}"
    if lot:
        uri += f"/10/{quote(lot, safe='')}"
    if serial:
        uri += f"/21/{quote(serial, safe='')}"
    return uri


def qr(uri: str):
    # error level M: survives a scuffed label; boost_error raises it when the version has room
    return segno.make_qr(uri, error="m")


def png(uri: str, scale: int = 8) -> bytes:
    buf = io.BytesIO()
    qr(uri).save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def svg(uri: str, scale: int = 4) -> bytes:
    buf = io.BytesIO()
    qr(uri).save(buf, kind="svg", scale=scale, border=4, xmldecl=False, title=uri)
    return buf.getvalue()


def sheet_pdf(uri: str, lines: list[str], count: int = 24) -> bytes:
    """`count` identical labels on A4 sheets: the QR code, then `lines` (product, GTIN, lot, ...)."""
    from fpdf import FPDF

    fonts = resources.files("nscl.fonts")
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font("Serif", "", str(fonts.joinpath("DejaVuSerif.ttf")))
    pdf.add_font("Serif", "B", str(fonts.joinpath("DejaVuSerif-Bold.ttf")))
    image = io.BytesIO(png(uri, scale=10))
    per_page = SHEET_COLUMNS * SHEET_ROWS
    top = (297 - SHEET_ROWS * LABEL_H) / 2
    left = (210 - SHEET_COLUMNS * LABEL_W) / 2
    for n in range(count):
        if n % per_page == 0:
            pdf.add_page()
        row, col = divmod(n % per_page, SHEET_COLUMNS)
        x, y = left + col * LABEL_W, top + row * LABEL_H
        pdf.image(image, x=x + 2, y=y + (LABEL_H - QR_SIZE) / 2, w=QR_SIZE, h=QR_SIZE)
        text_x, text_w = x + QR_SIZE + 3, LABEL_W - QR_SIZE - 5
        pdf.set_xy(text_x, y + 5)
        for i, line in enumerate(lines):
            pdf.set_font("Serif", "B" if i == 0 else "", 8 if i == 0 else 6.5)
            pdf.set_x(text_x)
            pdf.multi_cell(text_w, 3.4, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
