"""Impact of the support: staggered difference-in-differences (Callaway & Sant'Anna 2021).

Group-time average treatment effects ATT(g, t) and their simple, group, dynamic (event-study) and
calendar aggregations, with never-treated or not-yet-treated controls and doubly robust,
outcome-regression or inverse-probability-weighting estimators, optional covariates. Inference as R's
did offers it: analytic (influence-function) standard errors by default, or the multiplier bootstrap
(``bootstrap=`` iterations) with simultaneous (uniform) confidence bands for the event study and the
group and calendar aggregations, clustered by a chosen column (``cluster=``, bootstrap only, as in R);
anticipation periods and a "varying" or "universal" base period. A bootstrap run records its seed
(drawn when none is given), so a published estimate reproduces exactly.

The sample is said, not guessed: the estimate runs on a balanced panel (every unit in every year,
as R's did does unless allow_unbalanced_panel=TRUE). The units observed in only some years are left
out *here*, before the library sees them, and the result carries the units and rows actually used and
those left out with why (``sample``): an officer never publishes "400 firms" for an estimate on 280.
The library's own warnings become the result's ``messages`` (Vietnamese and English) instead of
being silenced. (moderndid 0.2.0's unbalanced option fails inside the library, and the releases
that fix it need Python 3.12: an unbalanced estimate waits for that upgrade.)

The computation is the `moderndid` package: it reproduces R did 2.5.0 on the four reference
scenarios shipped in tests/data/did to machine precision (tests/productivity/test_impact.py), which
none of the other candidates tried (csdid, differences, diff-diff) was chosen over because it mirrors
R's API and defaults one to one. This module validates the input, names bad columns and firms, and
returns plain, documented structures.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import methods
from .results import DEFAULT_LEVEL, ResultsContract, as_series, interval, json_safe
from .tables import unit_list

MODERNDID_CONTROL = {"never": "nevertreated", "notyet": "notyettreated"}
CONTROLS = methods.codes(methods.CONTROL_GROUPS)
ESTIMATORS = methods.codes(methods.IMPACT_ESTIMATORS)
AGGREGATIONS = methods.codes(methods.AGGREGATIONS)
BY_KEY = {"group": "group", "dynamic": "e", "calendar": "time"}
BAND_LEVEL = 0.95  # moderndid's simultaneous bands (alp = 0.05)


class ImpactDataError(ValueError):
    """Input that cannot be estimated; the message names the column (and units). `field` is the
    argument concerned when there is one (e.g. "control"), so a front end can add its own hint."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class ImpactResults(ResultsContract):
    """``params``: the group-time effects ATT(g, t), named "ATT(g,t)"; ``att_gt`` and
    ``aggregations`` as plain rows (without intervals); ``event_study()`` the dynamic aggregation with
    its confidence intervals; ``to_dict()`` every row with its interval."""

    att_gt: list          # [{"group", "time", "att", "se"}]
    aggregations: dict    # type -> {"att", "se", and for non-simple "by": [{"e"|"group"|"time", "att", "se"}]}
    n_units: int          # the units and rows the estimate actually used
    n_obs: int
    control: str
    estimator: str
    sample: dict = field(default_factory=dict)   # see PanelSample.to_dict
    messages: list = field(default_factory=list)  # [{"vi", "en"}]: what the library warned about
    inference: dict = field(default_factory=dict)  # see CallawaySantAnna.inference

    @property
    def params(self) -> pd.Series:
        names = [f"ATT({r['group']},{r['time']})" for r in self.att_gt]
        return as_series([r["att"] for r in self.att_gt], names)

    @property
    def std_errors(self) -> pd.Series:
        return as_series([r["se"] for r in self.att_gt], self.params.index)

    def event_study(self, level: float = DEFAULT_LEVEL) -> pd.DataFrame:
        """Columns e (years since the first support), att, se, lower, upper: a simultaneous band
        (every year's effect inside it at once, at BAND_LEVEL whatever `level` says) when the run
        bootstrapped, pointwise intervals at `level` otherwise."""
        dyn = self.aggregations["dynamic"]
        rows = [_with_interval(r, level, dyn.get("crit_val")) for r in dyn["by"]]
        return pd.DataFrame(rows, columns=["e", "att", "se", "lower", "upper"])

    def to_dict(self, level: float = DEFAULT_LEVEL) -> dict:
        aggs = {}
        for typ in AGGREGATIONS:
            a = self.aggregations[typ]
            entry = _with_interval({"att": a["att"], "se": a["se"]}, level)
            if "by" in a:
                entry["by"] = [_with_interval(r, level, a.get("crit_val")) for r in a["by"]]
                entry["band"] = "uniform" if a.get("crit_val") else "pointwise"
                if a.get("crit_val"):  # the bootstrap's band is at 95% whatever `level` the intervals use
                    entry["crit_val"], entry["band_level"] = a["crit_val"], BAND_LEVEL
            aggs[typ] = entry
        out = {"att_gt": [_with_interval(r, level) for r in self.att_gt], "aggregations": aggs,
               "n_units": self.n_units, "n_obs": self.n_obs, "control": self.control, "estimator": self.estimator,
               "aggregation_order": list(AGGREGATIONS), "event_study": aggs["dynamic"]["by"], "level": level,
               "sample": self.sample, "messages": self.messages, "inference": self.inference}
        out.update(self.contract_dict(level))
        return json_safe(out)

    def summary(self) -> str:
        used = f"{self.n_units} units, {self.n_obs} observations"
        left = self.sample.get("n_units_dropped")
        if left:
            used += f" (of {self.sample['n_units_input']} units: {left} left out, observed in only some years)"
        inf = self.inference
        how = (f"multiplier bootstrap {inf['bootstrap']} draws, seed {inf['seed']}, uniform bands"
               + (f", clustered by {inf['cluster']}" if inf.get("cluster") else "")) if inf.get("bootstrap") else "analytic SE"
        lines = [f"Callaway & Sant'Anna (2021): control {self.control}, estimator {self.estimator}, {used}",
                 f"inference: {how}; anticipation {inf.get('anticipation', 0)}, base period {inf.get('base_period', 'varying')}",
                 *[f"note: {m['en']}" for m in self.messages],
                 f"{'group':>6} {'time':>6} {'ATT':>9} {'SE':>8}"]
        for r in self.att_gt:
            lines.append(f"{r['group']:>6} {r['time']:>6} {r['att']:9.4f} {r['se']:8.4f}")
        for name, agg in self.aggregations.items():
            lines.append(f"{name:>9}: ATT {agg['att']:.4f} (SE {agg['se']:.4f})")
        return "\n".join(lines)


