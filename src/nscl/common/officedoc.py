"""Vietnamese administrative documents (Decree 30/2020/NĐ-CP layout) as .docx and .pdf.

One description — header (issuing body, number, national title and motto, place and date), title,
sections, signature block and recipients — written by two writers, so both files say the same and
are laid out alike: A4 with the Decree 30 margins (left 30 mm, right 20 mm, top and bottom 20 mm),
tables exactly as wide as the text (column widths from `table_layout`: numbers, amounts and codes
are never broken inside a cell), "Nơi nhận:" left-aligned, and the signature block kept on the page
of the last lines of text (never alone on a page).

Sections are tuples: ("h", text), ("h2", text), ("p", text), ("table", headers, rows[, weights]),
("image", png bytes). A table's optional weights share the width left by its number columns among
its text columns (relative values; number columns take the width of their widest value).
"""
from __future__ import annotations

import datetime
import functools
import io
import re
from dataclasses import dataclass, field
from importlib import resources

from django.conf import settings

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

# Decree 30/2020/NĐ-CP, Appendix I: A4, margins top/bottom 20-25 mm, left 30-35 mm, right 15-20 mm
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 30.0, 20.0, 20.0, 20.0
TEXT_WIDTH = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT          # 160 mm
HEADER_LEFT_SHARE = 0.42                                  # issuing body | national title; recipients | signer

NBSP = "\u00a0"
# a value kept on one line: a number or an amount ("128.000.000 đ", "12,5%", "≥ 3", "1-2", "—") or a code ("MT1a")
_NUMBER = r"[-−+]?\d[\d.,]*"
NUMERIC = re.compile(rf"^(?:[≥≤~]\s?)?{_NUMBER}(?:\s?[-–]\s?{_NUMBER})?(?:\s?(?:đ|%))?$|^[—–-]$")
CODE = re.compile(r"^[A-Z]{1,4}\d+[a-z]?$")
_GLUE = (re.compile(r"(?<=\d) (?=(?:đ|%)(?!\w))"), re.compile(r"(?<=[≥≤~]) (?=\d)"))


def glue(text: str) -> str:
    """Non-breaking spaces inside amounts and bounds ("128.000.000 đ", "≥ 3"): fpdf2 never breaks a
    line there and prints them as ordinary spaces."""
    for pattern in _GLUE:
        text = pattern.sub(NBSP, text)
    return text


def default_signer() -> tuple[str, str]:
    """(name, title) of the person who signs documents when a form leaves them empty (settings)."""
    return getattr(settings, "NSCL_SIGNER_NAME", ""), getattr(settings, "NSCL_SIGNER_TITLE", "") or "GIÁM ĐỐC"


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


# Table layout -------------------------------------------------------------------------------------

@dataclass
class TableLayout:
    widths: list              # mm, sum(widths) <= the width asked for
    size: float               # font size (pt) of the table
    nowrap: list              # per column: values kept on one line (numbers, amounts, codes)
    align: list               # per column: "L" or "R" (numbers and amounts right-aligned)


@functools.lru_cache(maxsize=1)
def _fonts_pdf():
    from fpdf import FPDF

    fonts = resources.files("nscl.fonts")
    pdf = FPDF(format="A4", unit="mm")
    for style, name in (("", "DejaVuSerif.ttf"), ("B", "DejaVuSerif-Bold.ttf"), ("I", "DejaVuSerif-Italic.ttf")):
        pdf.add_font("Serif", style, str(fonts.joinpath(name)))
    return pdf


def string_width(text: str, bold: bool = False, size: float = 10) -> float:
    """Width in mm of `text` in the documents' serif font (DejaVu Serif: wider than Times New Roman,
    so a width that fits it also fits the .docx)."""
    pdf = _fonts_pdf()
    pdf.set_font("Serif", "B" if bold else "", size)
    return pdf.get_string_width(text.replace(NBSP, " "))


def column_kinds(headers, rows):
    """Per column: nowrap (every value a number, an amount or a code) and alignment."""
    nowrap, align = [], []
    for c in range(len(headers)):
        values = [str(r[c]).strip() for r in rows if c < len(r) and r[c] not in (None, "")]
        numeric = bool(values) and all(NUMERIC.match(v) for v in values)
        coded = bool(values) and all(NUMERIC.match(v) or CODE.match(v) for v in values)
        nowrap.append(numeric or coded)
        align.append("R" if numeric and any(ch.isdigit() for v in values for ch in v) else "L")
    return nowrap, align


