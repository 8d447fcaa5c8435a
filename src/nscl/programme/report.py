"""The annual implementation report (Decree 30/2020 layout) as .docx and .pdf from one data set."""
from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from importlib import resources

from django.conf import settings
from django.db.models import Sum

from . import charts
from .exports import DEMO_LABEL, STATUS_VI
from .models import KIND_MODELS, Activity, ActivityKind, Phase
from .services import fmt_date, fmt_num, fmt_vnd, phase_progress

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
PLAN_NAME = ("Kế hoạch hỗ trợ tổ chức, doanh nghiệp nâng cao năng suất và chất lượng sản phẩm, "
             "hàng hóa giai đoạn 2021-2030 trên địa bàn tỉnh Hưng Yên")


@dataclass
class AnnualReport:
    year: int
    number: str
    day: datetime.date
    signer: str
    signer_title: str
    phase: Phase
    targets: list = field(default_factory=list)        # rows of strings
    activities: list = field(default_factory=list)     # (kind label, [rows])
    budget: list = field(default_factory=list)         # (source, planned, spent)
    budget_total: tuple = (0, 0)
    pending: int = 0
    has_demo: bool = False
    chart_png: bytes = b""

    @property
    def place_date(self):
        d = self.day
        return f"{settings.NSCL_PLACE}, ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"

    @property
    def title(self):
        return f"Kết quả thực hiện {PLAN_NAME} năm {self.year}"


def build(year: int, number="…/BC-SKHCN", signer="", signer_title="GIÁM ĐỐC", day=None) -> AnnualReport:
    phase = Phase.objects.filter(start_year__lte=year, end_year__gte=year).first()
    if phase is None:
        raise ValueError(f"Không có giai đoạn nào chứa năm {year}.")
    progress = phase_progress(phase, as_of=year)
    rep = AnnualReport(year, number, day or datetime.date.today(), signer, signer_title, phase)
    for i, p in enumerate(progress, 1):
        t = p.target
        mn, mx = fmt_num(t.min_value), fmt_num(t.max_value)
        plan = {"exact": mn, "range": f"{mn}-{mx}", "at_least": f"≥ {mn}", "about": f"khoảng {mn}"}[t.kind]
        if t.every_year:
            plan += " (mỗi năm)" if t.kind != "exact" else f" ({fmt_num(t.min_value / len(phase.years))} mỗi năm)"
        rep.targets.append([str(i), f"{t.description} ({t.unit})", plan, fmt_num(p.yearly[year]),
                            fmt_num(p.actual), STATUS_VI[p.status]])
    counted = Activity.objects.filter(count_year=year, confirmed_at__isnull=False).exclude(status=Activity.Status.CANCELLED)
    rep.pending = Activity.objects.filter(count_year=year, confirmed_at__isnull=True).exclude(
        status=Activity.Status.CANCELLED).count()
    for kind in ActivityKind:
        rows = []
        qs = KIND_MODELS[kind].objects.filter(pk__in=counted.filter(kind=kind).values("pk")).select_related("responsible_unit")
        for n, a in enumerate(qs.order_by("start_date"), 1):
            when = fmt_date(a.start_date) + (f" - {fmt_date(a.end_date)}" if a.end_date else "")
            rows.append([str(n), a.title + (f" [{DEMO_LABEL}]" if a.is_demo else ""), when, str(a.responsible_unit),
                         a.get_status_display(), fmt_vnd(a.budget_spent)])
        if rows:
            rep.activities.append((str(kind.label), rows))
    planned_total = spent_total = 0
    for source in Activity.FundSource:
        agg = counted.filter(fund_source=source).aggregate(p=Sum("budget_planned"), s=Sum("budget_spent"))
        p, s = agg["p"] or 0, agg["s"] or 0
        if p or s:
            rep.budget.append((str(source.label), fmt_vnd(p), fmt_vnd(s)))
        planned_total += p
        spent_total += s
    rep.budget_total = (fmt_vnd(planned_total), fmt_vnd(spent_total))
    rep.has_demo = counted.filter(is_demo=True).exists()
    rep.chart_png = charts.progress_chart(progress, fmt="png")
    return rep


