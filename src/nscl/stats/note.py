"""The annual TFP note: contributions table, chart, method statement, sensitivity."""
from __future__ import annotations

import datetime

from nscl.common import officedoc
from nscl.common.formatting import fmt_decimal
from nscl.common.officedoc import OfficialDocument
from nscl.productivity.growth import labour_description

from . import charts
from .models import COLUMNS, TfpSeries, parameter_text

# The note is a Vietnamese administrative document (Decree 30/2020/NĐ-CP): its text, its numbers
# (decimal comma) and its chart (common.charts.render draws a PNG in Vietnamese) are in this language.
LANG = "vi"

METHOD_TEXT = {
    "gso": ("Phương pháp của Tổng cục Thống kê (hàm Cobb-Douglas, tỷ trọng vốn cố định α): g_A = g_Y − α·g_K − (1 − α)·g_L, "
            "với g_X = X_t / X_(t−1) − 1; đóng góp của vốn, lao động và TFP tính theo phần trăm tốc độ tăng GRDP, tổng bằng 100."),
    "tornqvist": ("Chỉ số Törnqvist (như Penn World Table, APO): Δln A = Δln Y − s̄·Δln L − (1 − s̄)·Δln K, s̄ là tỷ trọng "
                  "thu nhập lao động bình quân hai năm liền kề; tốc độ tăng tính bằng chênh lệch logarit."),
}


def _pct(v):
    return fmt_decimal(v, 2, LANG)


def _rate(v):
    return fmt_decimal(None if v is None else 100 * v, 2, LANG)


def _param(v):
    return parameter_text(v, LANG)


def document(run, year: int | None = None, number="…/BC-TK", signer="", signer_title="", day=None) -> OfficialDocument:
    """The note as an official document; signer and title left empty take the defaults of settings
    NSCL_SIGNER_NAME / NSCL_SIGNER_TITLE."""
    default_name, default_title = officedoc.default_signer()
    signer, signer_title = signer or default_name, signer_title or default_title
    years = [y for y in run.results["years"] if y["output_growth"] is not None]
    year = year or (years[-1]["year"] if years else None)
    territory = TfpSeries.Territory(run.territory).label
    p = run.results["parameters"]
    method = [METHOD_TEXT[run.method]]
    if p.get("alpha") is not None:
        method.append(f"Tỷ trọng vốn α = {_param(run.alpha)} (tỷ trọng lao động 1 − α = {_param(1 - run.alpha)}).")
    if p.get("depreciation") is not None:
        method.append(f"Vốn tính theo phương pháp kiểm kê thường xuyên từ vốn đầu tư thực hiện, khấu hao δ = {_param(run.depreciation)}; "
                      "vốn năm đầu K = I / (g + δ), g là tốc độ tăng đầu tư bình quân 5 năm đầu.")
    method.append(f"Phạm vi số liệu: {territory}. {labour_description(p, LANG)}")
    sources = [f"{label}: {run.sources[c]}" for c, label, *_ in COLUMNS if run.sources.get(c)]
    year_rows = [[y["year"], _rate(y["output_growth"]), _pct(y["contribution_capital_pct"]), _pct(y["contribution_labour_pct"]),
                  _pct(y["contribution_tfp_pct"]), fmt_decimal(y["tfp_index"], 4, LANG)] for y in years]
    period_rows = [[f"{q['start']}-{q['end']}", _rate(q["output_growth"]), _pct(q["contribution_capital_pct"]),
                    _pct(q["contribution_labour_pct"]), _pct(q["contribution_tfp_pct"]), _pct(q["mean_annual_tfp_share_pct"])]
                   for q in run.results["periods"]]
    sens_keys = sorted(k for k in (run.sensitivity[0] if run.sensitivity else {}) if k.startswith("tfp_share_"))
    sens_rows = [[_param(r["alpha"]), "—" if r.get("depreciation") is None else _param(r["depreciation"]),
                  _pct(r.get("mean_annual_tfp_share_pct"))] + [_pct(r.get(k)) for k in sens_keys] for r in run.sensitivity]
    this = run.year_result(year) if year else None
    lead = (f"Năm {year}, tốc độ tăng GRDP {_rate(this['output_growth'])}%, trong đó TFP đóng góp {_pct(this['contribution_tfp_pct'])}%, "
            f"vốn {_pct(this['contribution_capital_pct'])}%, lao động {_pct(this['contribution_labour_pct'])}%."
            if this and this["output_growth"] is not None else "")
    sections = [("h", "I. KẾT QUẢ"), ("p", lead) if lead else ("p", ""),
                ("table", ["Năm", "Tăng GRDP (%)", "Vốn (%)", "Lao động (%)", "TFP (%)", "Chỉ số TFP"], year_rows),
                ("image", charts.contributions(run, fmt="png"))]
    if period_rows:
        sections += [("h2", "Bình quân giai đoạn (tính từ tốc độ tăng bình quân; cột cuối: bình quân các tỷ trọng hằng năm)"),
                     ("table", ["Giai đoạn", "Tăng GRDP (%)", "Vốn (%)", "Lao động (%)", "TFP (%)", "TB tỷ trọng TFP hằng năm (%)"],
                      period_rows)]
    sections += [("h", "II. PHƯƠNG PHÁP VÀ NGUỒN SỐ LIỆU")] + [("p", t) for t in method]
    sections += [("p", "Nguồn: " + "; ".join(sources) + ".")] if sources else []
    sections += [("h", "III. ĐỘ NHẠY THEO GIẢ ĐỊNH"),
                 ("p", "Tỷ trọng đóng góp của TFP (%) khi thay đổi tỷ trọng vốn α"
                       + (" và tỷ lệ khấu hao δ" if p.get("depreciation") is not None else "") + ":"),
                 ("table", ["α", "δ", "TB tỷ trọng TFP hằng năm"] + [k.replace("tfp_share_", "").replace("_pct", "").replace("_", "-")
                                                                      for k in sens_keys], sens_rows)]
    return OfficialDocument(
        number=number, day=day or datetime.date.today(), kind="BÁO CÁO",
        title=f"Kết quả đo lường, tính toán mức đóng góp của năng suất các nhân tố tổng hợp (TFP) vào tăng trưởng kinh tế năm {year}",
        sections=[s for s in sections if not (s[0] == "p" and not s[1])], signer=signer, signer_title=signer_title,
        recipients=["Sở Khoa học và Công nghệ;", "UBND tỉnh (để b/c);", "Lưu: VT."],
        notice="(Dữ liệu minh họa — không dùng làm số liệu chính thức)" if run.is_demo else "")


def to_docx(run, **kw) -> bytes:
    return officedoc.to_docx(document(run, **kw))


def to_pdf(run, **kw) -> bytes:
    return officedoc.to_pdf(document(run, **kw))
