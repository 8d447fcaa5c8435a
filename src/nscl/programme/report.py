"""The annual implementation report (Decree 30/2020 layout) as .docx and .pdf from one data set."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Sum

from nscl.common import officedoc
from nscl.common.formatting import fmt_date, fmt_decimal, fmt_num, fmt_vnd
from nscl.common.officedoc import OfficialDocument
from nscl.enterprises.services import accepted_dossiers

from . import charts, costs, effectiveness
from .exports import DEMO_LABEL
from .models import KIND_MODELS, Activity, ActivityKind, Phase, ReportClosing
from .progress import STATUS_LABELS
from .services import previous_phase, published_progress

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
    done: list = field(default_factory=list)           # (kind label, count, spent) of completed, confirmed records
    done_total: tuple = (0, "")
    reference_phase: str = ""                          # the phase whose targets are the reference while none are set
    costs: list = field(default_factory=list)          # (measure, the year, the phase to date)
    costs_headers: list = field(default_factory=list)
    effect_text: list = field(default_factory=list)    # paragraphs on the effect per billion đồng
    closing: dict = field(default_factory=dict)        # ReportClosing's texts of the year (sections V-VIII)

    @property
    def title(self):
        return f"Kết quả thực hiện {PLAN_NAME} năm {self.year}"


def build(year: int, number="…/BC-SKHCN", signer="", signer_title="", day=None) -> AnnualReport:
    """The report's data. Signer and title default to settings NSCL_SIGNER_NAME / NSCL_SIGNER_TITLE.
    Only published targets are reported: for a year of a phase whose targets are not set yet, the
    report says so and lists what was done in the year (no targets table, no chart)."""
    phase = Phase.objects.filter(start_year__lte=year, end_year__gte=year).first()
    if phase is None:
        raise ValueError(f"Không có giai đoạn nào chứa năm {year}.")
    progress = published_progress(phase, as_of=year)
    default_name, default_title = officedoc.default_signer()
    rep = AnnualReport(year, number, day or datetime.date.today(), signer or default_name, signer_title or default_title,
                       phase)
    for p in progress:
        t = p.target
        mn, mx = fmt_num(t.min_value), fmt_num(t.max_value)
        plan = {"exact": mn, "range": f"{mn}-{mx}", "at_least": f"≥ {mn}", "about": f"khoảng {mn}"}[t.kind]
        if t.every_year:
            plan += " (mỗi năm)" if t.kind != "exact" else f" ({fmt_num(t.min_value / len(phase.years))} mỗi năm)"
        rep.targets.append([t.code, f"{t.description} ({t.unit})", plan, fmt_num(p.yearly[year]),
                            fmt_num(p.actual), STATUS_LABELS[p.status]])
    if not rep.targets:
        previous = previous_phase(phase)
        rep.reference_phase = previous.code if previous else ""
    counted = Activity.objects.filter(count_year=year, confirmed_at__isnull=False).exclude(status=Activity.Status.CANCELLED)
    rep.pending = Activity.objects.filter(count_year=year, confirmed_at__isnull=True).exclude(
        status=Activity.Status.CANCELLED).count()
    for kind in KIND_MODELS:
        rows = []
        qs = KIND_MODELS[kind].objects.filter(pk__in=counted.filter(kind=kind).values("pk")).select_related("responsible_unit")
        for n, a in enumerate(qs.order_by("start_date"), 1):
            when = fmt_date(a.start_date) + (f" - {fmt_date(a.end_date)}" if a.end_date else "")
            rows.append([str(n), a.title + (f" [{DEMO_LABEL}]" if a.is_demo else ""), when, str(a.responsible_unit),
                         a.get_status_display(), fmt_vnd(a.budget_spent)])
        if rows:
            rep.activities.append((str(kind.label), rows))
    rows = []  # support to enterprises: the dossiers accepted in the year (the registry)
    for n, d in enumerate(accepted_dossiers(year, year).order_by("accepted_on", "pk"), 1):
        rows.append([str(n), f"{d.title} — {d.enterprise.name} ({d.enterprise.tax_code})"
                     + (f" [{DEMO_LABEL}]" if d.is_demo else ""), fmt_date(d.accepted_on), d.provider or "—",
                     d.get_status_display(), fmt_vnd(d.paid_amount if d.paid_amount is not None else d.approved_amount or 0)])
    if rows:
        rep.activities.append((str(ActivityKind.SUPPORT.label), rows))
    planned_total = spent_total = 0
    for source in Activity.FundSource:
        agg = counted.filter(fund_source=source).aggregate(p=Sum("budget_planned"), s=Sum("budget_spent"))
        p, s = agg["p"] or 0, agg["s"] or 0
        if p or s:
            rep.budget.append((str(source.label), fmt_vnd(p), fmt_vnd(s)))
        planned_total += p
        spent_total += s
    rep.budget_total = (fmt_vnd(planned_total), fmt_vnd(spent_total))
    completed = counted.filter(status=Activity.Status.COMPLETED)
    n_total = 0
    spent_all = 0
    for kind in KIND_MODELS:
        agg = completed.filter(kind=kind).aggregate(n=Count("pk"), s=Sum("budget_spent"))
        if agg["n"]:
            rep.done.append((str(kind.label), fmt_num(agg["n"]), fmt_vnd(agg["s"] or 0)))
            n_total += agg["n"]
            spent_all += agg["s"] or 0
    rep.done_total = (fmt_num(n_total), fmt_vnd(spent_all))
    rep.has_demo = counted.filter(is_demo=True).exists() or accepted_dossiers(year, year).filter(is_demo=True).exists()
    rep.chart_png = charts.progress_chart(progress, fmt="png") if progress else b""
    _add_costs(rep)
    saved = ReportClosing.objects.filter(year=year).first()
    rep.closing = {name: getattr(saved, name, "") for name in ReportClosing.TEXT_FIELDS}
    return rep


def _add_costs(rep: AnnualReport) -> None:
    """Section IV: unit costs of the year and of the phase to date; the effect per billion đồng."""
    data = effectiveness.phase_costs(rep.phase, rep.year)
    year, phase = data["years"][-1], data["phase"]
    rep.costs_headers = ["Chỉ số", f"Năm {rep.year}", f"Lũy kế {phase.label}"]

    def money(v):
        return fmt_vnd(v) if v is not None else "—"
    rep.costs = [
        ["Kinh phí nhà nước đã chi (hoạt động và hỗ trợ theo hồ sơ đã nghiệm thu)", money(year.budget), money(phase.budget)],
        ["trong đó: hỗ trợ doanh nghiệp", money(year.support_paid), money(phase.support_paid)],
        ["Doanh nghiệp được hỗ trợ", fmt_num(year.enterprises), fmt_num(phase.enterprises)],
        ["Kinh phí bình quân / doanh nghiệp được hỗ trợ", money(year.units["per_enterprise"]),
         money(phase.units["per_enterprise"])],
        ["Học viên được tập huấn", fmt_num(year.trainees), fmt_num(phase.trainees)],
        ["Kinh phí bình quân / học viên", money(year.units["per_trainee"]), money(phase.units["per_trainee"])],
        ["Chứng chỉ đạt được nhờ hỗ trợ", fmt_num(year.certificates), fmt_num(phase.certificates)],
        ["Kinh phí bình quân / chứng chỉ", money(year.units["per_certificate"]), money(phase.units["per_certificate"])],
    ]
    effect, per_billion = data["effect"], data["per_billion"]
    if effect and per_billion and per_billion["value"] is not None:
        d4 = lambda v: fmt_decimal(v, 4)  # noqa: E731
        outcome = costs.OUTCOME_LABELS.get(effect.get("outcome"), effect.get("outcome") or "")
        rep.effect_text = [
            f"Ước lượng tác động gần nhất của hỗ trợ (kết quả: {outcome}; phân tích số {effect.get('job_id')}, "
            f"phương pháp Callaway & Sant'Anna): ATT = {d4(effect['att'])} (khoảng tin cậy 95%: "
            f"{d4(effect.get('ci_low'))} – {d4(effect.get('ci_high'))}). {fmt_num(effect.get('n_treated'))} doanh "
            f"nghiệp được hỗ trợ, bình quân {fmt_vnd(per_billion['mean_support_vnd'])} mỗi doanh nghiệp: tác động "
            f"trên mỗi tỷ đồng hỗ trợ cho một doanh nghiệp là {d4(per_billion['value'])} (khoảng tin cậy 95%: "
            f"{d4(per_billion['ci_low'])} – {d4(per_billion['ci_high'])}).",
            "Đây là tỷ lệ giữa tác động bình quân và mức hỗ trợ bình quân, giả định tác động tỷ lệ với số tiền; "
            "không phải ước lượng theo từng mức hỗ trợ, cũng không phải dự báo tác động khi một doanh nghiệp nhận "
            "1 tỷ đồng: dùng để so sánh hiệu quả giữa các năm, giai đoạn, nội dung hỗ trợ. Với kết quả dạng log, "
            "0,01 xấp xỉ 1%.",
        ]
    elif effect:
        rep.effect_text = ["Có ước lượng tác động nhưng chưa tính được tác động trên mỗi tỷ đồng: phân tích không "
                           "cho biết số doanh nghiệp được hỗ trợ hoặc số tiền hỗ trợ."]
    else:
        rep.effect_text = ["Chưa có ước lượng tác động của hỗ trợ đến năng suất doanh nghiệp, nên chưa tính được "
                           "tác động trên mỗi tỷ đồng hỗ trợ. Các chỉ số bình quân trên cho biết chi phí, không cho "
                           "biết hỗ trợ có hiệu quả hay không."]


TARGET_HEADERS = ["Mã", "Chỉ tiêu", "Kế hoạch giai đoạn", "Trong năm", "Lũy kế", "Đánh giá"]
ACTIVITY_HEADERS = ["STT", "Hoạt động", "Thời gian", "Đơn vị thực hiện", "Trạng thái", "Kinh phí đã chi"]
BUDGET_HEADERS = ["Nguồn kinh phí", "Dự kiến", "Đã chi"]
DONE_HEADERS = ["Loại hoạt động", "Số hoạt động hoàn thành", "Kinh phí đã chi"]
RECIPIENTS = ["Bộ Khoa học và Công nghệ (để b/c);", "UBND tỉnh (để b/c);", "Các sở, ngành phối hợp;", "Lưu: VT, QLCN."]


def _sections(rep: AnnualReport):
    yield ("h", "I. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU")
    if rep.targets:
        yield ("p", f"Giai đoạn {rep.phase.code}; số liệu lũy kế đến hết năm {rep.year}, chỉ tính các hoạt động đã hoàn "
                    f"thành và được cơ quan chủ trì xác nhận. Mã chỉ tiêu như trên trang theo dõi tiến độ.")
        yield ("table", TARGET_HEADERS, rep.targets)
        yield ("chart",)
    else:
        reference = (f"các chỉ tiêu giai đoạn {rep.reference_phase} và mục tiêu chung của Kế hoạch"
                     if rep.reference_phase else "mục tiêu chung của Kế hoạch")
        yield ("p", f"Giai đoạn {rep.phase.code} chưa có chỉ tiêu được ban hành; báo cáo liệt kê kết quả thực hiện "
                    f"trong năm {rep.year}. Cho đến khi chỉ tiêu giai đoạn {rep.phase.code} được ban hành, {reference} "
                    f"là căn cứ tham chiếu.")
        if rep.done:
            yield ("p", f"Trong năm {rep.year} đã hoàn thành và được xác nhận {rep.done_total[0]} hoạt động:")
            yield ("table", DONE_HEADERS, rep.done + [("Tổng cộng", *rep.done_total)])
        else:
            yield ("p", f"Trong năm {rep.year} chưa có hoạt động hoàn thành được xác nhận.")
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
    yield ("h", "IV. HIỆU QUẢ SỬ DỤNG KINH PHÍ")
    yield ("p", "Kinh phí bình quân là toàn bộ kinh phí nhà nước đã chi chia cho từng kết quả (không cộng được với "
                "nhau); không tính kinh phí đối ứng của doanh nghiệp.")
    yield ("table", rep.costs_headers, rep.costs)
    for text in rep.effect_text:
        yield ("p", text)
    yield from _closing_sections(rep)


NOT_WRITTEN = "Chưa có nội dung (cán bộ chưa nhập phần này)."


def _closing_sections(rep: AnnualReport):
    """Sections V-VIII, as the officer wrote them on the report page (one paragraph per line). An
    empty one keeps its heading and says it was not written: the report's numbering stays that of a
    complete report, and whoever signs sees what is missing rather than a report that seems whole."""
    headings = {"shortcomings": "V. TỒN TẠI, HẠN CHẾ", "causes": "VI. NGUYÊN NHÂN",
                "directions": f"VII. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {rep.year + 1}",
                "recommendations": "VIII. KIẾN NGHỊ, ĐỀ XUẤT"}
    for name, heading in headings.items():
        yield ("h", heading)
        lines = [line.strip() for line in (rep.closing.get(name) or "").splitlines() if line.strip()]
        for line in lines or [NOT_WRITTEN]:
            yield ("p", line)


def document(rep: AnnualReport) -> OfficialDocument:
    sections = []
    for item in _sections(rep):
        if item[0] == "chart":
            sections.append(("image", rep.chart_png))
        elif item[0] == "table":
            weights = {id(TARGET_HEADERS): (0, 70, 22, 0, 0, 24), id(ACTIVITY_HEADERS): (0, 55, 26, 30, 20, 0)}.get(id(item[1]))
            sections.append(("table", item[1], item[2], weights) if weights else item)
        else:
            sections.append(item)
    return OfficialDocument(number=rep.number, day=rep.day, kind="BÁO CÁO", title=rep.title, sections=sections,
                            signer=rep.signer, signer_title=rep.signer_title, recipients=RECIPIENTS,
                            notice=f"({DEMO_LABEL} — không dùng làm số liệu chính thức)" if rep.has_demo else "")


def to_docx(rep: AnnualReport) -> bytes:
    return officedoc.to_docx(document(rep))


def to_pdf(rep: AnnualReport) -> bytes:
    return officedoc.to_pdf(document(rep))