def table_layout(headers, rows, width: float = TEXT_WIDTH, *, weights=None, size: float = 8.5,
                 min_size: float = 6.5, pad: float = 1.0, step: float = 0.5) -> TableLayout:
    """Column widths (mm) that fill `width` and never exceed it.

    Number, amount and code columns get the width of their widest value (and of the longest word of
    their heading), so a value is never broken; text columns share the rest by `weights` (default: by
    their natural width), each at least as wide as its longest word. When that does not fit, the font
    is made smaller by `step` down to `min_size`; past that, widths are scaled down to `width`."""
    rows = [["" if v is None else str(v) for v in r] for r in rows]
    headers = [str(h) for h in headers]
    nowrap, align = column_kinds(headers, rows)
    n = len(headers)

    def words(text):
        return [w for w in glue(text).split(" ") if w]

    while True:
        need, minimum, natural = [], [], []
        for c in range(n):
            body = [r[c] for r in rows if c < len(r)]
            head_word = max((string_width(w, True, size) for w in words(headers[c])), default=0)
            body_word = max((string_width(w, False, size) for v in body for w in words(v)), default=0)
            body_full = max((string_width(v, False, size) for v in body), default=0)
            if nowrap[c]:
                need.append(max(head_word, body_full) + 2 * pad)
            else:
                need.append(0.0)
            minimum.append(min(max(head_word, body_word) + 2 * pad, 0.45 * width))
            natural.append(max(body_full, string_width(headers[c], True, size)) + 2 * pad)
        fixed = sum(need)
        text_cols = [c for c in range(n) if not nowrap[c]]
        if fixed + sum(minimum[c] for c in text_cols) <= width or size - step < min_size - 1e-9:
            break
        size -= step

    widths = list(need)
    rest = width - fixed
    if text_cols:
        w = {c: float(weights[c]) if weights and c < len(weights) and weights[c] else natural[c] for c in text_cols}
        pool = dict(w)
        while pool:
            share = rest / sum(pool.values()) if sum(pool.values()) else 0
            short = [c for c in pool if pool[c] * share < minimum[c]]
            long = [c for c in pool if pool[c] * share > natural[c]]
            if not short and not long:
                for c in pool:
                    widths[c] = pool[c] * share
                rest = 0
                break
            for c in short or long:        # too narrow for a word: its longest word; wider than its text: its text
                widths[c] = minimum[c] if short else natural[c]
                rest -= widths[c]
                del pool[c]
    if rest > 0:                       # room to spare: first toward each column's one-line width (headings too)
        deficits = [max(0.0, natural[c] - widths[c]) for c in range(n)]
        if sum(deficits):
            give = min(rest, sum(deficits))
            widths = [widths[c] + give * deficits[c] / sum(deficits) for c in range(n)]
            rest -= give
    if rest > 0 and sum(widths):
        widths = [x * (1 + rest / sum(widths)) for x in widths]   # then every column a little wider
    total = sum(widths)
    if total > width:                                   # only past the smallest font
        widths = [x * width / total for x in widths]
    return TableLayout(widths, size, nowrap, align)


# .docx ----------------------------------------------------------------------------------------------

