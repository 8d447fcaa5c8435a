"""The results contract every estimator's ``fit()`` returns (in the style of linearmodels).

- ``params``: a pandas Series indexed by parameter name;
- ``std_errors``: a Series on the same index, or None when the method gives none (NaN where a
  particular one is missing);
- ``conf_int(level=0.95)``: DataFrame with columns ``lower`` and ``upper``, params ∓ z·se with z the
  normal quantile (the standard library's NormalDist: the same double as scipy's norm.ppf, without
  importing scipy.stats, a second of start-up); NaN where there is no standard error;
- ``summary``; ``to_dict()``: JSON-safe (no NaN or ±inf: None), with a ``names`` list because a
  JSON object's key order is not kept by PostgreSQL's jsonb.
"""
from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

DEFAULT_LEVEL = 0.95


def z_value(level: float = DEFAULT_LEVEL) -> float:
    """The two-sided normal quantile for a confidence level (1.959964... for 0.95)."""
    if not 0 < level < 1:
        raise ValueError(f"level {level} must lie in (0, 1)")
    return NormalDist().inv_cdf(0.5 + level / 2)


def interval(estimate, se, level: float = DEFAULT_LEVEL) -> tuple[float, float]:
    """(lower, upper) = estimate ∓ z·se; NaN bounds when se is missing."""
    if se is None or estimate is None:
        return float("nan"), float("nan")
    z = z_value(level)
    return float(estimate) - z * float(se), float(estimate) + z * float(se)


def json_safe(value):
    """Plain JSON values: numpy scalars and arrays converted, NaN and ±inf as None, recursively."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def as_series(values, names) -> pd.Series | None:
    if values is None:
        return None
    if isinstance(values, pd.Series):
        return values.astype(float)
    return pd.Series(np.asarray(values, dtype=float), index=pd.Index(list(names), dtype=object), dtype=float)


class ResultsContract:
    """Mixin: subclasses set ``params`` (Series) and ``std_errors`` (Series or None)."""

    params: pd.Series
    std_errors: pd.Series | None

    def conf_int(self, level: float = DEFAULT_LEVEL) -> pd.DataFrame:
        z = z_value(level)
        se = self.std_errors if self.std_errors is not None else pd.Series(np.nan, index=self.params.index)
        return pd.DataFrame({"lower": self.params - z * se, "upper": self.params + z * se}, index=self.params.index)

    def contract_dict(self, level: float = DEFAULT_LEVEL) -> dict:
        """The contract's part of ``to_dict()``: names (in order), params, std_errors, conf_int."""
        names = [str(n) for n in self.params.index]
        ci = self.conf_int(level)
        return json_safe({
            "names": names,
            "params": dict(zip(names, self.params.tolist())),
            "std_errors": None if self.std_errors is None else dict(zip(names, self.std_errors.tolist())),
            "conf_int": {"level": level, "lower": dict(zip(names, ci["lower"].tolist())),
                         "upper": dict(zip(names, ci["upper"].tolist()))},
        })
