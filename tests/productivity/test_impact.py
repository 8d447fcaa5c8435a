"""Callaway & Sant'Anna against R did 2.5.0 (tests/data/did/README.md): four scenarios, 1e-4."""
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from nscl.productivity.impact import CallawaySantAnna, ImpactDataError, callaway_santanna
from nscl.productivity.results import interval, z_value

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
    lo, hi = interval(-0.04, 0.012)
    assert lo == pytest.approx(-0.04 - 1.959964 * 0.012, abs=1e-6) and hi > lo


@pytest.mark.parametrize("change,kwargs,message", [
    (lambda d: d.drop(columns=["lemp"]), {}, "Thiếu cột: lemp"),
    (lambda d: d.assign(**{"first.treat": d["first.treat"].where(d.year != 2005, 2006)}), {}, "phải cố định"),
    (lambda d: pd.concat([d, d.head(1)]), {}, "có hai dòng cho năm 2003"),
    (lambda d: d.assign(**{"first.treat": 0}), {}, "không có đơn vị nào được hỗ trợ"),
    (lambda d: d[d["first.treat"] > 0], {}, "chưa được hỗ trợ tính đến năm đó \\(notyet\\)"),
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
    assert set(d) == {"att_gt", "aggregations", "sample", "messages", "inference"}
    assert d["inference"]["band"] == "pointwise" and d["inference"]["seed"] is None  # analytic by default
    assert set(d["aggregations"]) == {"simple", "group", "dynamic", "calendar"}
    assert (d["sample"]["n_units"], d["sample"]["n_units_dropped"]) == (500, 0)  # mpdta is balanced
    assert set(d["att_gt"][0]) == {"group", "time", "att", "se"}


def test_messages_name_data_not_command_line_options(mpdta):
    with pytest.raises(ImpactDataError) as e:
        callaway_santanna(mpdta[mpdta["first.treat"] > 0], "countyreal", "year", "lemp", "first.treat")
    assert "--" not in str(e.value) and e.value.field == "control"
    out = subprocess.run([sys.executable, "-m", "nscl.cli", "impact", "--input", str(DATA / "mpdta.csv"), "--id", "countyreal",
                          "--time", "year", "--outcome", "lemp", "--first-treated", "year"], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode != 0 and "Traceback" not in out.stderr


def test_text_firm_ids(mpdta):
    """Identifiers such as "DN001" give the same estimates as the numeric ones they stand for."""
    text = mpdta.assign(countyreal="DN" + mpdta["countyreal"].astype(str).str.zfill(5))
    a = callaway_santanna(mpdta, "countyreal", "year", "lemp", "first.treat")
    b = CallawaySantAnna(text, id="countyreal", time="year", outcome="lemp", first_treated="first.treat").fit()
    assert b.params.to_numpy() == pytest.approx(a.params.to_numpy(), abs=1e-12)
    assert b.aggregations["simple"]["att"] == pytest.approx(-0.0400, abs=5e-5) and b.n_units == 500
    first = text.countyreal.iloc[0]
    with pytest.raises(ImpactDataError, match=f"Đơn vị {first} có hai dòng"):
        callaway_santanna(pd.concat([text, text.head(1)]), "countyreal", "year", "lemp", "first.treat")


def test_results_contract(mpdta):
    res = CallawaySantAnna(mpdta, id="countyreal", time="year", outcome="lemp", first_treated="first.treat").fit()
    assert res.params.index[0] == "ATT(2004,2004)" and len(res.params) == 12
    ci = res.conf_int()
    z = 1.959963984540054  # hand value of the normal quantile
    assert ci["lower"].to_numpy() == pytest.approx((res.params - z * res.std_errors).to_numpy(), abs=1e-12)
    assert res.conf_int(0.90)["upper"].iloc[0] == pytest.approx(res.params.iloc[0] + 1.6448536269514722 *
                                                                res.std_errors.iloc[0], abs=1e-12)
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["names"] == list(res.params.index) and d["aggregation_order"] == ["simple", "group", "dynamic", "calendar"]
    simple = d["aggregations"]["simple"]
    assert simple["lower"] == pytest.approx(simple["att"] - z * simple["se"], abs=1e-12)
    es = res.event_study()
    assert es["e"].tolist() == [e["e"] for e in d["event_study"]]
    assert es["upper"].to_numpy() == pytest.approx([e["upper"] for e in d["event_study"]])
    assert z_value(0.95) == pytest.approx(z, abs=1e-12)
