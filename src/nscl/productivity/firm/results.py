"""What a production-function fit returns: coefficients, standard errors, firm TFP and its distribution."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import methods
from ..results import ResultsContract, as_series, json_safe
from .panel import Panel

TFP_BINS = 40


@dataclass
class ProductivityResults(ResultsContract):
    """``params`` and ``std_errors`` are Series indexed by input name (arrays are converted);
    ``log_tfp`` the firm-year TFP table; ``tfp_distribution()`` its histogram and quantiles."""

    method: str
    names: list
    params: pd.Series
    std_errors: pd.Series | None
    n_obs: int
    n_firms: int
    criterion: float | None
    converged: bool
    optimizer: dict = field(default_factory=dict)
    bootstrap: dict = field(default_factory=lambda: {"reps": 0, "failed": 0})
    log_tfp: pd.DataFrame | None = None
    diagnostics: dict = field(default_factory=dict)   # see estimators.diagnostics (for interpret.firm_notes)

    def __post_init__(self):
        self.names = list(self.names)
        self.params = as_series(self.params, self.names)
        self.std_errors = as_series(self.std_errors, self.names)

    @property
    def coefficients(self) -> dict:
        return dict(zip(self.names, map(float, self.params)))

    def tfp_distribution(self, bins: int = TFP_BINS) -> dict | None:
        """Histogram (counts, edges), mean, sd, p10, p50 and p90 of the firm-year log TFP."""
        if self.log_tfp is None or not len(self.log_tfp):
            return None
        tfp = self.log_tfp["log_tfp"].to_numpy(float)
        tfp = tfp[np.isfinite(tfp)]
        if not len(tfp):
            return None
        counts, edges = np.histogram(tfp, bins=bins)
        return {"counts": counts.tolist(), "edges": edges.tolist(), "mean": float(tfp.mean()), "sd": float(tfp.std()),
                "p10": float(np.percentile(tfp, 10)), "p50": float(np.median(tfp)), "p90": float(np.percentile(tfp, 90))}

    def to_dict(self) -> dict:
        se = None if self.std_errors is None else dict(zip(self.names, self.std_errors.tolist()))
        out = {"method": self.method, "coefficients": self.coefficients, "std_errors": se, "n_obs": self.n_obs,
               "n_firms": self.n_firms, "criterion": None if self.criterion is None else float(self.criterion),
               "converged": self.converged, "bootstrap": self.bootstrap, "optimizer": self.optimizer}
        c = self.contract_dict()
        out.update(names=c["names"], params=c["params"], conf_int=c["conf_int"],
                   tfp_distribution=self.tfp_distribution(), summary=self.summary(), diagnostics=self.diagnostics)
        return json_safe(out)

    def summary(self, language: str = "en") -> str:
        """The coefficient table in words of `language` ("en", the command line's; "vi")."""
        se = None if self.std_errors is None else dict(zip(self.names, self.std_errors.tolist()))
        return summary_text({"method": self.method, "names": self.names, "coefficients": self.coefficients,
                             "std_errors": se, "n_obs": self.n_obs, "n_firms": self.n_firms,
                             "criterion": self.criterion, "converged": self.converged, "bootstrap": self.bootstrap,
                             "optimizer": self.optimizer}, language)


_WORDS = {
    "en": {"obs": "obs", "firms": "firms", "criterion": "criterion", "coef": "coef", "se": "std. err.", "z": "z",
           "boot": "bootstrap over firms: {reps} draws, {failed} failed",
           "analytic": "analytic standard errors (no bootstrap)",
           "not_converged": "WARNING: the optimiser did not report convergence",
           "other": "other local minimum: {params} criterion {criterion}",
           "tied": "NOTE: several minima reach the same criterion; the one with all elasticities in (0, 1) was kept"},
    "vi": {"obs": "quan sát", "firms": "doanh nghiệp", "criterion": "hàm mục tiêu", "coef": "hệ số",
           "se": "sai số chuẩn", "z": "z",
           "boot": "bootstrap theo doanh nghiệp: {reps} lần, {failed} lần lỗi",
           "analytic": "sai số chuẩn giải tích (không bootstrap)",
           "not_converged": "CẢNH BÁO: thuật toán tối ưu không báo hội tụ",
           "other": "cực tiểu địa phương khác: {params}, hàm mục tiêu {criterion}",
           "tied": "LƯU Ý: nhiều cực tiểu đạt cùng giá trị hàm mục tiêu; giữ nghiệm có mọi hệ số co giãn trong (0; 1)"},
}


def _number(v) -> float | None:
    """A stored number as a finite float, else None: JSON gives back None for NaN and ±inf, and
    PostgreSQL's jsonb an int for a float of integral value (any float beyond 2⁵³), which numpy
    cannot test."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    try:
        v = float(v)
    except OverflowError:
        return None
    return v if math.isfinite(v) else None


def summary_text(d: dict, language: str = "en") -> str:
    """The summary of a fit from its ``to_dict()`` (stored results are rendered without refitting);
    Vietnamese (``language="vi"``) with decimal commas, English otherwise."""
    vi = language.lower().startswith("vi")
    w = _WORDS["vi" if vi else "en"]

    def num(v, spec):
        v = _number(v)
        if v is None:  # stored as None when it was NaN or ±inf
            return format("—", ">" + spec.split(".")[0]) if spec[:1].isdigit() else "—"
        text = format(v, spec)
        return text.replace(".", ",").replace("-", "−") if vi else text
    names = d.get("names") or list(d["coefficients"])
    ses = d.get("std_errors")
    spec = methods.firm_method(d["method"])
    label = spec.label("vi" if vi else "en")
    width = 14 if vi else 12
    lines = [f"{label}    {w['obs']}: {d['n_obs']}   {w['firms']}: {d['n_firms']}"
             + (f"   {w['criterion']}: {num(d['criterion'], '.6g')}" if d.get("criterion") is not None else ""),
             "-" * 56, f"{'':16}{w['coef']:>12}{w['se']:>{width}}{w['z']:>9}", "-" * 56]
    params = []
    for name in names:
        b = d["coefficients"][name]
        params.append(b)
        se = None if ses is None else ses.get(name)
        ok = _number(se) is not None and se > 0 and _number(b) is not None
        z = _number(b) / _number(se) if ok else None
        lines.append(f"{name:16}{num(b, '12.4f')}{'' if se is None else num(se, f'{width}.4f')}"
                     f"{'' if se is None else num(z, '9.2f')}")
    lines.append("-" * 56)
    boot = d.get("bootstrap") or {"reps": 0, "failed": 0}
    if boot["reps"]:
        lines.append(w["boot"].format(**boot))
    elif ses is not None:
        lines.append(w["analytic"])
    if not d.get("converged", True):
        lines.append(w["not_converged"])
    opt = d.get("optimizer") or {}
    for m in opt.get("local_minima", []):
        other = [_number(v) for v in m["params"]]
        if None in other or (None not in params and np.allclose(other, [_number(v) for v in params], atol=1e-3)):
            continue
        values = ("[" + "; ".join(num(v, ".4f") for v in m["params"]) + "]" if vi
                  else str(np.round(other, 4).tolist()))
        lines.append(w["other"].format(params=values, criterion=num(m["criterion"], ".3g")))
    if opt.get("tied_minima", 1) > 1:
        lines.append(w["tied"])
    return "\n".join(lines)


def firm_tfp(panel: Panel, res: ProductivityResults) -> pd.DataFrame:
    """Log TFP (output less the estimated input contributions) and its index (mean over all = 1)."""
    b = res.params.to_numpy()
    nf, ns = panel.free.shape[1], panel.state.shape[1]
    log_tfp = panel.y - panel.free @ b[:nf] - panel.state @ b[nf:nf + ns]
    if panel.controls is not None:
        log_tfp -= panel.controls @ b[nf + ns:]
    firms = panel.labels[panel.ids] if panel.labels is not None else panel.ids
    with np.errstate(over="ignore", invalid="ignore"):  # levels taken for logs: exp overflows, left empty
        index = np.exp(log_tfp - log_tfp.mean())
    return pd.DataFrame({"firm": firms, "time": panel.time, "log_tfp": log_tfp,
                         "tfp_index": np.where(np.isfinite(index), index, np.nan)})