def to_docx(od: OfficialDocument) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(PAGE_W), Mm(PAGE_H)
    sec.left_margin, sec.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
    sec.top_margin, sec.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
    # the text width as Word stores it (twips), less a little: column widths are rounded to twips too
    docx_text_width = (sec.page_width - sec.left_margin - sec.right_margin) / Mm(1) - 0.1
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(13)
    C, L, R, J = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY

    def para(where, text, bold=False, italic=False, align=C, size=None):
        p = where.add_paragraph()
        p.alignment = align
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.name = "Times New Roman"
        if size:
            run.font.size = Pt(size)
        return p

    def fixed_widths(t, widths_mm):
        t.autofit = False
        t.alignment = WD_TABLE_ALIGNMENT.LEFT
        for c, wmm in enumerate(widths_mm):
            t.columns[c].width = Mm(wmm)
            for cell in t.columns[c].cells:
                cell.width = Mm(wmm)

    def no_wrap(cell):
        tc_pr = cell._element.get_or_add_tcPr()
        if tc_pr.find(qn("w:noWrap")) is None:
            tc_pr.append(OxmlElement("w:noWrap"))

    def keep(paragraphs):
        for p in paragraphs:
            p.paragraph_format.keep_with_next = True
            p.paragraph_format.keep_together = True

    def cant_split(row):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))

    def two_cells():
        t = doc.add_table(rows=1, cols=2)
        fixed_widths(t, (docx_text_width * HEADER_LEFT_SHARE, docx_text_width * (1 - HEADER_LEFT_SHARE)))
        cells = t.rows[0].cells
        for c in cells:
            c._element.remove(c.paragraphs[0]._element)
        return t, cells

    _t, (left, right) = two_cells()
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
    last = []          # the paragraphs of the last section: kept with the signature block
    for item in od.sections:
        tag = item[0]
        if tag == "h":
            last = [para(doc, item[1], bold=True, align=L)]
        elif tag == "h2":
            last = [para(doc, item[1], bold=True, italic=True, align=L)]
        elif tag == "p":
            last = [para(doc, item[1], align=J)]
        elif tag == "image":
            doc.add_picture(io.BytesIO(item[1]), width=Mm(docx_text_width))
            last = [doc.paragraphs[-1]]
        elif tag == "table":
            headers, rows = item[1], item[2]
            lay = table_layout(headers, rows, docx_text_width, weights=item[3] if len(item) > 3 else None,
                               size=11, min_size=8, pad=1.9)
            t = doc.add_table(rows=1, cols=len(headers))
            t.style = "Table Grid"
            for c, h in enumerate(headers):
                cell = t.rows[0].cells[c]
                cell.text = str(h)
                for r in cell.paragraphs[0].runs:
                    r.bold = True
                    r.font.size = Pt(lay.size)
            for row in rows:
                cells = t.add_row().cells
                for c, v in enumerate(row):
                    cells[c].text = "" if v is None else str(v)
                    p = cells[c].paragraphs[0]
                    p.alignment = R if lay.align[c] == "R" else L
                    for r in p.runs:
                        r.font.size = Pt(lay.size)
                    if lay.nowrap[c]:
                        no_wrap(cells[c])
            fixed_widths(t, lay.widths)
            for row in t.rows:
                cant_split(row)
            last = [p for row in t.rows[-3:] for cell in row.cells for p in cell.paragraphs]
    keep(last)
    keep([para(doc, "", size=6)])        # a little space before the signature block, kept with it
    t, (left, right) = two_cells()
    cant_split(t.rows[0])
    keep(left.paragraphs + right.paragraphs)
    keep([para(left, "Nơi nhận:", bold=True, italic=True, align=L, size=12)])
    keep([para(left, f"- {r}", align=L, size=11) for r in od.recipients])
    keep([para(right, od.signer_title, bold=True)])
    keep([para(right, "\n\n\n" + od.signer, bold=True)])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# .pdf -----------------------------------------------------------------------------------------------

TABLE_PAD = 1.0           # mm left and right inside a table cell
TABLE_SIZE = 8.5          # pt; smaller (to 6.5) when the number columns need it
LINE = 4.5                # table line height, mm


def _new_pdf():
    from fpdf import FPDF

    fonts = resources.files("nscl.fonts")
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(True, MARGIN_BOTTOM)
    for style, name in (("", "DejaVuSerif.ttf"), ("B", "DejaVuSerif-Bold.ttf"), ("I", "DejaVuSerif-Italic.ttf")):
        pdf.add_font("Serif", style, str(fonts.joinpath(name)))
    pdf.add_page()
    return pdf


def _signature_lines(od):
    recipients = [("Nơi nhận:", "B", 10)] + [(f"- {r}", "", 9) for r in od.recipients]
    signer = [(od.signer_title, "B", 11), ("\n\n\n", "", 11), (od.signer or " ", "B", 11)]
    return recipients, signer


