"""Target arithmetic: how an actual value stands against a target of each kind.

Statuses, in order of the questions an officer asks:
  not_started  nothing counted yet and the period is still running;
  on_track     below the lower bound, but at least the pro-rata share of it for the time elapsed;
  at_risk      below that pro-rata share;
  met          within the bounds (about N: N ± tolerance; range: min-max; at least: >= min);
  exceeded     above the upper bound (exact, range, about);
  not_met      the period is over and the actual is below the lower bound.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_noop

STATUSES = ("not_started", "on_track", "at_risk", "met", "exceeded", "not_met")
# Vietnamese, as documents and exports print them; pages translate them (marked for the catalogue)
STATUS_LABELS = {
    "not_started": gettext_noop("Chưa bắt đầu"), "on_track": gettext_noop("Đúng tiến độ"),
    "at_risk": gettext_noop("Có nguy cơ không đạt"), "met": gettext_noop("Đạt"),
    "exceeded": gettext_noop("Vượt"), "not_met": gettext_noop("Không đạt"),
}


def bounds(kind: str, min_value, max_value=None, tolerance_pct=10) -> tuple[float, float]:
    lo = float(min_value)
    if kind == "exact":
        return lo, lo
    if kind == "range":
        return lo, float(max_value)
    if kind == "at_least":
        return lo, math.inf
    if kind == "about":
        tol = float(tolerance_pct) / 100.0
        return lo * (1 - tol), lo * (1 + tol)
    raise ValueError(f"unknown target kind {kind!r}")


def judge(kind, min_value, max_value, actual, *, tolerance_pct=10, elapsed=1.0, finished=True) -> str:
    """Status of `actual` against a target, `elapsed` being the share of its period gone by (0-1)."""
    lo, hi = bounds(kind, min_value, max_value, tolerance_pct)
    eps = 1e-9
    actual = float(actual)
    if lo - eps <= actual <= hi + eps:
        return "met"
    if actual > hi:
        return "exceeded"
    if finished:
        return "not_met"
    if actual == 0:
        return "not_started"
    return "on_track" if actual + eps >= lo * elapsed else "at_risk"


@dataclass
class TargetProgress:
    target: object
    years: list[int]
    as_of: int
    yearly: dict[int, float]          # counted in each year (distinct within the year)
    cumulative: dict[int, float]      # counted from phase start to the end of each year
    status_by_year: dict[int, str]
    actual: float
    status: str
    lo: float
    hi: float

    @property
    def pct_of_target(self) -> float:
        """How far the target is reached, 100 = within its bounds: a range 1-2 reached with 2 is
        100% (met), not 200%; above the upper bound it is measured against that bound."""
        if self.actual > self.hi:
            return 100 * self.actual / self.hi if self.hi > 0 else 100.0
        if self.actual >= self.lo:
            return 100.0
        return 100 * self.actual / self.lo if self.lo > 0 else 100.0

    @property
    def bar_max(self) -> float:
        top = self.hi if math.isfinite(self.hi) else self.lo
        return max(top, self.actual, 1)

    @property
    def bar_pct(self) -> float:
        return round(100 * self.actual / self.bar_max, 1)

    @property
    def lo_pct(self) -> float:
        return round(100 * self.lo / self.bar_max, 1)


def evaluate(target, rows, years: list[int], as_of: int, current_year: int | None = None) -> TargetProgress:
    """`rows` are (year, key) pairs of counting records: key is the record id or the distinct value.
    `current_year`: the year running today; a target judged year by year (every_year) does not fail
    a year before it is over (the 2026 measurement may still be made in December 2026). None: every
    year up to `as_of` is over."""
    per_year_keys: dict[int, set] = {y: set() for y in years}
    first_year: dict = {}
    for year, key in rows:
        if year not in per_year_keys:
            continue
        per_year_keys[year].add(key)
        if key not in first_year or year < first_year[key]:
            first_year[key] = year
    yearly = {y: float(len(per_year_keys[y])) for y in years}
    cumulative = {y: float(sum(1 for fy in first_year.values() if fy <= y)) for y in years}
    n = len(years)
    kind, mn, mx, tol = target.kind, target.min_value, target.max_value, target.tolerance_pct
    lo, hi = bounds(kind, mn, mx, tol)
    status_by_year = {}
    if target.every_year:
        per = lambda v: None if v is None else Decimal(v) / n  # noqa: E731

        def over(y):
            return y <= as_of and (current_year is None or y < current_year)
        for y in years:
            status_by_year[y] = judge(kind, per(mn), per(mx), yearly[y], tolerance_pct=tol, finished=over(y), elapsed=1.0) \
                if y <= as_of else "not_started"
        done = [status_by_year[y] for y in years if over(y)]
        actual = cumulative.get(as_of, 0.0) if as_of in cumulative else 0.0
        finished = over(years[-1])
        if actual == 0 and not finished:
            status = "not_started"
        elif finished:
            status = judge(kind, mn, mx, actual, tolerance_pct=tol, finished=True)
        else:
            status = "on_track" if all(s in ("met", "exceeded") for s in done) else "at_risk"
    else:
        for y in years:
            status_by_year[y] = judge(kind, mn, mx, cumulative[y], tolerance_pct=tol,
                                      elapsed=(y - years[0] + 1) / n, finished=y >= years[-1])
        actual = cumulative.get(as_of, 0.0)
        status = status_by_year.get(as_of, "not_started")
    return TargetProgress(target, years, as_of, yearly, cumulative, status_by_year, actual, status, lo, hi)
