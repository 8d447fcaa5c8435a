"""Growth accounting: the contribution of total factor productivity (TFP) to output growth.

Conventions (the tests hold them):

GSO method (the statistics office's official indicator)
    Cobb-Douglas with a fixed capital share α:  g_A = g_Y − α·g_K − (1 − α)·g_L,
    g_X = X_t / X_{t−1} − 1. Contributions in percent of output growth: capital 100·α·g_K/g_Y,
    labour 100·(1−α)·g_L/g_Y, TFP 100·g_A/g_Y (they sum to 100). TFP index A_t = A_{t−1}·(1 + g_A),
    1 in the first year.
    L is the number of employed persons (the official indicator counts persons), even when the
    series has hours or human-capital columns, unless adjusted labour is asked for
    (``labour_input="adjusted"``: persons × hours × human capital).
Törnqvist method (Penn World Table, APO)
    Δln A = Δln Y − s̄·Δln L − (1 − s̄)·Δln K, s̄ = (s_t + s_{t−1})/2 the labour share (1 − α when no
    labour share is given); L = persons × hours × human capital (each factor used when present;
    ``labour_input="persons"`` asks for persons only);
    growth rates are log differences; TFP index exp(Σ Δln A), 1 in the base year (default: first).
Capital by perpetual inventory (when investment is given instead of capital)
    real I_t = nominal × 100 / price index (no index: taken as real); K_first = I_first / (g + δ),
    g = (I_5th / I_first)^(1/4) − 1 over the first five years (fewer years: all of them);
    K_t = (1 − δ)·K_{t−1} + I_t. δ defaults to 0.06.
Periods Y1-Y2
    ḡ_X = (X_Y2 / X_{Y1−1})^(1/(Y2−Y1+1)) − 1 (2016-2020 runs from 2015 to 2020) and the period's
    contributions from those averages (Törnqvist: mean log growth, mean s̄). The mean of the annual
    TFP shares is reported beside it, labelled as such.
A share is undefined when output growth is zero or within `ZERO_GROWTH` of it: it is None, never ±inf.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .results import ResultsContract

ZERO_GROWTH = 1e-6
DEFAULT_DEPRECIATION = 0.06
DEFAULT_ALPHA = 0.35            # capital share of the GSO method when none is given
SENSITIVITY_ALPHAS = (0.30, 0.35, 0.40, 0.45, 0.50)
SENSITIVITY_DEPRECIATIONS = (0.04, 0.05, 0.06, 0.07, 0.08)
METHODS = ("gso", "tornqvist")  # the registry's GROWTH_METHODS codes (kept here: registry imports nothing)
LABOUR_INPUTS = ("persons", "adjusted")   # employed persons | persons × hours × human capital
DEFAULT_LABOUR_INPUT = {"gso": "persons", "tornqvist": "adjusted"}
LABOUR_ADJUSTMENTS = ("hours", "human_capital")
GROWTH_KEYS = ("output_growth", "capital_growth", "labour_growth", "tfp_growth",
               "contribution_capital_pct", "contribution_labour_pct", "contribution_tfp_pct")


class GrowthInputError(ValueError):
    """Bad input series; the message names the column and year. `problems`: every problem found,
    one sentence each (the message joins them): a table is corrected in one go, not one error at a
    time."""

    def __init__(self, message):
        self.problems = [message] if isinstance(message, str) else list(message)
        super().__init__(" ".join(self.problems))


# ----------------------------------------------------------------------------------------------
# Input checking

def read_series(path) -> pd.DataFrame:
    """Read a CSV or Excel file of yearly series; refuse anything that is not a table."""
    from .tables import read_table

    path = str(path)
    try:
        df = read_table(path)
    except FileNotFoundError:
        raise GrowthInputError(f"Không tìm thấy tệp {path}.") from None
    except Exception as e:  # noqa: BLE001 - any parser failure means "not a table"
        raise GrowthInputError(f"Tệp {path} không phải là bảng CSV/Excel đọc được ({e.__class__.__name__}).") from None
    if df.empty or df.shape[1] < 2:
        raise GrowthInputError(f"Tệp {path} không có bảng số liệu (cần các cột year, output, ...).")
    df.columns = [str(c).strip().lower() for c in df.columns]
    return df


REQUIRED_COLUMNS = ("year", "output", "labour")
CAPITAL_COLUMNS = ("capital", "investment")  # one of them is needed
POSITIVE_COLUMNS = ("output", "labour", "capital", "investment", "investment_price_index", "hours", "human_capital")
YEAR_RANGE = (1950, 2100)  # PWT starts in 1950; a year outside is a typing error
LISTED = 8                 # years named in one problem, then "…"


def years_text(years) -> str:
    """Years (or rows) for a problem: the first few, then "…"."""
    shown = [str(y) for y in list(years)[:LISTED]]
    return ", ".join(shown) + (", …" if len(years) > LISTED else "")


def validate_series(df: pd.DataFrame, method: str = "gso") -> pd.DataFrame:
    """Check the whole table and return it sorted by year with float columns; raise with every
    problem found (GrowthInputError.problems). An optional column with no value in any year is
    taken as absent (a template's unused columns: capital *or* investment)."""
    if method not in METHODS:
        raise GrowthInputError(f"Phương pháp “{method}” không có; chọn gso hoặc tornqvist.")
    df = df.copy()
    empty = [c for c in df.columns if c not in REQUIRED_COLUMNS and df[c].isna().all()]
    df = df.drop(columns=empty)
    cols = set(df.columns)
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in cols]
    if not cols & set(CAPITAL_COLUMNS) and not set(empty) & set(CAPITAL_COLUMNS):
        missing.append(" hoặc ".join(CAPITAL_COLUMNS))
    if missing:
        problems.append(f"Thiếu cột: {', '.join(missing)}.")
    if not cols & set(CAPITAL_COLUMNS) and set(empty) & set(CAPITAL_COLUMNS):
        problems.append(f"Cột {' và '.join(c for c in CAPITAL_COLUMNS if c in empty)} không có số liệu năm nào: cần "
                        "số liệu vốn (capital) hoặc vốn đầu tư (investment).")
    labels, where = list(range(1, len(df) + 1)), "dòng"  # rows, when the years cannot name them
    if "year" in cols:
        years = pd.to_numeric(df["year"], errors="coerce")
        bad = years.isna() | (years % 1 != 0) | ~years.between(*YEAR_RANGE)
        if bad.any():
            first, *more = [f"“{v}”" for v in df["year"][bad].iloc[:LISTED]]
            problems.append(f"Cột year: giá trị {first} không phải là năm từ {YEAR_RANGE[0]} đến {YEAR_RANGE[1]}"
                            + (f" (cả {', '.join(more)})." if more else "."))
        else:
            df["year"] = years.astype(int)
            labels, where = df["year"].tolist(), "năm"
            dup = sorted(set(df["year"][df["year"].duplicated()]))
            if dup:
                problems.append(f"Cột year: năm {years_text(dup)} bị lặp.")
            else:
                df = df.sort_values("year").reset_index(drop=True)
                labels = df["year"].tolist()
                ys = df["year"].to_numpy()
                for i in np.flatnonzero(np.diff(ys) != 1):
                    problems.append(f"Cột year: thiếu năm giữa {ys[i]} và {ys[i + 1]} (chuỗi phải liên tục).")
            if len(df) < 2:
                problems.append("Cần ít nhất hai năm số liệu.")
    label = pd.Series(labels, index=df.index)
    for col in [c for c in (*POSITIVE_COLUMNS, "labour_share") if c in cols]:
        values = pd.to_numeric(df[col], errors="coerce")
        text = values.isna() & df[col].notna()
        if text.any():
            typed = ", ".join(f"“{v}”" for v in df[col][text].iloc[:LISTED])
            problems.append(f"Cột {col}, {where} {years_text(label[text])}: {typed} không phải là số.")
        if (values.isna() & ~text).any():
            problems.append(f"Cột {col}, {where} {years_text(label[values.isna() & ~text])}: thiếu số liệu.")
        infinite = np.isinf(values)
        if infinite.any():
            problems.append(f"Cột {col}, {where} {years_text(label[infinite])}: số quá lớn hoặc vô hạn.")
        if col == "labour_share":
            out = (values <= 0) | (values >= 1)
            if out.any():
                problems.append(f"Cột labour_share, {where} {years_text(label[out])}: phải nằm trong (0, 1).")
        elif (values <= 0).any():
            problems.append(f"Cột {col}, {where} {years_text(label[values <= 0])}: giá trị phải dương (> 0).")
        df[col] = values.astype(float)
    if problems:
        raise GrowthInputError(problems)
    return df