def _render(od: OfficialDocument, move: tuple | None = None, signature_on_new_page: bool = False):
    """Lay the document out. `move` = (section index, rows): start a new page before that section
    (rows None) or before the last `rows` rows of that table, so that the signature block has text
    above it on its page. Returns (pdf, whether the signature block fits whole on the page where the
    text ends)."""
    from fpdf.fonts import FontFace

    pdf = _new_pdf()
    w = TEXT_WIDTH
    col = w * HEADER_LEFT_SHARE

    def block(x, width, top, lines, align="C"):
        pdf.set_xy(x, top)
        for text, style, size in lines:
            pdf.set_font("Serif", style, size)
            pdf.set_x(x)
            pdf.multi_cell(width, 5.5, text, align=align, new_x="LMARGIN", new_y="NEXT")
        return pdf.get_y()

    def room(h):
        if pdf.get_y() + h > pdf.page_break_trigger:
            pdf.add_page()

    def text_height(text, style, size, width, line):
        pdf.set_font("Serif", style, size)
        return line * len(pdf.multi_cell(width, line, text, dry_run=True, output="LINES"))

    def table_start_height(headers, rows, weights, n_rows=2):
        lay = table_layout(headers, rows, w, weights=weights, size=TABLE_SIZE, pad=TABLE_PAD)
        line = LINE * lay.size / TABLE_SIZE
        h = 0.0
        for row, style in [(headers, "B")] + [(r, "") for r in rows[:n_rows]]:
            h += 1.2 + max(text_height(glue("" if v is None else str(v)), style, lay.size,
                                       lay.widths[c] - 2 * TABLE_PAD, line) for c, v in enumerate(row))
        return h

    def keep_height(i):
        """Height of heading i, the headings and lead-in paragraphs right after it, and the start
        of what they introduce (a table's heading row and two rows, an image, two lines of text)."""
        h = 0.0
        for j, item in enumerate(od.sections[i:], i):
            if item[0] in ("h", "h2"):
                h += text_height(item[1], "B" if item[0] == "h" else "I", 11, w, 6)
            elif item[0] == "p":
                lines = text_height(glue(item[1]), "", 10, w, 5)
                nxt = od.sections[j + 1:j + 2]
                if nxt and nxt[0][0] in ("table", "image") and lines <= 15:
                    h += lines             # a short lead-in goes with its table or chart
                    continue
                return h + min(lines, 10)
            elif item[0] == "table":
                return h + table_start_height(item[1], list(item[2]), item[3] if len(item) > 3 else None)
            elif item[0] == "image":
                return h + 40
        return h

    def table(headers, rows, weights):
        lay = table_layout(headers, rows, w, weights=weights, size=TABLE_SIZE, pad=TABLE_PAD)
        pdf.set_font("Serif", "", lay.size)
        pdf.set_x(pdf.l_margin)
        with pdf.table(col_widths=lay.widths, width=sum(lay.widths), align="LEFT", text_align="LEFT",
                       line_height=LINE * lay.size / TABLE_SIZE, padding=(0.6, TABLE_PAD),
                       headings_style=FontFace(emphasis="BOLD", fill_color=(221, 235, 247))) as t:
            hr = t.row()
            for h in headers:
                hr.cell(glue(str(h)), align="C")
            for row in rows:
                r = t.row()
                for c, v in enumerate(row):
                    r.cell(glue("" if v is None else str(v)), align=lay.align[c])

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
    for i, item in enumerate(od.sections):
        tag = item[0]
        if move and move[0] == i and move[1] is None:
            pdf.add_page()
        if tag in ("h", "h2"):
            room(keep_height(i))           # a heading is kept with the start of what follows it
            pdf.set_font("Serif", "B" if tag == "h" else "I", 11)
            pdf.multi_cell(w, 6, item[1], new_x="LMARGIN", new_y="NEXT")
        elif tag == "p":
            pdf.set_font("Serif", "", 10)
            pdf.multi_cell(w, 5, glue(item[1]), align="J", new_x="LMARGIN", new_y="NEXT")
        elif tag == "image":
            pdf.image(io.BytesIO(item[1]), x=pdf.l_margin, w=w)
        elif tag == "table":
            headers, rows, weights = item[1], list(item[2]), item[3] if len(item) > 3 else None
            room(2 * LINE + 4)
            if move and move[0] == i and move[1]:
                k = move[1]
                table(headers, rows[:-k], weights)
                pdf.add_page()
                table(headers, rows[-k:], weights)
            else:
                table(headers, rows, weights)
            pdf.ln(3)
    # the signature block: recipients on the left, title and name on the right, on one page
    recipients, signer = _signature_lines(od)
    if signature_on_new_page:
        pdf.add_page()
    page = pdf.page_no()
    top = pdf.get_y() + 4
    block(pdf.l_margin, col, top, recipients, align="L")
    y1 = pdf.get_y() if pdf.page_no() == page else pdf.h
    block(pdf.l_margin + col, w - col, top, signer)
    y2 = pdf.get_y() if pdf.page_no() == page else pdf.h
    fits = pdf.page_no() == page and max(y1, y2) <= pdf.page_break_trigger
    return pdf, fits


def _moves(od: OfficialDocument):
    """Ways to bring the last lines of text onto the signature's page, least disruptive first."""
    sections = od.sections
    if not sections:
        return
    i = len(sections) - 1
    if sections[i][0] == "table":
        for k in (2, 3, 5):
            if k < len(sections[i][2]):
                yield (i, k)       # the last rows of the table, under its repeated heading row
    j = i
    if sections[i][0] in ("table", "image") and j > 0 and sections[j - 1][0] == "p":
        j -= 1                     # with its lead-in
    while j > 0 and sections[j - 1][0] in ("h", "h2"):
        j -= 1                     # and its headings
    yield (j, None)


def to_pdf(od: OfficialDocument) -> bytes:
    pdf, fits = _render(od)
    if not fits:
        # the signature block would be split or open a page alone: move the last lines of text with it
        for move in _moves(od):
            pdf, fits = _render(od, move)
            if fits:
                break
        else:
            pdf, _fits = _render(od, signature_on_new_page=True)
    return bytes(pdf.output())
