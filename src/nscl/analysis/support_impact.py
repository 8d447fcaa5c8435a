"""The impact of support measured from the enterprise registry: the panel (enterprise × year) built
from the yearly figures and the accepted dossiers, estimated by Callaway & Sant'Anna through the
same impact library, worker and result pages as an uploaded panel.

- Outcomes: ``log_labour_productivity`` = ln(value added / employees), value added as entered or
  revenue − intermediate costs; ``log_revenue``; ``log_employees``; ``log_tfp``, firm TFP from a
  Levinsohn-Petrin production function (labour free, fixed assets the state, materials the proxy)
  estimated on every enterprise-year of the window that has all four.
- Treatment: the first treated year of an enterprise is the year of its first accepted dossier's
  acceptance date (status accepted or closed); enterprises with none are never treated. By support
  content: the enterprises whose first support included that content, against the never treated
  (enterprises first supported with something else are left out).
- Years: the window (default: from the first to the last year in which at least half as many
  enterprises report as in the best-covered year). The library balances the panel, so the panel
  holds the enterprises with the outcome in every year of the window; enterprises first supported in
  the window's first year or before have no year before support and are left out; those first
  supported after it are untreated within it (as R's did does).
- Minimum numbers: a cohort (enterprises first supported in the same year) is estimated only with
  at least MIN_PER_COHORT enterprises; there must be at least MIN_CONTROLS comparison enterprises.
  Below that a message says how many there are and how many are needed.
- Nominal or real: an optional deflator series (stats.DeflatorSeries) divides every amount by its
  year's index. A deflator common to all enterprises moves every log value of a year by the same
  amount, so it leaves the ATT on log labour productivity and log revenue unchanged (the estimate
  differences out common years); it changes firm TFP through the production function.

The panel goes to the worker as a CSV in the analysis upload area (columns tax_code, year,
first_treated and the outcome), as an AnalysisJob of kind IMPACT: progress, results, the event
study and the downloads are the uploaded panels' own. The command (`nscl impact --from-registry`)
estimates on the same CSV read back the same way, so it prints what `nscl impact` prints on it."""
from __future__ import annotations

import datetime
import io
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import FloatField
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from nscl.common.formatting import english
from nscl.enterprises.dossiers import COUNTED, Dossier
from nscl.enterprises.models import SupportContent, YearlyFigures
from nscl.productivity import firm, impact
from nscl.productivity.tables import read_table
from nscl.stats.deflators import DeflatorSeries

from .models import AnalysisJob

ID, TIME, FIRST = "tax_code", "year", "first_treated"
OUTCOMES = {
    "log_labour_productivity": _l("log năng suất lao động (giá trị tăng thêm / lao động)"),
    "log_revenue": _l("log doanh thu"),
    "log_employees": _l("log lao động bình quân"),
    "log_tfp": _l("log TFP doanh nghiệp (hàm sản xuất Levinsohn-Petrin)"),
}
DEFAULT_OUTCOME = "log_labour_productivity"
MIN_PER_COHORT = 5   # enterprises first supported in the same year, for that cohort to be estimated
MIN_CONTROLS = 10    # comparison enterprises (never treated, or not yet treated)
SOURCE = "registry"  # AnalysisJob.params["source"] of a registry job


class RegistryPanelError(ValueError):
    """The registry cannot give this panel or estimate (too few enterprises, missing deflator
    years...): the message says what there is and what is needed."""


