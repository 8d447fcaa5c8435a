"""The analysis downloads: the results workbook and the firm-year TFP table.

Both are written through `nscl.common.downloads` (workbook_bytes, frame_csv_bytes): uploaded column
names and firm identifiers such as ``=cmd|' /C calc'!A0`` come out as text, never as live formulas;
numbers stay numbers. The worker keeps the TFP table as a plain file (`AnalysisJob.tfp_path`) that
is never served as it is: it is converted here on download. Every figure (confidence intervals
included) comes from the stored results."""
import math
import os

import pandas as pd
from openpyxl import Workbook

from nscl.common.downloads import frame_csv_bytes, style_header, workbook_bytes
from nscl.productivity.methods import AGGREGATIONS, codes, get

from .models import AnalysisJob

MAX_TFP_ROWS_IN_WORKBOOK = 200_000


def tfp_table(job: AnalysisJob) -> pd.DataFrame | None:
    """The firm-year TFP table; the group column (by-group estimates) stays text ("01" is not 1)."""
    path = job.tfp_path
    if not os.path.exists(path):
        return None
    by = (job.params or {}).get("by")
    return pd.read_csv(path, dtype={by: str} if by else None)


def tfp_csv(job: AnalysisJob) -> bytes | None:
    t = tfp_table(job)
    return None if t is None else frame_csv_bytes(t)


def results_xlsx(job: AnalysisJob, language: str = "vi") -> bytes:
    """The aggregations are named by the registry's labels in `language`."""
    wb = Workbook()
    if job.kind == AnalysisJob.Kind.FIRM_TFP:
        _firm_sheets(wb, job)
    else:
        _impact_sheets(wb, job.result, language)
    for sheet in wb.worksheets:
        style_header(sheet[1])
    return workbook_bytes(wb)


def _firm_sheets(wb, job):
    """One block per group when the estimate is by group (the group first in every row)."""
    r = job.result
    groups = list(r["groups"].items()) if "groups" in r else [(None, r)]
    lead = [r["by"]] if "groups" in r else []
    ws = wb.active
    ws.title = "He so"
    ws.append(lead + ["Biến", "Hệ số", "Sai số chuẩn"])
    for key, g in groups:
        for name in g.get("names") or list(g["coefficients"]):
            ws.append([key][:len(lead)] + [name, g["coefficients"][name], (g["std_errors"] or {}).get(name)])
    for key, g in groups:
        ws.append([])
        if lead:
            ws.append([r["by"], key])
        ws.append(["Phương pháp", g["method"]])
        ws.append(["Số quan sát", g["n_obs"]])
        ws.append(["Số doanh nghiệp", g["n_firms"]])
        ws.append(["Giá trị hàm mục tiêu", g["criterion"]])
        ws.append(["Bootstrap (lần / lỗi)", g["bootstrap"]["reps"], g["bootstrap"]["failed"]])
    if lead and r.get("skipped"):
        sk = wb.create_sheet("Nhom khong uoc luong")
        sk.append([r["by"], "Lý do"])
        for key, reason in r["skipped"].items():
            sk.append([key, reason])
    d = wb.create_sheet("Phan bo TFP")
    d.append(lead + ["Cận dưới log TFP", "Cận trên", "Số doanh nghiệp-năm"])
    for key, g in groups:
        dist = g.get("tfp_distribution") or {"edges": [], "counts": []}  # none when no TFP was finite
        for lo, hi, c in zip(dist["edges"][:-1], dist["edges"][1:], dist["counts"]):
            d.append([key][:len(lead)] + [lo, hi, c])
    if job.n_rows <= MAX_TFP_ROWS_IN_WORKBOOK:
        table = tfp_table(job)
        if table is not None:
            t = wb.create_sheet("TFP doanh nghiep")
            t.append(lead + ["Doanh nghiệp", "Năm", "log TFP", "Chỉ số TFP"])
            for row in table.itertuples(index=False, name=None):
                values = [v.item() if hasattr(v, "item") else v for v in row]
                t.append([None if isinstance(v, float) and not math.isfinite(v) else v for v in values])


def _impact_sheets(wb, r, language="vi"):
    ws = wb.active
    ws.title = "ATT(g,t)"
    ws.append(["Nhóm (năm hỗ trợ đầu)", "Năm", "ATT", "Sai số chuẩn", "KTC 95% dưới", "KTC 95% trên"])
    for a in r["att_gt"]:
        ws.append([a["group"], a["time"], a["att"], a["se"], a.get("lower"), a.get("upper")])
    s = wb.create_sheet("Tong hop")
    s.append(["Cách tổng hợp", "Theo", "ATT", "Sai số chuẩn", "KTC 95% dưới", "KTC 95% trên"])
    for typ in r.get("aggregation_order") or codes(AGGREGATIONS):
        agg = r["aggregations"][typ]
        label = get(AGGREGATIONS, typ).label(language)
        s.append([label, "tổng" if language.startswith("vi") else "overall", agg["att"], agg["se"], agg.get("lower"), agg.get("upper")])
        for e in agg.get("by", []):
            key = next(k for k in e if k not in ("att", "se", "lower", "upper"))
            s.append([label, e[key], e["att"], e["se"], e.get("lower"), e.get("upper")])
    _sample_sheet(wb, r, language)


def _sample_sheet(wb, r, language):
    """The sample the estimate used and what it left out, and the library's warnings: what an
    officer cites beside the effect."""
    from nscl.productivity import interpret

    ws = wb.create_sheet("Mau" if language.startswith("vi") else "Sample")
    vi = language.startswith("vi")
    sample = r.get("sample") or {}
    rows = [("Đơn vị trong tệp", "Units in the file", sample.get("n_units_input")),
            ("Dòng trong tệp", "Rows in the file", sample.get("n_obs_input")),
            ("Đơn vị dùng để ước lượng", "Units used", sample.get("n_units", r.get("n_units"))),
            ("Quan sát dùng để ước lượng", "Observations used", sample.get("n_obs", r.get("n_obs"))),
            ("Đơn vị bỏ ra (thiếu số liệu một số năm)", "Units left out (observed in only some years)",
             sample.get("n_units_dropped")),
            ("Dòng bỏ ra", "Rows left out", sample.get("n_obs_dropped"))]
    for label_vi, label_en, value in rows:
        ws.append([label_vi if vi else label_en, value])
    if sample.get("dropped_examples"):
        ws.append(["Ví dụ đơn vị bỏ ra" if vi else "Examples left out", ", ".join(sample["dropped_examples"])])
    for note in interpret.sample_notes(r, language)[1:]:
        ws.append([note["text"]])