def _with_interval(row: dict, level: float, crit_val: float | None = None) -> dict:
    """The row with its interval: att ± crit_val·se for a simultaneous band, else pointwise at `level`."""
    if crit_val:
        return {**row, "lower": row["att"] - crit_val * row["se"], "upper": row["att"] + crit_val * row["se"]}
    lo, hi = interval(row["att"], row["se"], level)
    return {**row, "lower": lo, "upper": hi}


def _check(data, id, time, outcome, first_treated, covariates, cluster=None):
    """The checked estimation frame; the unit identifiers replaced by integer codes 1..n (moderndid
    needs numeric ones; text identifiers such as "DN001" are fine here). Messages name the units by
    their own identifiers."""
    cols = [id, time, outcome, first_treated, *covariates]
    missing = [c for c in cols + ([cluster] if cluster else []) if c not in data.columns]
    if missing:
        raise ImpactDataError(f"Thiếu cột: {', '.join(missing)}.", field="cluster" if missing == [cluster] else None)
    df = data[list(dict.fromkeys(cols + ([cluster] if cluster else [])))].copy()
    if cluster and cluster != id:
        if cluster in cols:
            raise ImpactDataError(f"Cột {cluster} đã dùng cho năm, kết quả, năm được hỗ trợ hoặc biến kiểm soát: "
                                  "chọn một cột khác để nhóm sai số chuẩn (ví dụ xã/phường).", field="cluster")
        if df[cluster].isna().any():
            raise ImpactDataError(f"Cột {cluster} (nhóm tính sai số chuẩn): {int(df[cluster].isna().sum())} dòng trống.",
                                  field="cluster")
        if (df.groupby(id)[cluster].nunique() > 1).any():
            raise ImpactDataError(f"Cột {cluster} (nhóm tính sai số chuẩn) phải cố định cho mỗi đơn vị.", field="cluster")
        df[cluster] = pd.factorize(df[cluster])[0].astype(np.int64) + 1
    if df[id].isna().any():
        raise ImpactDataError(f"Cột {id}: {int(df[id].isna().sum())} dòng không có mã đơn vị.")
    for c in cols[1:]:
        v = pd.to_numeric(df[c], errors="coerce")
        bad = v.isna() & ~(df[c].isna() & (c == first_treated))
        if bad.any():
            raise ImpactDataError(f"Cột {c}: giá trị trống hoặc không phải số (đơn vị {unit_list(df.loc[bad, id])}).")
        df[c] = v
    df[first_treated] = df[first_treated].fillna(0)
    if df.duplicated([id, time]).any():
        row = df[df.duplicated([id, time])].iloc[0]
        raise ImpactDataError(f"Đơn vị {unit_list(pd.Series([row[id]]))} có hai dòng cho năm {int(row[time])}.")
    varying = df.groupby(id)[first_treated].nunique()
    if (varying > 1).any():
        raise ImpactDataError(f"Cột {first_treated}: năm được hỗ trợ đầu tiên phải cố định cho mỗi đơn vị "
                              f"(khác nhau ở {unit_list(pd.Series(varying[varying > 1].index))}).")
    if df[time].nunique() < 2:
        raise ImpactDataError("Cần ít nhất hai năm.")
    groups = set(df[first_treated].unique()) - {0}
    if not groups:
        raise ImpactDataError(f"Cột {first_treated}: không có đơn vị nào được hỗ trợ.")
    codes, originals = pd.factorize(df[id])
    df[id] = codes.astype(np.int64) + 1
    return df, originals


