"""Target arithmetic for every kind and its boundaries (hand-computed)."""
import math
from types import SimpleNamespace

import pytest

from nscl.programme.progress import bounds, evaluate, judge


@pytest.mark.parametrize("actual,expected", [(17, "not_met"), (18, "met"), (19, "met"), (20, "met"), (22, "met"), (23, "exceeded")])
def test_about_20_with_default_tolerance(actual, expected):
    assert judge("about", 20, None, actual) == expected


def test_about_tolerance_is_configurable():
    assert bounds("about", 20, None, 5) == (19.0, 21.0)
    assert judge("about", 20, None, 22, tolerance_pct=5) == "exceeded"
    assert judge("about", 20, None, 18, tolerance_pct=5) == "not_met"


@pytest.mark.parametrize("actual,expected", [(19, "not_met"), (20, "met"), (25, "met"), (30, "met"), (31, "exceeded")])
def test_range_20_30(actual, expected):
    assert judge("range", 20, 30, actual) == expected


@pytest.mark.parametrize("actual,expected", [(0, "not_met"), (1, "met"), (2, "met"), (3, "exceeded")])
def test_range_1_2(actual, expected):
    assert judge("range", 1, 2, actual) == expected


@pytest.mark.parametrize("actual,expected", [(2, "not_met"), (3, "met"), (300, "met")])
def test_at_least_3_never_exceeded(actual, expected):
    assert judge("at_least", 3, None, actual) == expected
    assert bounds("at_least", 3) == (3.0, math.inf)


@pytest.mark.parametrize("actual,expected", [(0, "not_met"), (1, "met"), (2, "exceeded")])
def test_exact_1(actual, expected):
    assert judge("exact", 1, None, actual) == expected


def test_during_the_period_pro_rata():
    # 20-30 after 2 of 5 years: pro-rata lower bound is 8
    assert judge("range", 20, 30, 8, elapsed=0.4, finished=False) == "on_track"
    assert judge("range", 20, 30, 7, elapsed=0.4, finished=False) == "at_risk"
    assert judge("range", 20, 30, 0, elapsed=0.4, finished=False) == "not_started"
    assert judge("about", 20, None, 19, elapsed=0.8, finished=False) == "met"
    assert judge("range", 20, 30, 31, elapsed=0.4, finished=False) == "exceeded"


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        bounds("roughly", 1)


def _target(**kw):
    base = dict(kind="range", min_value=20, max_value=30, tolerance_pct=10, every_year=False)
    base.update(kw)
    return SimpleNamespace(**base)


def test_evaluate_distinct_keys_count_once_cumulatively():
    years = [2021, 2022, 2023, 2024, 2025]
    # enterprise "a" supported in 2021 and again in 2023 counts once; "b" in 2022, "c" in 2023
    rows = [(2021, "a"), (2022, "b"), (2023, "a"), (2023, "c"), (2030, "z")]
    tp = evaluate(_target(), rows, years, as_of=2023)
    assert tp.yearly == {2021: 1, 2022: 1, 2023: 2, 2024: 0, 2025: 0}
    assert tp.cumulative == {2021: 1, 2022: 2, 2023: 3, 2024: 3, 2025: 3}
    assert tp.actual == 3
    # 3 after 3 of 5 years, pro-rata 12: at risk
    assert tp.status == "at_risk"
    assert tp.status_by_year[2025] == "not_met"


def test_evaluate_every_year_target():
    years = [2021, 2022, 2023, 2024, 2025]
    target = _target(kind="exact", min_value=5, max_value=None, every_year=True)
    rows = [(2021, 2021), (2022, 2022), (2023, 2023), (2024, 2024)]
    tp = evaluate(target, rows, years, as_of=2025)
    assert tp.status_by_year == {2021: "met", 2022: "met", 2023: "met", 2024: "met", 2025: "not_met"}
    assert tp.actual == 4 and tp.status == "not_met"
    tp = evaluate(target, rows, years, as_of=2024)
    assert tp.status == "on_track"
    tp = evaluate(target, rows[:1] + rows[2:], years, as_of=2024)
    assert tp.status == "at_risk"
    tp = evaluate(target, rows + [(2025, 2025)], years, as_of=2025)
    assert tp.status == "met" and tp.actual == 5


@pytest.mark.parametrize("kind,lo,hi,actual,pct", [
    ("range", 1, 2, 2, 100.0),      # MT1a at 2 of "1-2": met, drawn 100% (probe: 200%)
    ("range", 1, 2, 1, 100.0),
    ("range", 1, 2, 3, 150.0),      # exceeded: against the upper bound
    ("range", 20, 30, 10, 50.0),
    ("at_least", 3, None, 6, 100.0),
    ("about", 20, None, 21, 100.0),  # within 18-22
    ("about", 20, None, 9, 50.0),   # against the judging bound 18 (20 less 10%)
])
def test_percentage_of_target(kind, lo, hi, actual, pct):
    years = [2021, 2022, 2023, 2024, 2025]
    rows = [(2021, i) for i in range(actual)]
    tp = evaluate(_target(kind=kind, min_value=lo, max_value=hi), rows, years, as_of=2025)
    assert tp.pct_of_target == pytest.approx(pct)


def test_every_year_target_does_not_fail_the_year_still_running():
    """Issue 20, item 4: MT6 of 2026-2030 seen in 2026 (as_of = the running year). Before, 2026 was
    judged over and "not met" on 1 January; now it is not started until a measurement is made, met
    once one is, and judged "not met" only when 2026 is over (seen from 2027)."""
    years = [2026, 2027, 2028, 2029, 2030]
    target = _target(kind="exact", min_value=5, max_value=None, every_year=True)
    tp = evaluate(target, [], years, as_of=2026, current_year=2026)
    assert (tp.status_by_year[2026], tp.status) == ("not_started", "not_started")
    tp = evaluate(target, [(2026, 2026)], years, as_of=2026, current_year=2026)
    assert (tp.status_by_year[2026], tp.status, tp.actual) == ("met", "on_track", 1)
    tp = evaluate(target, [], years, as_of=2026, current_year=2027)
    assert (tp.status_by_year[2026], tp.status) == ("not_met", "not_started")
    tp = evaluate(target, [(2026, 2026)], years, as_of=2027, current_year=2027)
    assert (tp.status_by_year[2027], tp.status) == ("not_started", "on_track")
    tp = evaluate(target, [(y, y) for y in years], years, as_of=2030, current_year=2030)
    assert tp.status == "on_track" and tp.status_by_year[2030] == "met"  # 2030 not over yet
    tp = evaluate(target, [(y, y) for y in years], years, as_of=2030, current_year=2031)
    assert tp.status == "met"