@dataclass
class RegistryPanel:
    frame: pd.DataFrame            # tax_code, year, first_treated, <outcome>
    outcome: str
    years: tuple[int, int]
    content: SupportContent | None = None
    deflator: DeflatorSeries | None = None
    cohorts: list = field(default_factory=list)   # [{"year", "n", "used"}] of the complete enterprises
    n_never: int = 0
    n_incomplete: int = 0          # enterprises with figures in the window but not the outcome every year
    n_before: int = 0              # first supported in the window's first year or earlier: left out
    n_after: int = 0               # first supported after the window: untreated within it
    n_other_content: int = 0       # first supported with another content (by-content panels)
    support_total_vnd: int = 0     # support received by the panel's treated enterprises up to the last year
    tfp: dict | None = None        # the production function behind log_tfp

    @property
    def used_cohorts(self):
        return [c for c in self.cohorts if c["used"]]

    @property
    def n_treated(self) -> int:
        return sum(c["n"] for c in self.used_cohorts)

    def describe(self) -> dict:
        """What the panel holds, JSON-safe (kept in the job's parameters, shown on the pages)."""
        return {"outcome": self.outcome, "years": list(self.years), "n_firms": int(self.frame[ID].nunique()),
                "n_obs": int(len(self.frame)), "n_never": self.n_never, "n_treated": self.n_treated,
                "cohorts": self.cohorts, "n_incomplete": self.n_incomplete, "n_before": self.n_before,
                "n_after": self.n_after, "n_other_content": self.n_other_content,
                "content": self.content.code if self.content else "",
                "content_name": self.content.name if self.content else "",
                "content_name_en": self.content.name_en if self.content else "",
                "values": "real" if self.deflator else "nominal",
                "deflator": ({"id": self.deflator.pk, "name": self.deflator.name,
                              "base_year": self.deflator.base_year} if self.deflator else None),
                "support_total_vnd": int(self.support_total_vnd), "min_per_cohort": MIN_PER_COHORT,
                "min_controls": MIN_CONTROLS, "tfp": self.tfp}

    def csv_bytes(self) -> bytes:
        """The panel as the worker reads it (internal file, never served: numbers and checked tax codes)."""
        return self.frame.to_csv(index=False, float_format="%.17g").encode("utf-8")

    def job_params(self, control: str, estimator: str) -> dict:
        return {"id": ID, "time": TIME, "outcome": self.outcome, "first_treated": FIRST, "control": control,
                "estimator": estimator, "covariates": [], "source": SOURCE, "registry": self.describe()}


# ------------------------------------------------------------------------------- the panel


AMOUNTS = ("value_added", "revenue", "intermediate_costs", "employees", "fixed_assets", "materials")


def _figures() -> pd.DataFrame:
    """Every enterprise-year with the amounts as floats (cast by the database: no Decimal per cell)."""
    qs = YearlyFigures.objects.annotate(**{f"f_{c}": Cast(c, FloatField()) for c in AMOUNTS}).values_list(
        "enterprise_id", "enterprise__tax_code", "year", *[f"f_{c}" for c in AMOUNTS])
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:  # plain rows: half a million enterprise-years in seconds
        cur.execute(sql, params)
        rows = cur.fetchall()
    df = pd.DataFrame(rows, columns=["eid", ID, TIME, *AMOUNTS])
    for c in AMOUNTS:
        df[c] = df[c].astype(float)
    df["va"] = df["value_added"].where(df["value_added"].notna(), df["revenue"] - df["intermediate_costs"])
    return df


def default_years(figures: pd.DataFrame) -> tuple[int, int] | None:
    """From the first to the last year with at least half as many reporting enterprises as the best year."""
    counts = figures.groupby(TIME)["eid"].nunique()
    if counts.empty:
        return None
    good = counts[counts >= counts.max() / 2].index
    return int(good.min()), int(good.max())


def _treatment():
    """{enterprise id: (first year, {content codes accepted that year})} and each one's support by year."""
    first, support = {}, {}
    rows = (Dossier.objects.filter(status__in=COUNTED, accepted_on__isnull=False)
            .values_list("enterprise_id", "content__code", "accepted_on", "approved_amount", "paid_amount")
            .order_by("enterprise_id", "accepted_on"))
    for eid, code, day, approved, paid in rows:
        year = day.year
        if eid not in first:
            first[eid] = (year, {code})
        elif first[eid][0] == year:
            first[eid][1].add(code)
        amount = paid if paid is not None else approved
        support.setdefault(eid, []).append((year, int(amount or 0)))
    return first, support


def _outcome(df: pd.DataFrame, outcome: str, factor: pd.Series) -> pd.Series:
    with np.errstate(divide="ignore", invalid="ignore"):
        if outcome == "log_labour_productivity":
            ok = (df["va"] > 0) & (df["employees"] > 0)
            value = np.log(df["va"] / factor / df["employees"])
        elif outcome == "log_revenue":
            ok = df["revenue"] > 0
            value = np.log(df["revenue"] / factor)
        elif outcome == "log_employees":
            ok = df["employees"] > 0
            value = np.log(df["employees"])
        else:
            raise ValueError(outcome)
    return value.where(ok)


