"""Vietnamese administrative documents (Decree 30/2020/NĐ-CP layout) as .docx and .pdf.

One description — header (issuing body, number, national title and motto, place and date), title,
sections, signature block and recipients — written by two writers, so both files say the same.
Sections are tuples: ("h", text), ("h2", text), ("p", text), ("table", headers, rows[, pdf widths in mm]),
("image", png bytes).
"""
from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from importlib import resources

from django.conf import settings

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass
class OfficialDocument:
    number: str
    day: datetime.date
    kind: str                 # "BÁO CÁO"
    title: str
    sections: list = field(default_factory=list)
    signer: str = ""
    signer_title: str = "GIÁM ĐỐC"
    recipients: list = field(default_factory=list)
    notice: str = ""          # e.g. the illustrative-data warning

    @property
    def place_date(self):
        d = self.day
        return f"{settings.NSCL_PLACE}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def to_docx(od: OfficialDocument) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = Cm(3), Cm(2), Cm(2), Cm(2)
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(13)
    C, L, J = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY

    def para(where, text, bold=False, italic=False, align=C, size=None):
        p = where.add_paragraph()
        p.alignment = align
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.name = "Times New Roman"
        if size:
            run.font.size = Pt(size)
        return p

    def two_cells():
        t = doc.add_table(rows=1, cols=2)
        cells = t.rows[0].cells
        for c in cells:
            c._element.remove(c.paragraphs[0]._element)
        return cells

    left, right = two_cells()
    para(left, settings.NSCL_PARENT_BODY, size=12)
    para(left, settings.NSCL_ISSUING_BODY, bold=True, size=12)
    para(left, f"Số: {od.number}", size=12)
    para(right, NATIONAL_TITLE, bold=True, size=12)
    para(right, MOTTO, bold=True, size=13)
    para(right, od.place_date, italic=True, size=13)
    para(doc, od.kind, bold=True, size=14)
    para(doc, od.title, bold=True, size=13)
    if od.notice:
        para(doc, od.notice, italic=True)
    for item in od.sections:
        tag = item[0]
        if tag == "h":
            para(doc, item[1], bold=True, align=L)
        elif tag == "h2":
            para(doc, item[1], bold=True, italic=True, align=L)
        elif tag == "p":
            para(doc, item[1], align=J)
        elif tag == "image":
            doc.add_picture(io.BytesIO(item[1]), width=Cm(15.5))
        elif tag == "table":
            headers, rows = item[1], item[2]
            t = doc.add_table(rows=1, cols=len(headers))
            t.style = "Table Grid"
            for c, h in enumerate(headers):
                t.rows[0].cells[c].text = str(h)
                for r in t.rows[0].cells[c].paragraphs[0].runs:
                    r.bold = True
            for row in rows:
                cells = t.add_row().cells
                for c, v in enumerate(row):
                    cells[c].text = "" if v is None else str(v)
    left, right = two_cells()
    para(left, "Nơi nhận:", bold=True, italic=True, align=L, size=12)
    for r in od.recipients:
        para(left, f"- {r}", align=L, size=11)
    para(right, od.signer_title, bold=True)
    para(right, "\n\n\n" + od.signer, bold=True)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_pdf(od: OfficialDocument) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    fonts = resources.files("nscl.fonts")
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(30, 20, 20)
    pdf.set_auto_page_break(True, 20)
    for style, name in (("", "DejaVuSerif.ttf"), ("B", "DejaVuSerif-Bold.ttf"), ("I", "DejaVuSerif-Italic.ttf")):
        pdf.add_font("Serif", style, str(fonts.joinpath(name)))
    pdf.add_page()
    w = pdf.w - pdf.l_margin - pdf.r_margin
    col = w * 0.42

    def block(x, width, top, lines):
        pdf.set_xy(x, top)
        for text, style, size in lines:
            pdf.set_font("Serif", style, size)
            pdf.set_x(x)
            pdf.multi_cell(width, 5.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        return pdf.get_y()

    top = pdf.get_y()
    y1 = block(pdf.l_margin, col, top, [(settings.NSCL_PARENT_BODY, "", 10), (settings.NSCL_ISSUING_BODY, "B", 10),
                                        (f"Số: {od.number}", "", 10)])
    y2 = block(pdf.l_margin + col, w - col, top, [(NATIONAL_TITLE, "B", 10), (MOTTO, "B", 11), (od.place_date, "I", 10)])
    pdf.set_y(max(y1, y2) + 6)
    pdf.set_font("Serif", "B", 13)
    pdf.multi_cell(w, 6, od.kind, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "B", 11)
    pdf.multi_cell(w, 5.5, od.title, align="C", new_x="LMARGIN", new_y="NEXT")
    if od.notice:
        pdf.set_font("Serif", "I", 10)
        pdf.multi_cell(w, 5.5, od.notice, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for item in od.sections:
        tag = item[0]
        if tag in ("h", "h2"):
            pdf.set_font("Serif", "B" if tag == "h" else "I", 11)
            pdf.multi_cell(w, 6, item[1], new_x="LMARGIN", new_y="NEXT")
        elif tag == "p":
            pdf.set_font("Serif", "", 10)
            pdf.multi_cell(w, 5, item[1], align="J", new_x="LMARGIN", new_y="NEXT")
        elif tag == "image":
            pdf.image(io.BytesIO(item[1]), w=w)
        elif tag == "table":
            headers, rows = item[1], item[2]
            widths = item[3] if len(item) > 3 else None
            pdf.set_font("Serif", "", 8.5)
            with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.5,
                           headings_style=FontFace(emphasis="BOLD", fill_color=(221, 235, 247))) as table:
                hr = table.row()
                for h in headers:
                    hr.cell(str(h))
                for row in rows:
                    r = table.row()
                    for v in row:
                        r.cell("" if v is None else str(v))
            pdf.ln(3)
    pdf.ln(4)
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    top = pdf.get_y()
    block(pdf.l_margin, col, top, [("Nơi nhận:", "B", 10)] + [(f"- {r}", "", 9) for r in od.recipients])
    block(pdf.l_margin + col, w - col, top, [(od.signer_title, "B", 11), ("\n\n\n", "", 11), (od.signer, "B", 11)])
    return bytes(pdf.output())
