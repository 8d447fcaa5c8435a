"""Cost-effectiveness arithmetic: what the programme spent per result, and per unit of measured effect.

Knows nothing of the database (like progress.py): the caller gathers budget and counts, the analysis
app (a higher layer) registers where the latest impact estimate comes from.
"""
from __future__ import annotations

import math
from typing import Callable

from django.utils.translation import gettext_noop

BILLION = 1_000_000_000

# outcomes of the impact analysis, as pages and documents name them (marked for the catalogue)
OUTCOME_LABELS = {
    "log_labour_productivity": gettext_noop("log năng suất lao động"),
    "log_revenue": gettext_noop("log doanh thu"),
    "log_employees": gettext_noop("log số lao động"),
    "tfp": gettext_noop("năng suất các nhân tố tổng hợp (TFP) của doanh nghiệp"),
}

_effect_sources: list[Callable[[], dict | None]] = []

EFFECT_KEYS = ("att", "ci_low", "ci_high", "outcome", "job_id", "finished_at", "support_total_vnd",
               "n_treated")


def register_effect_source(fn: Callable[[], dict | None]) -> None:
    """Called by a higher layer (the analysis app's ready()): programme cannot import it."""
    if fn not in _effect_sources:
        _effect_sources.append(fn)


def latest_effect() -> dict | None:
    """The first estimate a registered source gives (dict with EFFECT_KEYS), or None.

    A source that fails is treated as having nothing to say: the dashboard and report must still
    open when an analysis table is missing or being migrated.
    """
    for fn in _effect_sources:
        try:
            effect = fn()
        except Exception:  # noqa: BLE001 - an estimate is optional; its absence is stated in words
            effect = None
        if effect:
            return effect
    return None


def number(value) -> float | None:
    """A finite number from what a source gave (str, Decimal, numpy), else None."""
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None  # NaN and infinities are missing


def effect_per_billion(att, ci_low, ci_high, support_total_vnd, n_treated) -> dict | None:
    """Estimated effect per billion đồng of support received by one enterprise.

    Interpretation: `att` is the average effect on the treated enterprises (for the log labour
    productivity outcome: ×100 ≈ per cent). Each treated enterprise received on average
    `support_total_vnd / n_treated` đồng; dividing the ATT by that mean in billions gives the effect
    that one billion đồng of support bought per enterprise, assuming the effect scales linearly with
    the amount (a ratio of averages, not a dose-response estimate). The 95% interval is scaled by the
    same positive factor, so it keeps its coverage as an interval for that ratio given the amounts.

    Returns {"value", "ci_low", "ci_high", "mean_support_vnd", "mean_support_billion", "reason": None},
    or {"value": None, ..., "reason": "..."} when an input is missing or zero; None only when no
    estimate is given at all (att is None).
    """
    att_f = number(att)
    if att_f is None:
        return None
    total = number(support_total_vnd)
    n = number(n_treated)
    empty = {"value": None, "ci_low": None, "ci_high": None, "mean_support_vnd": None,
             "mean_support_billion": None}
    if n is None or n <= 0:
        return {**empty, "reason": "no_treated"}
    if total is None or total <= 0:
        return {**empty, "reason": "no_support_amount"}
    mean_vnd = total / n
    mean_billion = mean_vnd / BILLION
    lo, hi = number(ci_low), number(ci_high)
    return {
        "value": att_f / mean_billion,
        "ci_low": lo / mean_billion if lo is not None else None,
        "ci_high": hi / mean_billion if hi is not None else None,
        "mean_support_vnd": mean_vnd,
        "mean_support_billion": mean_billion,
        "reason": None,
    }


def _per(budget: float, count) -> float | None:
    count = int(count or 0)
    return budget / count if count > 0 else None


def unit_costs(budget_vnd, enterprises, trainees, certificates) -> dict:
    """Budget per enterprise supported, per trainee trained, per certificate obtained (đồng).

    Each is the whole budget over one count (the programme's usual "chi phí bình quân"), so the three
    are not additive: the same money bought all three results. None where the count is 0.
    """
    budget = float(budget_vnd or 0)
    return {
        "budget_vnd": budget,
        "per_enterprise": _per(budget, enterprises),
        "per_trainee": _per(budget, trainees),
        "per_certificate": _per(budget, certificates),
    }