TARGET_HEADERS = ["STT", "Chỉ tiêu", "Kế hoạch giai đoạn", "Trong năm", "Lũy kế", "Đánh giá"]
ACTIVITY_HEADERS = ["STT", "Hoạt động", "Thời gian", "Đơn vị thực hiện", "Trạng thái", "Kinh phí đã chi"]
BUDGET_HEADERS = ["Nguồn kinh phí", "Dự kiến", "Đã chi"]
RECIPIENTS = ["Bộ Khoa học và Công nghệ (để b/c);", "UBND tỉnh (để b/c);", "Các sở, ngành phối hợp;", "Lưu: VT, QLCN."]


def _sections(rep: AnnualReport):
    yield ("h", "I. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU")
    yield ("p", f"Giai đoạn {rep.phase.code}; số liệu lũy kế đến hết năm {rep.year}, chỉ tính các hoạt động đã hoàn thành "
                f"và được cơ quan chủ trì xác nhận.")
    yield ("table", TARGET_HEADERS, rep.targets)
    yield ("chart",)
    yield ("h", "II. CÁC HOẠT ĐỘNG ĐÃ TRIỂN KHAI TRONG NĂM")
    if not rep.activities:
        yield ("p", "Không có hoạt động đã xác nhận trong năm.")
    for label, rows in rep.activities:
        yield ("h2", label)
        yield ("table", ACTIVITY_HEADERS, rows)
    if rep.pending:
        yield ("p", f"Ngoài ra có {rep.pending} hồ sơ hoạt động đang chờ xác nhận, chưa được tính vào báo cáo.")
    yield ("h", "III. KINH PHÍ THỰC HIỆN")
    yield ("table", BUDGET_HEADERS, rep.budget + [("Tổng cộng", *rep.budget_total)])