# ----------------------------------------------------------------------------------------------
# Building blocks

def capital_stock_pim(investment, price_index=None, depreciation: float = DEFAULT_DEPRECIATION) -> np.ndarray:
    """Capital stock by perpetual inventory from yearly investment (see the module conventions)."""
    inv = np.asarray(investment, dtype=float)
    if price_index is not None:
        inv = inv * 100.0 / np.asarray(price_index, dtype=float)
    if not 0 <= depreciation < 1:
        raise GrowthInputError(f"Tỷ lệ khấu hao {depreciation} phải nằm trong [0, 1).")
    n = min(5, len(inv))
    g = (inv[n - 1] / inv[0]) ** (1.0 / (n - 1)) - 1 if n > 1 else 0.0
    if g + depreciation <= 0:
        raise GrowthInputError(
            f"Không tính được vốn ban đầu: tăng trưởng đầu tư {g:.4f} + khấu hao {depreciation} ≤ 0.")
    k = np.empty_like(inv)
    k[0] = inv[0] / (g + depreciation)
    for t in range(1, len(inv)):
        k[t] = (1 - depreciation) * k[t - 1] + inv[t]
    return k


def _share(part, total):
    part, total = np.asarray(part, float), np.asarray(total, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 100.0 * part / total
    return np.where(np.abs(total) < ZERO_GROWTH, np.nan, out)


def labour_input(df: pd.DataFrame, adjusted: bool = True) -> np.ndarray:
    """Employed persons, times hours and human capital (those present) when `adjusted`."""
    lab = df["labour"].to_numpy(float)
    for col in LABOUR_ADJUSTMENTS if adjusted else ():
        if col in df.columns:
            lab = lab * df[col].to_numpy(float)
    return lab


def labour_description(parameters: dict, language: str = "vi") -> str:
    """The labour input in words, for the TFP note ("Lao động: số người có việc làm.") from a
    results' ``parameters`` (their ``labour`` entry: "persons" or "persons × hours × human_capital")."""
    used = [c for c in LABOUR_ADJUSTMENTS if c in str(parameters.get("labour") or "")]
    if language.lower().startswith("en"):
        words = {"hours": "hours worked", "human_capital": "labour quality (human capital)"}
        text = "Labour: employed persons"
        return text + (", adjusted for " + " and ".join(words[c] for c in used) if used else "") + "."
    words = {"hours": "giờ làm việc", "human_capital": "chất lượng lao động"}
    text = "Lao động: số người có việc làm"
    return text + (", điều chỉnh theo " + " và ".join(words[c] for c in used) if used else "") + "."


# ----------------------------------------------------------------------------------------------
# The model

@dataclass
class GrowthResults(ResultsContract):
    """The results contract's ``params`` are the TFP contribution shares (percent of output growth),
    named by year ("2021") then by period ("2016-2020"); NaN where undefined. Growth accounting is
    an identity, not an estimate: ``std_errors`` is None and ``conf_int`` NaN."""

    method: str
    parameters: dict
    years: pd.DataFrame
    periods: pd.DataFrame
    notes: list = field(default_factory=list)

    @property
    def params(self) -> pd.Series:
        y = self.years.iloc[1:]
        names = [str(int(v)) for v in y["year"]] + [f"{int(p.start)}-{int(p.end)}" for p in self.periods.itertuples()]
        values = list(y["contribution_tfp_pct"]) + list(self.periods["contribution_tfp_pct"])
        return pd.Series([np.nan if v is None else float(v) for v in values], index=pd.Index(names, dtype=object),
                         dtype=float, name="contribution_tfp_pct")

    @property
    def std_errors(self):
        return None

    def to_dict(self) -> dict:
        """The keys method, parameters, years, periods, notes (unchanged), then the contract's
        names and params (the TFP shares)."""
        def clean(v):
            if v is None or (isinstance(v, float) and not math.isfinite(v)):
                return None
            if isinstance(v, (np.integer,)):
                return int(v)
            if isinstance(v, (np.floating,)):
                return None if not np.isfinite(v) else float(v)
            return v
        years = [{k: clean(v) for k, v in row.items()} for row in self.years.to_dict("records")]
        periods = [{k: clean(v) for k, v in row.items()} for row in self.periods.to_dict("records")]
        c = self.contract_dict()
        return {"method": self.method, "parameters": self.parameters, "years": years, "periods": periods,
                "notes": self.notes, "names": c["names"], "params": c["params"]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def summary(self) -> str:
        def pct(v):
            return "   n/a" if v is None or not np.isfinite(v) else f"{v:6.1f}"

        def rate(v):
            return "    n/a" if v is None or not np.isfinite(v) else f"{100 * v:7.2f}"
        lines = [f"Growth accounting ({self.method}); " + ", ".join(f"{k}={v}" for k, v in self.parameters.items() if v is not None),
                 f"{'year':>6} {'gY %':>7} {'gK %':>7} {'gL %':>7} {'gA %':>7} {'K %':>6} {'L %':>6} {'TFP %':>6} {'index':>7}"]
        for r in self.years.itertuples():
            lines.append(f"{r.year:>6} {rate(r.output_growth)} {rate(r.capital_growth)} {rate(r.labour_growth)} "
                         f"{rate(r.tfp_growth)} {pct(r.contribution_capital_pct)} {pct(r.contribution_labour_pct)} "
                         f"{pct(r.contribution_tfp_pct)} {r.tfp_index:7.4f}")
        if len(self.periods):
            lines.append("Periods (average annual growth; shares from the averages; mean of annual TFP shares)")
            for r in self.periods.itertuples():
                lines.append(f"{r.start}-{r.end} {rate(r.output_growth)} {rate(r.capital_growth)} {rate(r.labour_growth)} "
                             f"{rate(r.tfp_growth)} {pct(r.contribution_capital_pct)} {pct(r.contribution_labour_pct)} "
                             f"{pct(r.contribution_tfp_pct)}  mean annual TFP share {pct(r.mean_annual_tfp_share_pct)}")
        lines += self.notes
        return "\n".join(lines)


class GrowthAccounting:
    """Growth accounting on a yearly series (columns: year, output, capital | investment
    [, investment_price_index], labour [, labour_share, hours, human_capital])."""

    def __init__(self, data: pd.DataFrame, method: str = "gso", alpha: float = DEFAULT_ALPHA,
                 depreciation: float = DEFAULT_DEPRECIATION, base_year: int | None = None,
                 labour_input: str | None = None):
        """`labour_input`: "persons" (employed persons) or "adjusted" (persons × hours × human
        capital, the columns present); None: the method's default (GSO persons, Törnqvist adjusted)."""
        if not 0 < alpha < 1:
            raise GrowthInputError(f"Tỷ trọng vốn alpha = {alpha} phải nằm trong (0, 1).")
        self.method = method
        self.data = validate_series(data, method)
        labour_input = labour_input or DEFAULT_LABOUR_INPUT[method]
        if labour_input not in LABOUR_INPUTS:
            raise GrowthInputError(f"Lao động “{labour_input}” không có; chọn persons hoặc adjusted.")
        self.labour_input = labour_input
        self.alpha = float(alpha)
        self.depreciation = float(depreciation)
        years = self.data["year"].tolist()
        if base_year is not None and base_year not in years:
            raise GrowthInputError(f"Năm gốc {base_year} không có trong số liệu ({years[0]}-{years[-1]}).")
        self.base_year = base_year

    @property
    def capital_from_investment(self) -> bool:
        return "capital" not in self.data.columns

    def capital(self) -> np.ndarray:
        if not self.capital_from_investment:
            return self.data["capital"].to_numpy(float)
        pi = self.data["investment_price_index"] if "investment_price_index" in self.data.columns else None
        return capital_stock_pim(self.data["investment"], pi, self.depreciation)

    def fit(self, periods: list[tuple[int, int]] | None = None) -> GrowthResults:
        d = self.data
        adjusted = self.labour_input == "adjusted"
        y, k, lab = d["output"].to_numpy(float), self.capital(), labour_input(d, adjusted)
        years = d["year"].to_numpy()
        if self.method == "gso":
            gy, gk, gl = y[1:] / y[:-1] - 1, k[1:] / k[:-1] - 1, lab[1:] / lab[:-1] - 1
            wk = np.full(len(gy), self.alpha)
            wl = 1 - wk
            ga = gy - wk * gk - wl * gl
            index = np.concatenate([[1.0], np.cumprod(1 + ga)])
        else:
            gy, gk, gl = np.diff(np.log(y)), np.diff(np.log(k)), np.diff(np.log(lab))
            if "labour_share" in d.columns:
                s = d["labour_share"].to_numpy(float)
                wl = (s[1:] + s[:-1]) / 2
            else:
                wl = np.full(len(gy), 1 - self.alpha)
            wk = 1 - wl
            ga = gy - wl * gl - wk * gk
            index = np.exp(np.concatenate([[0.0], np.cumsum(ga)]))
        if self.base_year is not None:
            index = index / index[list(years).index(self.base_year)]
        table = pd.DataFrame({
            "year": years,
            "output_growth": np.concatenate([[np.nan], gy]),
            "capital_growth": np.concatenate([[np.nan], gk]),
            "labour_growth": np.concatenate([[np.nan], gl]),
            "tfp_growth": np.concatenate([[np.nan], ga]),
            "contribution_capital_pct": np.concatenate([[np.nan], _share(wk * gk, gy)]),
            "contribution_labour_pct": np.concatenate([[np.nan], _share(wl * gl, gy)]),
            "contribution_tfp_pct": np.concatenate([[np.nan], _share(ga, gy)]),
            "tfp_index": index,
        })
        if self.capital_from_investment:
            table.insert(1, "capital_stock", k)
        notes = []
        present = [c for c in LABOUR_ADJUSTMENTS if c in d.columns]
        if adjusted and not present:
            notes.append("Adjusted labour was asked for but the series has no hours or human_capital column: "
                         "labour is employed persons.")
        flat = table["output_growth"].abs() < ZERO_GROWTH
        if flat.any():
            notes.append("Output growth is zero (or within %g of it) in %s: shares are undefined there."
                         % (ZERO_GROWTH, ", ".join(str(v) for v in table["year"][flat])))
        period_rows = [self._period(a, b, y, k, lab, wk, wl, years) for a, b in (periods or [])]
        params = {"alpha": self.alpha if (self.method == "gso" or "labour_share" not in d.columns) else None,
                  "depreciation": self.depreciation if self.capital_from_investment else None,
                  "base_year": self.base_year,
                  "capital": "perpetual inventory from investment" if self.capital_from_investment else "given",
                  "labour": "persons" + "".join(f" × {c}" for c in present if adjusted),
                  "labour_input": self.labour_input,
                  "labour_share": "data (Törnqvist mean)" if (self.method == "tornqvist" and "labour_share" in d.columns) else "1 − alpha"}
        return GrowthResults(self.method, params, table, pd.DataFrame(period_rows, columns=[
            "start", "end", *GROWTH_KEYS, "mean_annual_tfp_share_pct"]), notes)

    def _period(self, start, end, y, k, lab, wk, wl, years):
        years = list(years)
        if start > end:
            raise GrowthInputError(f"Giai đoạn {start}-{end}: năm đầu sau năm cuối.")
        if start - 1 not in years or end not in years:
            raise GrowthInputError(
                f"Giai đoạn {start}-{end} cần số liệu từ năm {start - 1} đến {end}; có {years[0]}-{years[-1]}.")
        i0, i1 = years.index(start - 1), years.index(end)
        n = end - start + 1
        sl = slice(i0, i1)  # annual weights of the years start..end
        if self.method == "gso":
            gy, gk, gl = ((x[i1] / x[i0]) ** (1 / n) - 1 for x in (y, k, lab))
            a = self.alpha
            ga = gy - a * gk - (1 - a) * gl
            ck, cl = a * gk, (1 - a) * gl
            annual = [(y[i + 1] / y[i] - 1 - a * (k[i + 1] / k[i] - 1) - (1 - a) * (lab[i + 1] / lab[i] - 1),
                       y[i + 1] / y[i] - 1) for i in range(i0, i1)]
        else:
            gy, gk, gl = ((math.log(x[i1]) - math.log(x[i0])) / n for x in (y, k, lab))
            mwl = float(np.mean(wl[sl]))
            ck, cl = (1 - mwl) * gk, mwl * gl
            ga = gy - ck - cl
            annual = [(math.log(y[i + 1] / y[i]) - wl[i] * math.log(lab[i + 1] / lab[i]) - wk[i] * math.log(k[i + 1] / k[i]),
                       math.log(y[i + 1] / y[i])) for i in range(i0, i1)]
        shares = [100 * a_ / g_ for a_, g_ in annual if abs(g_) >= ZERO_GROWTH]
        undefined = abs(gy) < ZERO_GROWTH
        return {"start": start, "end": end, "output_growth": gy, "capital_growth": gk, "labour_growth": gl,
                "tfp_growth": ga,
                "contribution_capital_pct": None if undefined else 100 * ck / gy,
                "contribution_labour_pct": None if undefined else 100 * cl / gy,
                "contribution_tfp_pct": None if undefined else 100 * ga / gy,
                "mean_annual_tfp_share_pct": float(np.mean(shares)) if len(shares) == n else None}


def sensitivity(data: pd.DataFrame, method="gso", alphas=SENSITIVITY_ALPHAS, depreciations=None,
                periods=None, base_year=None, labour_input=None) -> pd.DataFrame:
    """The TFP share over a grid of α (and δ when capital comes from investment): one row per
    (alpha, depreciation) with the mean annual TFP share and each period's share."""
    d = validate_series(data, method)
    if depreciations is None:
        depreciations = SENSITIVITY_DEPRECIATIONS if "capital" not in d.columns else (None,)
    rows = []
    for a in alphas:
        for dep in depreciations:
            model = GrowthAccounting(d, method, a, dep if dep is not None else DEFAULT_DEPRECIATION, base_year,
                                     labour_input)
            res = model.fit(periods)
            shares = res.years["contribution_tfp_pct"].dropna()
            row = {"alpha": a, "depreciation": dep, "mean_annual_tfp_share_pct": float(shares.mean()) if len(shares) else None}
            for p in res.periods.itertuples():
                row[f"tfp_share_{p.start}_{p.end}_pct"] = p.contribution_tfp_pct
            rows.append(row)
    return pd.DataFrame(rows)


def parse_periods(text: str | None) -> list[tuple[int, int]]:
    if not text:
        return []
    out = []
    for part in text.split(","):
        try:
            a, b = part.strip().split("-")
            out.append((int(a), int(b)))
        except ValueError:
            raise GrowthInputError(f"Giai đoạn “{part.strip()}” phải có dạng YYYY-YYYY.") from None
    return out