def balance(df: pd.DataFrame, id: str, time: str, originals) -> tuple[pd.DataFrame, dict]:
    """The units observed in every year of the panel, and the sample in words: units and rows given,
    used, and left out (with some of their identifiers)."""
    years = df[time].nunique()
    per_unit = df.groupby(id)[time].nunique()
    partial = per_unit.index[per_unit < years]
    kept = df[~df[id].isin(partial)]
    sample = {"panel": "balanced", "years": [int(df[time].min()), int(df[time].max())], "n_years": int(years),
              "n_units_input": int(df[id].nunique()), "n_obs_input": int(len(df)),
              "n_units": int(kept[id].nunique()), "n_obs": int(len(kept)), "n_units_dropped": int(len(partial)),
              "n_obs_dropped": int(len(df) - len(kept)),
              "dropped_reason": "incomplete_years" if len(partial) else "",
              "dropped_examples": [str(originals[c - 1]) for c in sorted(partial)[:10]]}
    return kept, sample


def _messages(caught) -> list[dict]:
    """The library's warnings as the user's messages (known ones translated; others quoted)."""
    out, seen = [], set()
    for w in caught:
        text = str(w.message).strip()
        if not text or text in seen:
            continue
        seen.add(text)
        low = text.lower()
        if "not enough control units" in low or "no units in the comparison group" in low:
            vi = f"Thư viện ước lượng cảnh báo: thiếu đơn vị đối chứng cho một số nhóm-năm ({text})."
        elif "singular" in low or "overlap" in low or "propensity" in low:
            vi = f"Thư viện ước lượng cảnh báo về điểm xu hướng (propensity score) ({text})."
        else:
            vi = f"Thư viện ước lượng cảnh báo: {text}"
        out.append({"vi": vi, "en": f"The estimation library warned: {text}"})
    return out


