"""Inference options of the impact estimate (issue 22 item 2): multiplier bootstrap with uniform
bands, clustering, anticipation, the base period, a recorded seed. Each is compared with moderndid
called directly with the same options on mpdta (tests/data/did/README.md; R did 2.5.0's example
panel), whose analytic results test_impact.py already holds against R."""
from pathlib import Path

import moderndid
import numpy as np
import pandas as pd
import pytest

from nscl.productivity.impact import CallawaySantAnna, ImpactDataError, callaway_santanna
from nscl.productivity.results import z_value

DATA = Path(__file__).parent.parent / "data" / "did"
ARGS = ("countyreal", "year", "lemp", "first.treat")


@pytest.fixture(scope="module")
def mpdta():
    df = pd.read_csv(DATA / "mpdta.csv")
    df["area"] = df["countyreal"] // 1000  # a fixed grouping of counties, for clustering
    return df


def direct(df, typ="dynamic", **options):
    res = moderndid.att_gt(df, yname="lemp", tname="year", idname="countyreal", gname="first.treat", **options)
    keep = {k: v for k, v in options.items() if k in ("boot", "cband", "biters", "random_state", "clustervars")}
    return res, moderndid.aggte(res, type=typ, **keep)


def test_bootstrap_bands_are_moderndids_for_the_same_seed_and_wider_than_pointwise(mpdta):
    res = callaway_santanna(mpdta, *ARGS, bootstrap=999, seed=7)
    _, ref = direct(mpdta, boot=True, cband=True, biters=999, random_state=7)
    dyn = res.aggregations["dynamic"]
    assert [r["se"] for r in dyn["by"]] == pytest.approx(list(ref.se_by_event), abs=1e-12)
    assert dyn["crit_val"] == pytest.approx(float(ref.critical_values[0]), abs=1e-12)
    assert dyn["crit_val"] > z_value(0.95)  # a simultaneous band is wider than pointwise intervals
    es = res.event_study()
    assert (es.upper - es.lower).to_numpy() == pytest.approx(2 * dyn["crit_val"] * es.se.to_numpy())
    out = res.to_dict()
    assert out["aggregations"]["dynamic"]["band"] == "uniform" and out["inference"]["seed"] == 7


def test_a_seed_reproduces_the_run_and_one_is_recorded_when_none_is_given(mpdta):
    a = callaway_santanna(mpdta, *ARGS, bootstrap=199, seed=11).to_dict()
    b = callaway_santanna(mpdta, *ARGS, bootstrap=199, seed=11).to_dict()
    assert a["aggregations"] == b["aggregations"]
    drawn = callaway_santanna(mpdta, *ARGS, bootstrap=199)
    seed = drawn.inference["seed"]
    assert isinstance(seed, int)
    again = callaway_santanna(mpdta, *ARGS, bootstrap=199, seed=seed)
    assert again.to_dict()["aggregations"] == drawn.to_dict()["aggregations"]


def test_analytic_errors_stay_pointwise(mpdta):
    res = callaway_santanna(mpdta, *ARGS)
    assert "crit_val" not in res.aggregations["dynamic"] and res.inference["band"] == "pointwise"
    assert res.inference["seed"] is None


def test_clustered_bootstrap_is_moderndids(mpdta):
    res = callaway_santanna(mpdta, *ARGS, bootstrap=499, seed=3, cluster="area")
    data = mpdta.copy()
    data["area"] = pd.factorize(data["area"])[0] + 1  # as the model codes it
    _, ref = direct(data, boot=True, cband=True, biters=499, random_state=3, clustervars=["area"])
    assert [r["se"] for r in res.aggregations["dynamic"]["by"]] == pytest.approx(list(ref.se_by_event), abs=1e-12)
    unclustered = callaway_santanna(mpdta, *ARGS, bootstrap=499, seed=3)
    assert [r["se"] for r in res.aggregations["dynamic"]["by"]] != \
        pytest.approx([r["se"] for r in unclustered.aggregations["dynamic"]["by"]], abs=1e-6)


@pytest.mark.parametrize("anticipation, base_period", [(1, "varying"), (0, "universal"), (1, "universal")])
def test_anticipation_and_base_period_are_moderndids(mpdta, anticipation, base_period):
    res = callaway_santanna(mpdta, *ARGS, anticipation=anticipation, base_period=base_period)
    gt, ref = direct(mpdta, boot=False, cband=False, anticipation=anticipation, base_period=base_period)
    assert [r["att"] for r in res.att_gt] == pytest.approx(list(np.asarray(gt.att_gt)), abs=1e-12, nan_ok=True)
    assert [r["att"] for r in res.aggregations["dynamic"]["by"]] == pytest.approx(list(ref.att_by_event), abs=1e-12)
    assert res.inference["anticipation"] == anticipation and res.inference["base_period"] == base_period


@pytest.mark.parametrize("options, field, words", [
    ({"cluster": "area"}, "cluster", "cần bootstrap"),
    ({"bootstrap": 999, "cluster": "tinh"}, "cluster", "Thiếu cột: tinh"),
    ({"bootstrap": 10}, "bootstrap", "từ 99 đến 100.000"),
    ({"anticipation": 9}, "anticipation", "từ 0 đến 5"),
    ({"base_period": "fixed"}, "base_period", "varying hoặc universal"),
])
def test_bad_options_are_refused_in_words(mpdta, options, field, words):
    with pytest.raises(ImpactDataError) as e:
        CallawaySantAnna(mpdta, *ARGS, **options)
    assert e.value.field == field and words in str(e.value)


def test_a_cluster_that_changes_within_a_unit_is_refused(mpdta):
    df = mpdta.copy()
    df.loc[df.index[0], "area"] = 99
    with pytest.raises(ImpactDataError, match="phải cố định cho mỗi đơn vị"):
        CallawaySantAnna(df, *ARGS, bootstrap=199, cluster="area")


def test_the_command_line_takes_the_options_and_reports_the_seed(capsys):
    import json

    from nscl.cli import main

    main(["impact", "--input", str(DATA / "mpdta.csv"), "--id", "countyreal", "--time", "year", "--outcome", "lemp",
          "--first-treated", "first.treat", "--bootstrap", "199", "--seed", "5", "--anticipation", "1",
          "--base-period", "universal", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert out["inference"] == {"bootstrap": 199, "seed": 5, "cluster": None, "anticipation": 1,
                                "base_period": "universal", "band": "uniform"}
    assert out["aggregations"]["dynamic"]["crit_val"] > z_value(0.95)


@pytest.mark.parametrize("column", ["first.treat", "year", "lpop"])
def test_a_cluster_that_is_a_column_of_the_estimate_is_refused(mpdta, column):
    """Coding the cluster in place turned first.treat's 0 (never supported) into a group code."""
    with pytest.raises(ImpactDataError, match="chọn một cột khác") as e:
        CallawaySantAnna(mpdta, *ARGS, covariates=["lpop"], bootstrap=199, cluster=column)
    assert e.value.field == "cluster"


def test_the_band_states_its_own_level(mpdta):
    out = callaway_santanna(mpdta, *ARGS, bootstrap=199, seed=1).to_dict(level=0.9)
    dyn = out["aggregations"]["dynamic"]
    assert out["level"] == 0.9 and dyn["band"] == "uniform" and dyn["band_level"] == 0.95
