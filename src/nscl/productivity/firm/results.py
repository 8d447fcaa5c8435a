"""What a production-function fit returns: coefficients, standard errors, firm TFP and its distribution."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import registry
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
                   tfp_distribution=self.tfp_distribution(), summary=self.summary())
        return json_safe(out)

    def summary(self) -> str:
        params = self.params.to_numpy()
        ses = None if self.std_errors is None else self.std_errors.to_numpy()
        lines = [f"{registry.firm_method(self.method).label_en}    obs: {self.n_obs}   firms: {self.n_firms}"
                 + (f"   criterion: {self.criterion:.6g}" if self.criterion is not None else ""),
                 "-" * 56, f"{'':16}{'coef':>12}{'std. err.':>12}{'z':>9}", "-" * 56]
        for i, name in enumerate(self.names):
            se = None if ses is None else ses[i]
            z = params[i] / se if se and np.isfinite(se) and se > 0 else float("nan")
            lines.append(f"{name:16}{params[i]:12.4f}{'' if se is None else f'{se:12.4f}'}"
                         f"{'' if se is None else f'{z:9.2f}'}")
        lines.append("-" * 56)
        if self.bootstrap["reps"]:
            lines.append(f"bootstrap over firms: {self.bootstrap['reps']} draws, {self.bootstrap['failed']} failed")
        elif self.std_errors is not None:
            lines.append("analytic standard errors (no bootstrap)")
        if not self.converged:
            lines.append("WARNING: the optimiser did not report convergence")
        for m in self.optimizer.get("local_minima", []):
            if np.allclose(m["params"], params, atol=1e-3):
                continue
            lines.append(f"other local minimum: {np.round(m['params'], 4).tolist()} criterion {m['criterion']:.3g}")
        if self.optimizer.get("tied_minima", 1) > 1:
            lines.append("NOTE: several minima reach the same criterion; the one with all elasticities in (0, 1) was kept")
        return "\n".join(lines)


def firm_tfp(panel: Panel, res: ProductivityResults) -> pd.DataFrame:
    """Log TFP (output less the estimated input contributions) and its index (mean over all = 1)."""
    x = np.column_stack([panel.free, panel.state] + ([panel.controls] if panel.controls is not None else []))
    log_tfp = panel.y - x @ res.params.to_numpy()
    firms = panel.labels[panel.ids] if panel.labels is not None else panel.ids
    return pd.DataFrame({"firm": firms, "time": panel.time, "log_tfp": log_tfp,
                         "tfp_index": np.exp(log_tfp - log_tfp.mean())})
