"""TFP section: import, runs, publication, comparison. The computation is nscl.productivity.growth."""
from __future__ import annotations

import io
from functools import lru_cache

import numpy as np
import pandas as pd
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment

from nscl.common.downloads import style_header, workbook_bytes
from nscl.common.formatting import fmt_decimal
from nscl.common.uploads import UnsafeOfficeFile, check_office_zip, office_limits
from nscl.productivity import growth, pwt
from nscl.programme import services as programme_services
from nscl.productivity.tables import head_table, read_table

from .models import COLUMNS, TfpObservation, TfpPublication, TfpRun, TfpSeries, parameter_text

ASEAN = ["VNM", "THA", "IDN", "MYS", "PHL", "SGP", "KHM", "LAO", "MMR", "BRN"]
COUNTRY_NAMES = {"VNM": ("Việt Nam", "Vietnam"), "THA": ("Thái Lan", "Thailand"), "IDN": ("Indonesia", "Indonesia"),
                 "MYS": ("Malaysia", "Malaysia"), "PHL": ("Philippines", "Philippines"),
                 "SGP": ("Singapore", "Singapore"), "KHM": ("Campuchia", "Cambodia"), "LAO": ("Lào", "Laos"),
                 "MMR": ("Myanmar", "Myanmar"), "BRN": ("Brunei", "Brunei")}


def country_names(lang="vi") -> dict:
    return {iso: (en if lang == "en" else vi) for iso, (vi, en) in COUNTRY_NAMES.items()}
COMPARISON_PERIODS = [(2001, 2005), (2006, 2010), (2011, 2015), (2016, 2019)]
# a share of almost no growth says nothing (Brunei: ±2,700%): shown only above 1% a year
MIN_COMPARISON_GROWTH = 0.01
TARGETS = {"national_2025": 45.0, "national_2030": 50.0, "province_low": 50.0, "province_high": 55.0}
VALUE_COLUMNS = [c for c, *_ in COLUMNS]


def template_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "So lieu"
    headers = ["year"] + VALUE_COLUMNS
    style_header([ws.cell(row=1, column=i, value=h) for i, h in enumerate(headers, 1)])
    for cell, h in zip(ws[1], headers):
        label = "Năm" if h == "year" else next(v for c, v, *_ in COLUMNS if c == h)
        cell.comment = Comment(label, "NSCL")
        ws.column_dimensions[cell.column_letter].width = 18
    src = wb.create_sheet("Nguon")
    src.append(["column", "source"])
    for c, label, *_ in COLUMNS:
        src.append([c, ""])
    guide = wb.create_sheet("Huong dan")
    for line in [
        "Mỗi dòng một năm, liên tục, không trùng. Cột bắt buộc: year, output, labour và capital hoặc investment.",
        "output: GRDP theo giá so sánh (triệu đồng). labour: số lao động có việc làm (người).",
        "investment: vốn đầu tư thực hiện; investment_price_index: chỉ số giá đầu tư, năm gốc = 100 (bỏ trống: coi là giá so sánh).",
        "labour_share: tỷ trọng thu nhập của lao động trong GRDP (0-1), dùng cho phương pháp Törnqvist.",
        "Sheet Nguon: ghi nguồn của từng cột (ví dụ: Niên giám thống kê 2022, bảng 39).",
    ] + [f"{c}: {label}" for c, label, *_ in COLUMNS]:
        guide.append([line])
    return workbook_bytes(wb)


# A series has one row a year, at most 151 (growth.YEAR_RANGE): a file is refused after this many
# lines are read, so the import is bounded work that belongs in the request (under a second for
# any file: tests/stats/test_series_import_bounded.py), not a background job as the registry's.
MAX_SERIES_ROWS = 1000


def read_upload(f) -> tuple[pd.DataFrame, dict]:
    """The table and the per-column sources from an uploaded CSV or Excel file."""
    name = getattr(f, "name", "upload")
    raw = f.read()
    sources = {}
    if name.lower().endswith((".xlsx", ".xlsm")):
        try:
            check_office_zip(raw, name)  # a decompression bomb is refused before openpyxl sees it
        except UnsafeOfficeFile as e:
            raise growth.GrowthInputError(str(e)) from None
    try:
        if len(head_table(io.BytesIO(raw), name, rows=MAX_SERIES_ROWS + 1, **office_limits())) > MAX_SERIES_ROWS:
            raise growth.GrowthInputError(
                f"Tệp “{name}” có hơn {MAX_SERIES_ROWS:_} dòng; một chuỗi TFP có mỗi năm một dòng "
                f"({growth.YEAR_RANGE[0]}–{growth.YEAR_RANGE[1]}). Dùng mẫu Excel tải về.".replace("_", "."))
        if name.lower().endswith((".xlsx", ".xlsm")):
            wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            if "Nguon" in wb.sheetnames:
                for row in wb["Nguon"].iter_rows(min_row=2, values_only=True):
                    if row and row[0] and len(row) > 1 and row[1]:
                        sources[str(row[0]).strip()] = str(row[1]).strip()
        df = read_table(io.BytesIO(raw), name, **office_limits())
    except growth.GrowthInputError:
        raise
    except Exception as e:  # noqa: BLE001
        raise growth.GrowthInputError(f"Tệp “{name}” không phải là bảng CSV/Excel đọc được ({e.__class__.__name__}).") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    df = df.dropna(how="all")
    unknown = [c for c in df.columns if c not in ["year"] + VALUE_COLUMNS and not c.startswith("unnamed")]
    if unknown:
        raise growth.GrowthInputError(f"Cột không nhận ra: {', '.join(unknown)}. Dùng mẫu Excel tải về.")
    return df[[c for c in df.columns if not c.startswith("unnamed")]], sources