def _log_tfp(df: pd.DataFrame, factor: pd.Series) -> tuple[pd.Series, dict]:
    """Levinsohn-Petrin on every enterprise-year with value added, employees, fixed assets and
    materials all positive; log TFP where it is defined."""
    ok = (df["va"] > 0) & (df["employees"] > 0) & (df["fixed_assets"] > 0) & (df["materials"] > 0)
    data = pd.DataFrame({"firm": df.loc[ok, ID], "year": df.loc[ok, TIME],
                         "y": np.log(df.loc[ok, "va"] / factor[ok]), "l": np.log(df.loc[ok, "employees"]),
                         "k": np.log(df.loc[ok, "fixed_assets"] / factor[ok]),
                         "m": np.log(df.loc[ok, "materials"] / factor[ok])})
    if data["firm"].nunique() < MIN_CONTROLS:
        raise RegistryPanelError(_("TFP doanh nghiệp cần giá trị tăng thêm, lao động, tài sản cố định và nguyên vật "
                                   "liệu: chỉ %(n)d doanh nghiệp có đủ bốn số này.") % {"n": data["firm"].nunique()})
    try:
        res = firm.estimate(data, "lp", id="firm", time="year", output="y", free="l", state="k", proxy="m").fit()
    except (firm.FirmDataError, np.linalg.LinAlgError, ValueError) as e:
        raise RegistryPanelError(_("Không ước lượng được hàm sản xuất để tính TFP: %(e)s") % {"e": e}) from None
    tfp = res.log_tfp.rename(columns={"firm": ID, "time": TIME})[[ID, TIME, "log_tfp"]]
    merged = df[[ID, TIME]].merge(tfp, on=[ID, TIME], how="left")
    info = {"method": "lp", "coefficients": {"labour": float(res.params.iloc[0]), "capital": float(res.params.iloc[1])},
            "n_obs": int(res.n_obs)}
    return pd.Series(merged["log_tfp"].to_numpy(), index=df.index), info


def _factors(deflator, years) -> dict:
    if deflator is None:
        return {}
    factors = deflator.factors()
    missing = [y for y in range(years[0], years[1] + 1) if y not in factors]
    if missing:
        raise RegistryPanelError(_("Chỉ số giảm phát “%(name)s” thiếu các năm %(years)s: nhập đủ các năm %(a)d-%(b)d "
                                   "hoặc dùng giá hiện hành.") % {"name": deflator.name,
                                                                  "years": ", ".join(map(str, missing)),
                                                                  "a": years[0], "b": years[1]})
    return factors


