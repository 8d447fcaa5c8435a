"""Callaway & Sant'Anna against R did 2.5.0 (tests/data/did/README.md): four scenarios, 1e-4."""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from nscl.productivity.impact import ImpactDataError, callaway_santanna, ci

DATA = Path(__file__).parent.parent / "data" / "did"
SCENARIOS = {"mpdta_nev_dr": ("never", "dr", None), "mpdta_nyt_dr": ("notyet", "dr", None),
             "mpdta_nev_reg_cov": ("never", "reg", ["lpop"]), "mpdta_nev_ipw": ("never", "ipw", None)}


@pytest.fixture(scope="module")
def mpdta():
    return pd.read_csv(DATA / "mpdta.csv")


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_matches_r_did(mpdta, scenario):
    control, est, cov = SCENARIOS[scenario]
    res = callaway_santanna(mpdta, "countyreal", "year", "lemp", "first.treat", control=control, estimator=est,
                            covariates=cov)
    ref = pd.read_csv(DATA / "ref_attgt.csv").query("scenario == @scenario")
    got = pd.DataFrame(res.att_gt)
    assert len(got) == len(ref) == 12
    assert got[["group", "time"]].to_numpy().tolist() == ref[["group", "t"]].to_numpy().tolist()
    assert got.att.to_numpy() == pytest.approx(ref.att.to_numpy(), abs=1e-4)
    assert got.se.to_numpy() == pytest.approx(ref.se.to_numpy(), abs=1e-4)
    agg = pd.read_csv(DATA / "ref_aggte.csv").query("scenario == @scenario")
    for typ in ("simple", "group", "dynamic", "calendar"):
        r = agg[agg.type == typ]
        a = res.aggregations[typ]
        assert a["att"] == pytest.approx(r.overall_att.iloc[0], abs=1e-4)
        assert a["se"] == pytest.approx(r.overall_se.iloc[0], abs=1e-4)
        if typ != "simple":
            by = pd.DataFrame(a["by"])
            assert by.iloc[:, 0].tolist() == r.egt.tolist()
            assert by.att.to_numpy() == pytest.approx(r.att_egt.to_numpy(), abs=1e-4)
            assert by.se.to_numpy() == pytest.approx(r.se_egt.to_numpy(), abs=1e-4)


def test_headline(mpdta):
    res = callaway_santanna(mpdta, "countyreal", "year", "lemp", "first.treat")
    assert round(res.aggregations["simple"]["att"], 4) == -0.0400 and round(res.aggregations["simple"]["se"], 4) == 0.0120
    lo, hi = ci(-0.04, 0.012)
    assert lo == pytest.approx(-0.04 - 1.959964 * 0.012, abs=1e-6) and hi > lo


@pytest.mark.parametrize("change,kwargs,message", [
    (lambda d: d.drop(columns=["lemp"]), {}, "Thiếu cột: lemp"),
    (lambda d: d.assign(**{"first.treat": d["first.treat"].where(d.year != 2005, 2006)}), {}, "phải cố định"),
    (lambda d: pd.concat([d, d.head(1)]), {}, "có hai dòng cho năm 2003"),
    (lambda d: d.assign(**{"first.treat": 0}), {}, "không có đơn vị nào được hỗ trợ"),
    (lambda d: d[d["first.treat"] > 0], {}, "dùng --control notyet"),
    (lambda d: d, {"control": "sometimes"}, "Nhóm đối chứng"),
])
def test_bad_input(mpdta, change, kwargs, message):
    with pytest.raises(ImpactDataError, match=message):
        callaway_santanna(change(mpdta), "countyreal", "year", "lemp", "first.treat", **kwargs)


def test_cli_json():
    out = subprocess.run([sys.executable, "-m", "nscl.cli", "impact", "--input", str(DATA / "mpdta.csv"), "--id", "countyreal",
                          "--time", "year", "--outcome", "lemp", "--first-treated", "first.treat", "--control", "notyet",
                          "--format", "json"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert set(d) == {"att_gt", "aggregations"} and set(d["aggregations"]) == {"simple", "group", "dynamic", "calendar"}
    assert set(d["att_gt"][0]) == {"group", "time", "att", "se"}


def test_first_support_year_is_the_treatment_year():
    from nscl.productivity.impact import first_support_year

    supports = pd.DataFrame({"tax_code": ["A", "A", "B"], "year": [2023, 2021, 2024]})
    assert first_support_year(supports).to_dict() == {"A": 2021, "B": 2024}