def check_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Validate as the model will (growth.validate_series: years, gaps, missing and non-positive
    values, plausible years, finite numbers; an optional column left empty is absent) and the
    trained share a stored series has besides; every problem of the table at once."""
    problems = []
    if "trained_share" in df.columns:
        ts = pd.to_numeric(df["trained_share"], errors="coerce")
        bad = df["trained_share"].notna() & ((ts < 0) | (ts > 100) | ts.isna())
        if bad.any():
            where = df["year"][bad] if "year" in df.columns else bad[bad].index + 1
            problems.append(f"Cột trained_share, năm {growth.years_text(list(where))}: phải là số từ 0 đến 100.")
    try:
        clean = growth.validate_series(df.drop(columns=[c for c in ["trained_share"] if c in df.columns]))
    except growth.GrowthInputError as e:
        raise growth.GrowthInputError(e.problems + problems) from None
    if problems:
        raise growth.GrowthInputError(problems)
    if "trained_share" in df.columns:
        order = pd.to_numeric(df["year"], errors="coerce").astype(int).to_numpy()
        shares = dict(zip(order, pd.to_numeric(df["trained_share"], errors="coerce")))
        clean["trained_share"] = [shares[y] for y in clean["year"]]
    return clean


class DropsYears(growth.GrowthInputError):
    """The new table lacks years the series has; replacing needs the user's confirmation."""

    def __init__(self, years):
        self.years = years
        super().__init__(f"Tệp không có các năm {', '.join(map(str, years))} đang có trong chuỗi; nhập tệp sẽ xóa "
                         f"các năm đó. Đánh dấu “Đồng ý xóa các năm không có trong tệp” nếu muốn thay cả chuỗi.")