def build_panel(outcome: str = DEFAULT_OUTCOME, content: SupportContent | None = None,
                deflator: DeflatorSeries | None = None, years: tuple[int, int] | None = None) -> RegistryPanel:
    """The enterprise × year panel of the registry (see the module docstring for every rule)."""
    if outcome not in OUTCOMES:
        raise RegistryPanelError(_("Chỉ tiêu “%(o)s” không có; chọn một trong: %(all)s.")
                                 % {"o": outcome, "all": ", ".join(OUTCOMES)})
    df = _figures()
    years = years or default_years(df)
    if years is None:
        raise RegistryPanelError(_("Sổ doanh nghiệp chưa có số liệu năm nào."))
    if years[1] - years[0] < 1:
        raise RegistryPanelError(_("Cần ít nhất hai năm số liệu (đang có %(a)d-%(b)d).") % {"a": years[0], "b": years[1]})
    df = df[(df[TIME] >= years[0]) & (df[TIME] <= years[1])].reset_index(drop=True)
    factors = _factors(deflator, years)
    factor = df[TIME].map(factors).astype(float) if factors else pd.Series(1.0, index=df.index)
    tfp = None
    if outcome == "log_tfp":
        df[outcome], tfp = _log_tfp(df, factor)
    else:
        df[outcome] = _outcome(df, outcome, factor)
    first, support = _treatment()
    panel = RegistryPanel(frame=df.iloc[0:0], outcome=outcome, years=years, content=content, deflator=deflator, tfp=tfp)
    df["g"] = df["eid"].map(lambda e: first[e][0] if e in first else 0)
    if content is not None:
        other = df["eid"].map(lambda e: e in first and content.code not in first[e][1])
        panel.n_other_content = int(df.loc[other, "eid"].nunique())
        df = df[~other]
    n_years = years[1] - years[0] + 1
    complete = df[df[outcome].notna()].groupby("eid")[TIME].nunique()
    complete = set(complete[complete == n_years].index)
    panel.n_incomplete = int(df["eid"].nunique() - len(complete))
    df = df[df["eid"].isin(complete)]
    firms = df.drop_duplicates("eid").set_index("eid")["g"]
    before = firms[(firms > 0) & (firms <= years[0])].index
    panel.n_before = len(before)
    after = firms[firms > years[1]].index
    panel.n_after = len(after)
    firms = firms.drop(before)
    firms[firms > years[1]] = 0
    counts = firms[firms > 0].value_counts().sort_index()
    panel.cohorts = [{"year": int(g), "n": int(n), "used": bool(n >= MIN_PER_COHORT)} for g, n in counts.items()]
    small = set(counts[counts < MIN_PER_COHORT].index)
    firms = firms[~firms.isin(small)]
    panel.n_never = int((firms == 0).sum())
    df = df[df["eid"].isin(firms.index)].copy()
    df[FIRST] = df["eid"].map(firms).astype(int)
    panel.frame = df[[ID, TIME, FIRST, outcome]].sort_values([ID, TIME], kind="mergesort").reset_index(drop=True)
    panel.support_total_vnd = sum(amount for eid, g in firms.items() if g > 0
                                  for year, amount in support.get(eid, []) if year <= years[1])
    return panel


def check_numbers(panel: RegistryPanel, control: str) -> None:
    """Refuse an estimate without enough enterprises, saying how many there are and are needed."""
    if not panel.used_cohorts:
        have = "; ".join(_("năm %(y)d: %(n)d") % {"y": c["year"], "n": c["n"]} for c in panel.cohorts) or _("không có")
        raise RegistryPanelError(
            _("Không có năm hỗ trợ đầu tiên nào có đủ %(min)d doanh nghiệp được hỗ trợ với số liệu đủ các năm "
              "%(a)d-%(b)d (đang có: %(have)s). Cần ít nhất %(min)d doanh nghiệp cho một năm.")
            % {"min": MIN_PER_COHORT, "a": panel.years[0], "b": panel.years[1], "have": have})
    if control == "never":
        if panel.n_never < MIN_CONTROLS:
            raise RegistryPanelError(
                _("Chỉ có %(n)d doanh nghiệp chưa từng được hỗ trợ có số liệu đủ các năm %(a)d-%(b)d để so sánh; cần ít "
                  "nhất %(min)d (hoặc chọn nhóm đối chứng “chưa được hỗ trợ tính đến năm đó”).")
                % {"n": panel.n_never, "a": panel.years[0], "b": panel.years[1], "min": MIN_CONTROLS})
    else:
        earliest = panel.used_cohorts[0]["year"]
        later = sum(c["n"] for c in panel.used_cohorts if c["year"] > earliest)
        if panel.n_never + later < MIN_CONTROLS:
            raise RegistryPanelError(
                _("Chỉ có %(n)d doanh nghiệp chưa được hỗ trợ vào năm %(y)d (chưa từng được hỗ trợ hoặc được hỗ trợ sau) "
                  "để so sánh; cần ít nhất %(min)d.") % {"n": panel.n_never + later, "y": earliest, "min": MIN_CONTROLS})


# ------------------------------------------------------------------------------- estimates


def estimate(panel: RegistryPanel, control: str = "never", estimator: str = "dr") -> impact.ImpactResults:
    """Callaway & Sant'Anna on the panel's CSV read back as `nscl impact` reads a file."""
    check_numbers(panel, control)
    data = read_table(io.BytesIO(panel.csv_bytes()), "panel.csv")
    return impact.CallawaySantAnna(data, id=ID, time=TIME, outcome=panel.outcome, first_treated=FIRST,
                                   control=control, estimator=estimator).fit()


