"""Impact of the support: staggered difference-in-differences (Callaway & Sant'Anna 2021).

Group-time average treatment effects ATT(g, t) and their simple, group, dynamic (event-study) and
calendar aggregations, with never-treated or not-yet-treated controls and doubly robust,
outcome-regression or inverse-probability-weighting estimators, optional covariates; analytic
(influence-function) standard errors, base period "varying" as in R's did.

The computation is the `moderndid` package: it reproduces R did 2.5.0 on the four reference
scenarios shipped in tests/data/did to machine precision (tests/productivity/test_impact.py), which
none of the other candidates tried (csdid, differences, diff-diff) was chosen over because it mirrors
R's API and defaults one to one. This module validates the input, names bad columns and firms, and
returns plain, documented structures.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import pandas as pd

from .tables import unit_list

CONTROLS = {"never": "nevertreated", "notyet": "notyettreated"}
ESTIMATORS = ("dr", "reg", "ipw")
AGGREGATIONS = ("simple", "group", "dynamic", "calendar")


class ImpactDataError(ValueError):
    pass


@dataclass
class ImpactResults:
    att_gt: list          # [{"group", "time", "att", "se"}]
    aggregations: dict    # type -> {"att", "se", and for non-simple "by": [{"e"|"group"|"time", "att", "se"}]}
    n_units: int
    n_obs: int
    control: str
    estimator: str

    def to_dict(self) -> dict:
        return {"att_gt": self.att_gt, "aggregations": self.aggregations, "n_units": self.n_units,
                "n_obs": self.n_obs, "control": self.control, "estimator": self.estimator}

    def summary(self) -> str:
        lines = [f"Callaway & Sant'Anna (2021): control {self.control}, estimator {self.estimator}, "
                 f"{self.n_units} units, {self.n_obs} observations",
                 f"{'group':>6} {'time':>6} {'ATT':>9} {'SE':>8}"]
        for r in self.att_gt:
            lines.append(f"{r['group']:>6} {r['time']:>6} {r['att']:9.4f} {r['se']:8.4f}")
        for name, agg in self.aggregations.items():
            lines.append(f"{name:>9}: ATT {agg['att']:.4f} (SE {agg['se']:.4f})")
        return "\n".join(lines)


def _check(data, id, time, outcome, first_treated, covariates):
    cols = [id, time, outcome, first_treated, *covariates]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ImpactDataError(f"Thiếu cột: {', '.join(missing)}.")
    df = data[cols].copy()
    for c in cols[1:]:
        v = pd.to_numeric(df[c], errors="coerce")
        bad = v.isna() & ~(df[c].isna() & (c == first_treated))
        if bad.any():
            raise ImpactDataError(f"Cột {c}: giá trị trống hoặc không phải số (đơn vị {unit_list(df.loc[bad, id])}).")
        df[c] = v
    df[first_treated] = df[first_treated].fillna(0)
    if df.duplicated([id, time]).any():
        row = df[df.duplicated([id, time])].iloc[0]
        raise ImpactDataError(f"Đơn vị {row[id]} có hai dòng cho năm {int(row[time])}.")
    varying = df.groupby(id)[first_treated].nunique()
    if (varying > 1).any():
        raise ImpactDataError(f"Cột {first_treated}: năm được hỗ trợ đầu tiên phải cố định cho mỗi đơn vị "
                              f"(khác nhau ở {unit_list(pd.Series(varying[varying > 1].index))}).")
    if df[time].nunique() < 2:
        raise ImpactDataError("Cần ít nhất hai năm.")
    groups = set(df[first_treated].unique()) - {0}
    if not groups:
        raise ImpactDataError(f"Cột {first_treated}: không có đơn vị nào được hỗ trợ.")
    return df


def callaway_santanna(data: pd.DataFrame, id: str, time: str, outcome: str, first_treated: str,
                      control: str = "never", estimator: str = "dr", covariates=None) -> ImpactResults:
    import moderndid

    covariates = [c for c in (covariates or []) if c]
    if control not in CONTROLS:
        raise ImpactDataError(f"Nhóm đối chứng “{control}” không có; chọn never hoặc notyet.")
    if estimator not in ESTIMATORS:
        raise ImpactDataError(f"Ước lượng “{estimator}” không có; chọn dr, reg hoặc ipw.")
    df = _check(data, id, time, outcome, first_treated, covariates)
    if control == "never" and not (df[first_treated] == 0).any():
        raise ImpactDataError("Không có đơn vị nào chưa từng được hỗ trợ để làm đối chứng: dùng --control notyet.")
    xformla = "~" + "+".join(covariates) if covariates else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = moderndid.att_gt(df, yname=outcome, tname=time, idname=id, gname=first_treated, xformla=xformla,
                                   control_group=CONTROLS[control], est_method=estimator, boot=False, cband=False)
            aggs = {typ: moderndid.aggte(res, type=typ, boot=False, cband=False) for typ in AGGREGATIONS}
        except Exception as e:  # noqa: BLE001 - the library's own messages are in English; wrap them
            raise ImpactDataError(f"Không ước lượng được: {e}") from None
    att_gt = [{"group": int(g), "time": int(t), "att": float(a), "se": float(s)}
              for g, t, a, s in zip(res.groups, res.times, res.att_gt, res.se_gt)]
    key = {"group": "group", "dynamic": "e", "calendar": "time"}
    out = {}
    for typ, a in aggs.items():
        entry = {"att": float(a.overall_att), "se": float(a.overall_se)}
        if typ != "simple":
            entry["by"] = [{key[typ]: (int(e) if float(e).is_integer() else float(e)), "att": float(v), "se": float(s)}
                           for e, v, s in zip(a.event_times, a.att_by_event, a.se_by_event)]
        out[typ] = entry
    return ImpactResults(att_gt, out, int(df[id].nunique()), int(len(df)), control, estimator)


def first_support_year(supports: pd.DataFrame, id: str = "tax_code", year: str = "year") -> pd.Series:
    """Year of each firm's first accepted support (the treatment year); firms never supported get 0."""
    return supports.groupby(id)[year].min()


def ci(att: float, se: float, level: float = 0.95) -> tuple[float, float]:
    from scipy.stats import norm

    z = norm.ppf(0.5 + level / 2)
    return att - z * se, att + z * se