@transaction.atomic
def replace_observations(series: TfpSeries, df: pd.DataFrame, sources: dict | None = None,
                         allow_drop: bool = True) -> int:
    """Make the series' rows equal a validated table, all or nothing: only changed years are written
    (one audit entry per changed year, not a deletion and a creation of every row). Without
    `allow_drop`, a table lacking some of the series' years is refused with DropsYears."""
    clean = check_frame(df)
    # a column the table leaves out (or leaves empty) is emptied: the rows equal the table
    rows = {int(r["year"]): {k: (None if pd.isna(r.get(k)) else float(r[k])) for k in VALUE_COLUMNS}
            for r in clean.to_dict("records")}
    existing = {o.year: o for o in series.observations.select_for_update()}
    dropped = sorted(set(existing) - set(rows))
    if dropped and not allow_drop:
        raise DropsYears(dropped)
    for year in dropped:
        existing[year].delete()
    for year, values in rows.items():
        obs = existing.get(year)
        if obs is None:
            TfpObservation.objects.create(series=series, year=year, **values)
        elif any(getattr(obs, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obs, k, v)
            obs.save()
    if sources:
        series.sources = {**series.sources, **sources}
        series.save()
    return len(clean)


def run(series: TfpSeries, user, method="gso", alpha=growth.DEFAULT_ALPHA, depreciation=growth.DEFAULT_DEPRECIATION, base_year=None, periods="",
        labour_input=None) -> TfpRun:
    """`labour_input`: None (the method's default: GSO employed persons), "persons" or "adjusted";
    kept in the results' parameters."""
    df = series.frame()
    if df.empty:
        raise growth.GrowthInputError("Chuỗi số liệu chưa có năm nào.")
    model = growth.GrowthAccounting(df, method=method, alpha=alpha, depreciation=depreciation, base_year=base_year,
                                    labour_input=labour_input)
    parsed = growth.parse_periods(periods)
    res = model.fit(parsed)
    grid = growth.sensitivity(df, method=method, periods=parsed, base_year=base_year, labour_input=labour_input,
                              alphas=sorted({*growth.SENSITIVITY_ALPHAS, round(alpha, 4)}))
    inputs = [{k: (None if pd.isna(v) else (int(v) if k == "year" else float(v))) for k, v in r.items()}
              for r in df.to_dict("records")]
    return TfpRun.objects.create(
        series=series, method=method, alpha=alpha, depreciation=depreciation, base_year=base_year, periods=periods,
        inputs=inputs, sources=series.sources, territory=series.territory, results=res.to_dict(),
        sensitivity=[{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
                     for r in grid.to_dict("records")],
        author=user, is_demo=series.is_demo)


def rerun(r: TfpRun) -> dict:
    """Recompute a saved run from its own stored inputs and parameters (reproducibility check)."""
    p = r.results.get("parameters") or {}
    # runs saved before the option existed multiplied labour by hours and human capital when present
    labour = p.get("labour_input") or ("adjusted" if "×" in str(p.get("labour") or "") else "persons")
    model = growth.GrowthAccounting(pd.DataFrame(r.inputs).dropna(axis=1, how="all"), method=r.method, alpha=r.alpha,
                                    depreciation=r.depreciation, base_year=r.base_year, labour_input=labour)
    return model.fit(growth.parse_periods(r.periods)).to_dict()


@transaction.atomic
def publish(r: TfpRun, year: int, user) -> TfpPublication:
    """Mark the run's figure for `year` as published; it then counts toward the plan's TFP target."""
    result = r.year_result(year)
    if result is None or result.get("contribution_tfp_pct") is None:
        raise growth.GrowthInputError(f"Lần tính #{r.pk} không có tỷ trọng TFP xác định cho năm {year}.")
    pub = TfpPublication.objects.select_for_update().filter(year=year).first()
    share = result["contribution_tfp_pct"]
    # stored Vietnamese text (the programme's record of the measurement): its numbers with a decimal comma
    reference = (f"Lần tính TFP #{r.pk}: {fmt_decimal(share, 2, 'vi')}% ({r.get_method_display()}, "
                 f"α={parameter_text(r.alpha, 'vi')})")
    activity = programme_services.record_tfp_measurement(
        year, reference, user,
        is_demo=r.is_demo, existing=pub.activity if pub else None)
    if pub is None:
        pub = TfpPublication.objects.create(year=year, run=r, activity=activity, published_by=user)
    else:
        pub.run, pub.activity, pub.published_by = r, activity, user
        pub.save()
    return pub


def default_alpha() -> float:
    """The run form's α: that of the province's last published run (its statistics office's
    choice), else the library's default."""
    pub = TfpPublication.objects.select_related("run").order_by("-year").first()
    return pub.run.alpha if pub else growth.DEFAULT_ALPHA


def published_shares():
    """(publication, TFP share of growth in its year) for every published year."""
    out = []
    for p in TfpPublication.objects.select_related("run", "run__series").order_by("year"):
        r = p.run.year_result(p.year)
        out.append((p, r.get("contribution_tfp_pct") if r else None))
    return out


@lru_cache(maxsize=16)
def asean_comparison(alpha: float = growth.DEFAULT_ALPHA) -> pd.DataFrame:
    """TFP share of growth (GSO method, PWT 10.01 national series) for Vietnam and its neighbours."""
    table = pwt.load_pwt()
    rows = []
    for iso in ASEAN:
        d = pwt.country_series(table, iso)[["year", "output", "capital", "labour"]]
        if d.empty:
            continue
        res = growth.GrowthAccounting(d, "gso", alpha=alpha).fit(
            [p for p in COMPARISON_PERIODS if p[0] - 1 >= d.year.min() and p[1] <= d.year.max()])
        for p in res.periods.itertuples():
            rows.append({"country": iso, "period": f"{p.start}-{p.end}", "output_growth": p.output_growth,
                         "tfp_share_pct": p.contribution_tfp_pct})
    return pd.DataFrame(rows)


def load_vietnam_reference():
    """Vietnam's national series from PWT 10.01, present on a fresh install (idempotent)."""
    d = pwt.country_series(pwt.load_pwt(), "VNM")
    series, created = TfpSeries.objects.get_or_create(
        is_reference=True, name="Việt Nam — Penn World Table 10.01",
        defaults={"territory": TfpSeries.Territory.NATIONAL,
                  "sources": {c: "Penn World Table 10.01 (Feenstra, Inklaar & Timmer 2015), CC BY 4.0: " + s
                              for c, s in {"output": "rgdpna (triệu USD giá 2017)", "capital": "rnna (triệu USD giá 2017)",
                                           "labour": "emp (triệu người)", "hours": "avh (giờ/năm)",
                                           "human_capital": "hc (chỉ số vốn con người)"}.items()},
                  "note": "Chuỗi quốc gia để trang TFP dùng được ngay; PWT không công bố TFP cho Việt Nam."})
    if not series.units:  # PWT's units, also for a reference series loaded before units were recorded
        series.units = {"output": "triệu USD giá 2017", "capital": "triệu USD giá 2017", "labour": "triệu người",
                        "hours": "giờ/năm", "human_capital": "chỉ số"}
        series.save(update_fields=["units"])
    if created or not series.observations.exists():
        replace_observations(series, d)
    return series


def year_range_text(series: TfpSeries) -> str:
    years = list(series.observations.values_list("year", flat=True))
    return f"{min(years)}-{max(years)}" if years else "—"


def default_periods(series: TfpSeries) -> str:
    years = sorted(series.observations.values_list("year", flat=True))
    if len(years) < 2:
        return ""
    out = []
    for start in (2001, 2006, 2011, 2016, 2021, 2026):
        end = min(start + 4, years[-1])
        if start - 1 >= years[0] and end >= start and start <= years[-1]:
            out.append(f"{start}-{end}")
    return ",".join(out)