def start_job(panel: RegistryPanel, control: str, estimator: str, user, start=None) -> AnalysisJob:
    """An impact AnalysisJob on the panel's CSV, started in the background worker."""
    from . import runner

    check_numbers(panel, control)
    params = panel.job_params(control, estimator)
    with translation.override("vi"):  # stored in Vietnamese; a page says it in its reader's language (job_title)
        title = job_title(params)
    job = AnalysisJob(kind=AnalysisJob.Kind.IMPACT, title=title[:200], created_by=user,
                      columns=[ID, TIME, FIRST, panel.outcome], n_rows=len(panel.frame),
                      params=params)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    job.input_file.save(f"so-doanh-nghiep-{stamp}.csv", ContentFile(panel.csv_bytes()), save=False)
    job.save()
    (start or runner.start)(job)
    return job


def job_title(params: dict) -> str | None:
    """The title of a registry job in the current language, from its parameters (None: not a registry
    job, or one whose outcome this version no longer knows)."""
    if (params or {}).get("source") != SOURCE or params.get("outcome") not in OUTCOMES:
        return None
    d = params.get("registry") or {}
    if len(d.get("years") or []) != 2:
        return None
    title = _("Tác động của hỗ trợ (sổ doanh nghiệp): %(o)s, %(a)d-%(b)d") % {
        "o": OUTCOMES[params["outcome"]], "a": int(d["years"][0]), "b": int(d["years"][1])}
    name = outcome_content_name(d)
    return f"{title} — {name}" if name else title


def outcome_content_name(d: dict) -> str:
    """The support content a registry panel was limited to, in the current language ('' for every content)."""
    if not d.get("content"):
        return ""
    en = english(translation.get_language())
    return (d.get("content_name_en") if en and d.get("content_name_en") else d.get("content_name")) or d["content"]


def outcome_label(params: dict) -> str | None:
    """The outcome of a registry job in words, in the current language (None for an uploaded panel's
    column, which is the user's own name)."""
    if (params or {}).get("source") == SOURCE and params.get("outcome") in OUTCOMES:
        return str(OUTCOMES[params["outcome"]])
    return None


def registry_jobs(qs=None):
    """Impact jobs made from the registry (newest first)."""
    qs = AnalysisJob.objects.all() if qs is None else qs
    return qs.filter(kind=AnalysisJob.Kind.IMPACT, params__source=SOURCE)


def latest_effect() -> dict | None:
    """The latest finished registry estimate on labour productivity over every support content, for
    cost-effectiveness (programme.costs): the simple ATT and its 95% interval, the support the treated
    enterprises received and how many they are."""
    jobs = registry_jobs().filter(status=AnalysisJob.Status.DONE).order_by("-finished_at", "-pk")
    for job in jobs[:50]:
        info = (job.params or {}).get("registry") or {}
        if job.params.get("outcome") != DEFAULT_OUTCOME or info.get("content") or not job.result:
            continue
        simple = job.result["aggregations"]["simple"]
        if not all(isinstance(simple.get(k), (int, float)) and math.isfinite(simple[k]) for k in ("att", "lower", "upper")):
            continue
        return {"att": float(simple["att"]), "ci_low": float(simple["lower"]), "ci_high": float(simple["upper"]),
                "outcome": DEFAULT_OUTCOME, "job_id": job.pk, "finished_at": job.finished_at,
                "support_total_vnd": int(info.get("support_total_vnd") or 0), "n_treated": int(info.get("n_treated") or 0)}
    return None


def content_groups() -> list[dict]:
    """Support contents that enterprises received first, with how many and whether one year's
    group reaches MIN_PER_COHORT (before the figures are checked: the panel decides in the end)."""
    first, _support = _treatment()
    by = {}
    for year, codes in first.values():
        for code in codes:
            by.setdefault(code, {}).setdefault(year, 0)
            by[code][year] += 1
    names = {c: (name, name_en) for c, name, name_en in
             SupportContent.objects.filter(code__in=list(by)).values_list("code", "name", "name_en")}
    out = [{"code": code, "name": names.get(code, (code,))[0], "name_en": names.get(code, ("", ""))[1],
            "n": sum(years.values()),
            "large_enough": max(years.values()) >= MIN_PER_COHORT} for code, years in by.items()]
    return sorted(out, key=lambda g: (-g["n"], g["code"]))