class CallawaySantAnna:
    """Callaway & Sant'Anna (2021) on a panel `data` (columns named by the arguments; `first_treated`
    0 or empty for units never supported). `control`, `estimator`: codes of the registry's
    CONTROL_GROUPS and IMPACT_ESTIMATORS."""

    def __init__(self, data: pd.DataFrame, id: str, time: str, outcome: str, first_treated: str,
                 control: str = "never", estimator: str = "dr", covariates=None, *, bootstrap: int = 0,
                 seed: int | None = None, cluster: str | None = None, anticipation: int = 0,
                 base_period: str = "varying"):
        self.covariates = [c for c in (covariates or []) if c]
        if bootstrap and not 99 <= bootstrap <= 100_000:
            raise ImpactDataError("Số lần lấy mẫu lại (bootstrap) phải từ 99 đến 100.000, hoặc 0 để dùng sai số giải tích.",
                                  field="bootstrap")
        if cluster and not bootstrap:
            raise ImpactDataError("Sai số chuẩn theo nhóm (cluster) cần bootstrap: chọn số lần lấy mẫu lại, ví dụ 999.",
                                  field="cluster")
        if anticipation < 0 or anticipation > 5:
            raise ImpactDataError("Số năm dự kiến trước (anticipation) phải từ 0 đến 5.", field="anticipation")
        if base_period not in ("varying", "universal"):
            raise ImpactDataError("Năm gốc so sánh phải là varying hoặc universal.", field="base_period")
        if bootstrap and seed is None:
            seed = int(np.random.SeedSequence().entropy % 2**31)  # drawn, then recorded: the run reproduces
        self.inference = {"bootstrap": int(bootstrap), "seed": seed if bootstrap else None,
                          "cluster": cluster or None, "anticipation": int(anticipation), "base_period": base_period,
                          "band": "uniform" if bootstrap else "pointwise"}
        if control not in CONTROLS:
            raise ImpactDataError(f"Nhóm đối chứng “{control}” không có; chọn một trong: {', '.join(CONTROLS)}.",
                                  field="control")
        if estimator not in ESTIMATORS:
            raise ImpactDataError(f"Ước lượng “{estimator}” không có; chọn một trong: {', '.join(ESTIMATORS)}.",
                                  field="estimator")
        self.id, self.time, self.outcome, self.first_treated = id, time, outcome, first_treated
        self.control, self.estimator = control, estimator
        checked, originals = _check(data, id, time, outcome, first_treated, self.covariates, cluster)
        self.data, self.sample = balance(checked, id, time, originals)
        if self.sample["n_units"] == 0:
            raise ImpactDataError(f"Không đơn vị nào có số liệu đủ cả {self.sample['n_years']} năm "
                                  f"({self.sample['years'][0]}-{self.sample['years'][1]}): bảng cân bằng trống.")
        if not (self.data[first_treated] != 0).any():
            raise ImpactDataError(f"Sau khi bỏ {self.sample['n_units_dropped']} đơn vị thiếu số liệu một số năm, "
                                  "không còn đơn vị nào được hỗ trợ.")
        if control == "never" and not (self.data[first_treated] == 0).any():
            raise ImpactDataError("Không có đơn vị nào chưa từng được hỗ trợ để làm đối chứng: hãy lấy nhóm đối chứng "
                                  "là các đơn vị chưa được hỗ trợ tính đến năm đó (notyet).", field="control")

    def fit(self) -> ImpactResults:
        import moderndid

        df, cov, inf = self.data, self.covariates, self.inference
        xformla = "~" + "+".join(cov) if cov else None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                res = moderndid.att_gt(df, yname=self.outcome, tname=self.time, idname=self.id, gname=self.first_treated,
                                       xformla=xformla, control_group=MODERNDID_CONTROL[self.control],
                                       est_method=self.estimator, **self._inference_options(),
                                       anticipation=inf["anticipation"], base_period=inf["base_period"])
                aggs = {typ: moderndid.aggte(res, type=typ, **self._inference_options()) for typ in AGGREGATIONS}
            except Exception as e:  # noqa: BLE001 - the library's own messages are in English; wrap them
                raise ImpactDataError(f"Không ước lượng được: {e}") from None
        att_gt = [{"group": int(g), "time": int(t), "att": float(a), "se": float(s)}
                  for g, t, a, s in zip(res.groups, res.times, res.att_gt, res.se_gt)]
        out = {}
        for typ, a in aggs.items():
            entry = {"att": float(a.overall_att), "se": float(a.overall_se)}
            if typ != "simple":
                entry["by"] = [{BY_KEY[typ]: (int(e) if float(e).is_integer() else float(e)), "att": float(v),
                                "se": float(s)} for e, v, s in zip(a.event_times, a.att_by_event, a.se_by_event)]
                crit = getattr(a, "critical_values", None)
                if inf["bootstrap"] and crit is not None and len(crit) and np.isfinite(crit[0]):
                    entry["crit_val"] = float(crit[0])  # one value for the whole band
            out[typ] = entry
        messages = _messages([w for w in caught if not issubclass(w.category, (DeprecationWarning, FutureWarning))])
        return ImpactResults(att_gt, out, int(df[self.id].nunique()), int(len(df)), self.control, self.estimator,
                             sample=dict(self.sample), messages=messages, inference=dict(inf))

    def _inference_options(self) -> dict:
        """moderndid's options for the chosen inference (the same for att_gt and every aggte)."""
        inf = self.inference
        if not inf["bootstrap"]:
            return {"boot": False, "cband": False}
        return {"boot": True, "cband": True, "biters": inf["bootstrap"], "random_state": inf["seed"],
                "clustervars": [inf["cluster"]] if inf["cluster"] else None}


def callaway_santanna(data: pd.DataFrame, id: str, time: str, outcome: str, first_treated: str,
                      control: str = "never", estimator: str = "dr", covariates=None, **inference) -> ImpactResults:
    """``CallawaySantAnna(...).fit()`` in one call (`inference`: bootstrap, seed, cluster, anticipation,
    base_period)."""
    return CallawaySantAnna(data, id, time, outcome, first_treated, control, estimator, covariates, **inference).fit()