def to_docx(rep: AnnualReport) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = Cm(3), Cm(2), Cm(2), Cm(2)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)

    def para(cell_or_doc, text, bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.CENTER, size=None):
        p = cell_or_doc.add_paragraph()
        p.alignment = align
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.name = "Times New Roman"
        if size:
            run.font.size = Pt(size)
        return p

    head = doc.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    left._element.remove(left.paragraphs[0]._element)
    right._element.remove(right.paragraphs[0]._element)
    para(left, settings.NSCL_PARENT_BODY, size=12)
    para(left, settings.NSCL_ISSUING_BODY, bold=True, size=12)
    para(left, f"Số: {rep.number}", size=12)
    para(right, NATIONAL_TITLE, bold=True, size=12)
    para(right, MOTTO, bold=True, size=13)
    para(right, rep.place_date, italic=True, size=13)
    para(doc, "BÁO CÁO", bold=True, size=14)
    para(doc, rep.title, bold=True, size=13)
    if rep.has_demo:
        para(doc, f"({DEMO_LABEL} — không dùng làm số liệu chính thức)", italic=True)
    for item in _sections(rep):
        if item[0] == "h":
            para(doc, item[1], bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        elif item[0] == "h2":
            para(doc, item[1], italic=True, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        elif item[0] == "p":
            para(doc, item[1], align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        elif item[0] == "chart":
            doc.add_picture(io.BytesIO(rep.chart_png), width=Cm(15.5))
        elif item[0] == "table":
            headers, rows = item[1], item[2]
            t = doc.add_table(rows=1, cols=len(headers))
            t.style = "Table Grid"
            for c, h in enumerate(headers):
                t.rows[0].cells[c].text = h
                for r in t.rows[0].cells[c].paragraphs[0].runs:
                    r.bold = True
            for row in rows:
                cells = t.add_row().cells
                for c, v in enumerate(row):
                    cells[c].text = str(v)
    foot = doc.add_table(rows=1, cols=2)
    left, right = foot.rows[0].cells
    left._element.remove(left.paragraphs[0]._element)
    right._element.remove(right.paragraphs[0]._element)
    para(left, "Nơi nhận:", bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, size=12)
    for r in RECIPIENTS:
        para(left, f"- {r}", align=WD_ALIGN_PARAGRAPH.LEFT, size=11)
    para(right, rep.signer_title, bold=True)
    para(right, "\n\n\n" + rep.signer, bold=True)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_pdf(rep: AnnualReport) -> bytes:
    from fpdf import FPDF

    fonts = resources.files("nscl.fonts")
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(30, 20, 20)
    pdf.set_auto_page_break(True, 20)
    pdf.add_font("Serif", "", str(fonts.joinpath("DejaVuSerif.ttf")))
    pdf.add_font("Serif", "B", str(fonts.joinpath("DejaVuSerif-Bold.ttf")))
    pdf.add_font("Serif", "I", str(fonts.joinpath("DejaVuSerif-Italic.ttf")))
    pdf.add_page()
    w = pdf.w - pdf.l_margin - pdf.r_margin
    col = w * 0.42
    top = pdf.get_y()

    def block(x, width, lines):
        pdf.set_xy(x, top)
        for text, style, size in lines:
            pdf.set_font("Serif", style, size)
            pdf.set_x(x)
            pdf.multi_cell(width, 5.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        return pdf.get_y()

    y1 = block(pdf.l_margin, col, [(settings.NSCL_PARENT_BODY, "", 10), (settings.NSCL_ISSUING_BODY, "B", 10),
                                   (f"Số: {rep.number}", "", 10)])
    y2 = block(pdf.l_margin + col, w - col, [(NATIONAL_TITLE, "B", 10), (MOTTO, "B", 11), (rep.place_date, "I", 10)])
    pdf.set_y(max(y1, y2) + 6)
    pdf.set_font("Serif", "B", 13)
    pdf.multi_cell(w, 6, "BÁO CÁO", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "B", 11)
    pdf.multi_cell(w, 5.5, rep.title, align="C", new_x="LMARGIN", new_y="NEXT")
    if rep.has_demo:
        pdf.set_font("Serif", "I", 10)
        pdf.multi_cell(w, 5.5, f"({DEMO_LABEL} — không dùng làm số liệu chính thức)", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = {6: (8, 70, 22, 16, 16, 28)}
    for item in _sections(rep):
        if item[0] in ("h", "h2"):
            pdf.set_font("Serif", "B" if item[0] == "h" else "I", 11)
            pdf.multi_cell(w, 6, item[1], new_x="LMARGIN", new_y="NEXT")
        elif item[0] == "p":
            pdf.set_font("Serif", "", 10)
            pdf.multi_cell(w, 5, item[1], align="J", new_x="LMARGIN", new_y="NEXT")
        elif item[0] == "chart":
            pdf.image(io.BytesIO(rep.chart_png), w=w)
        elif item[0] == "table":
            headers, rows = item[1], item[2]
            pdf.set_font("Serif", "", 8.5)
            col_widths = widths.get(len(headers)) if headers is TARGET_HEADERS else None
            if headers is ACTIVITY_HEADERS:
                col_widths = (8, 55, 28, 28, 20, 21)
            from fpdf.fonts import FontFace

            with pdf.table(col_widths=col_widths, text_align="LEFT", line_height=4.5,
                           headings_style=FontFace(emphasis="BOLD", fill_color=(221, 235, 247))) as table:
                hr = table.row()
                for h in headers:
                    hr.cell(h)
                for row in rows:
                    r = table.row()
                    for v in row:
                        r.cell(str(v))
            pdf.ln(3)
    pdf.ln(4)
    top = pdf.get_y()
    if top > pdf.h - 60:
        pdf.add_page()
        top = pdf.get_y()
    block(pdf.l_margin, col, [("Nơi nhận:", "B", 10)] + [(f"- {r}", "", 9) for r in RECIPIENTS])
    block(pdf.l_margin + col, w - col, [(rep.signer_title, "B", 11), ("\n\n\n", "", 11), (rep.signer, "B", 11)])
    return bytes(pdf.output())
