"""Firm TFP estimators against R prodest 1.0.1's published results on its Chilean panel
(tests/data/prodest/README.md: vignette Table 1 and console example), and on simulated data."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nscl.productivity.firm import FirmDataError, estimate, prepare
from nscl.productivity.simulate import simulate_panel

DATA = Path(__file__).parent.parent / "data" / "prodest" / "chilean.csv"
KW = dict(id="idvar", time="timevar", output="Y", free=["fX1", "fX2"], state=["sX"])


@pytest.fixture(scope="module")
def chilean():
    return pd.read_csv(DATA)


@pytest.mark.parametrize("method,proxy,expected", [
    ("op", "inv", [0.314, 0.256, 0.168]),
    ("lp", "pX", [0.199, 0.169, 0.117]),
    ("acf", "pX", [0.646, 0.644, 0.251]),       # the global minimum (console example)
    ("wrdg-gmm", "pX", [0.247, 0.217, 0.058]),
])
def test_matches_prodest_to_three_decimals(chilean, method, proxy, expected):
    res = estimate(chilean, method, proxy=proxy, **KW).fit()
    assert np.round(res.params, 3).tolist() == expected
    assert res.n_obs == 1944 and res.n_firms == 497


def test_wooldridge_gmm_standard_errors(chilean):
    res = estimate(chilean, "wrdg-gmm", proxy="pX", **KW).fit()
    assert np.round(res.std_errors, 3).tolist() == [0.017, 0.015, 0.031]


def test_acf_reports_the_local_minimum_prodest_stops_in(chilean):
    res = estimate(chilean, "acf", proxy="pX", **KW).fit()
    assert res.criterion < 1e-12
    others = [m for m in res.optimizer["local_minima"] if m["criterion"] > 1e-8]
    # prodest's default start lands near (0.154, 0.158, 0.138), criterion about 6.5e-5
    near = [m for m in others if np.allclose(m["params"], [0.154, 0.158, 0.138], atol=0.01)]
    assert near and near[0]["criterion"] == pytest.approx(6.5e-5, rel=0.01)
    assert "other local minimum" in res.summary()


def test_wooldridge_iv_matches_prodest(chilean):
    # vignette Table 1: 0.246/0.214/0.145 (SE 0.014/0.013/0.024)
    res = estimate(chilean, "wrdg", proxy="pX", **KW).fit()
    assert np.round(res.params, 3).tolist() == [0.246, 0.214, 0.145]
    assert np.round(res.std_errors, 3).tolist() == [0.014, 0.013, 0.024]
    assert res.n_obs == 1944


def test_wooldridge_iv_is_prodests_two_step_projection(chilean):
    """Hand-built from the algorithm: project (free, state, h / lagged h) stacked over both
    equations on (lagged free, state, h / lagged h) without a constant, then OLS with a constant."""
    d = chilean.sort_values(["idvar", "timevar"]).reset_index(drop=True)
    h = lambda s, p: np.column_stack([s, p, s * p, s ** 2, p ** 2])  # noqa: E731 - the paper's h(·)
    prev = d.groupby("idvar")["timevar"].shift() == d["timevar"] - 1
    lag = d.groupby("idvar").shift()
    ok = prev.to_numpy()
    cur, lg = d[ok], lag[ok]
    f, lf, s = cur[["fX1", "fX2"]].to_numpy(), lg[["fX1", "fX2"]].to_numpy(), cur[["sX"]].to_numpy()
    H, Hl = h(cur.sX, cur.pX), h(lg.sX, lg.pX)
    X = np.vstack([np.column_stack([f, s, H]), np.column_stack([f, s, Hl])])
    Z = np.vstack([np.column_stack([lf, s, H]), np.column_stack([lf, s, Hl])])
    y = np.concatenate([cur.Y, cur.Y])
    xhat = Z @ np.linalg.solve(Z.T @ Z, Z.T @ X)
    b = np.linalg.lstsq(np.column_stack([np.ones(len(y)), xhat]), y, rcond=None)[0]
    res = estimate(chilean, "wrdg", proxy="pX", **KW).fit()
    assert res.params.to_numpy() == pytest.approx(b[1:4], abs=1e-10)


def test_ols_and_fixed_effects(chilean):
    ols = estimate(chilean, "ols", **KW).fit()
    x = np.column_stack([np.ones(len(chilean)), chilean[["fX1", "fX2", "sX"]]])
    b = np.linalg.lstsq(x, chilean["Y"], rcond=None)[0]
    assert ols.params.to_numpy() == pytest.approx(b[1:])
    fe = estimate(chilean, "fe", **KW).fit()
    dm = chilean.groupby("idvar")[["Y", "fX1", "fX2", "sX"]].transform(lambda s: s - s.mean())
    bw = np.linalg.lstsq(dm[["fX1", "fX2", "sX"]], dm["Y"], rcond=None)[0]
    assert fe.params.to_numpy() == pytest.approx(bw)


@pytest.mark.parametrize("seed", [1, 2])
def test_acf_recovers_known_parameters(seed):
    d = simulate_panel(firms=5000, years=10, beta_l=0.6, beta_k=0.4, seed=seed)
    res = estimate(d, "acf", id="firm", time="year", output="y", free="l", state="k", proxy="m").fit()
    assert res.params["l"] == pytest.approx(0.6, abs=0.03)
    assert res.params["k"] == pytest.approx(0.4, abs=0.03)


def test_acf_with_a_control_recovers_it_and_the_elasticities():
    d = simulate_panel(firms=5000, years=10, beta_l=0.6, beta_k=0.4, seed=1)
    d["c"] = np.random.default_rng(5).normal(size=len(d))
    d["y"] += 0.2 * d["c"]
    res = estimate(d, "acf", id="firm", time="year", output="y", free="l", state="k", proxy="m",
                   controls="c").fit()
    assert res.names == ["l", "k", "c"]
    assert res.params.to_numpy() == pytest.approx([0.6, 0.4, 0.2], abs=0.03)


def test_lag_only_for_the_previous_calendar_year():
    d = pd.DataFrame({"id": [1, 1, 1, 2, 2], "t": [2001, 2002, 2004, 2001, 2002], "y": 1.0, "l": 1.0, "k": 1.0})
    p = prepare(d, "id", "t", "y", "l", "k")
    assert p.prev.tolist() == [-1, 0, -1, -1, 3]


def test_bootstrap_is_reproducible_and_counts_failures(chilean):
    model = estimate(chilean, "lp", proxy="pX", **KW)
    a = model.fit(bootstrap=8, seed=42, jobs=1)
    b = model.fit(bootstrap=8, seed=42, jobs=2)
    assert a.std_errors.to_numpy() == pytest.approx(b.std_errors.to_numpy(), rel=1e-12)
    assert a.bootstrap == {"reps": 8, "failed": 0}
    c = model.fit(bootstrap=8, seed=43)
    assert not np.allclose(a.std_errors, c.std_errors)


def test_firm_tfp_and_index(chilean):
    res = estimate(chilean, "lp", proxy="pX", **KW).fit()
    t = res.log_tfp
    row = chilean.sort_values(["idvar", "timevar"]).iloc[0]
    expected = row.Y - res.params.to_numpy() @ row[["fX1", "fX2", "sX"]].to_numpy(float)
    assert t.log_tfp.iloc[0] == pytest.approx(expected)
    assert np.exp(t.log_tfp - t.log_tfp.mean()).to_numpy() == pytest.approx(t.tfp_index.to_numpy())


@pytest.mark.parametrize("change,kwargs,message", [
    (lambda d: d.drop(columns=["pX"]), {"proxy": "pX"}, "Thiếu cột: pX"),
    (lambda d: d.assign(pX=1.0), {"proxy": "pX"}, "không thay đổi"),
    (lambda d: d.assign(fX2=d.fX1), {"proxy": "pX"}, "suy biến"),
    (lambda d: d.assign(Y=d.Y.where(d.idvar != 10007)), {"proxy": "pX"}, "Cột Y: 5 giá trị trống hoặc không phải số \\(doanh nghiệp 10007\\)"),
    (lambda d: d.assign(timevar=d.timevar.where(d.idvar != 10007, 2000)), {"proxy": "pX"}, "có hai dòng cho năm 2000"),
    (lambda d: d.drop_duplicates("idvar"), {"proxy": "pX"}, "Quá ít quan sát"),
])
def test_bad_input_messages(chilean, change, kwargs, message):
    with pytest.raises(FirmDataError, match=message):
        estimate(change(chilean), "lp", **kwargs, **KW).fit()


def test_non_positive_values_when_taking_logs(chilean):
    d = chilean.assign(Y=np.exp(chilean.Y), fX1=np.exp(chilean.fX1), fX2=np.exp(chilean.fX2), sX=np.exp(chilean.sX),
                       pX=np.exp(chilean.pX))
    res = estimate(d, "lp", proxy="pX", log_inputs=True, **KW).fit()
    assert np.round(res.params, 3).tolist() == [0.199, 0.169, 0.117]
    with pytest.raises(FirmDataError, match=r"Cột pX: 1 giá trị ≤ 0.*doanh nghiệp 10007"):
        estimate(d.assign(pX=d.pX.where(d.index != 0, 0.0)), "lp", proxy="pX", log_inputs=True, **KW)


def test_cli_json(tmp_path, chilean):
    f = tmp_path / "c.parquet"
    chilean.to_parquet(f)
    out = subprocess.run([sys.executable, "-m", "nscl.cli", "firm-tfp", "--input", str(f), "--id", "idvar", "--time",
                          "timevar", "--output", "Y", "--free", "fX1,fX2", "--state", "sX", "--proxy", "inv",
                          "--method", "op", "--bootstrap", "4", "--seed", "7", "--format", "json"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert {k: round(v, 3) for k, v in d["coefficients"].items()} == {"fX1": 0.314, "fX2": 0.256, "sX": 0.168}
    assert set(d) >= {"method", "coefficients", "std_errors", "n_obs", "n_firms", "criterion", "bootstrap"}
    assert d["bootstrap"] == {"reps": 4, "failed": 0} and d["n_obs"] == 1944
    bad = subprocess.run([sys.executable, "-m", "nscl.cli", "firm-tfp", "--input", str(f), "--id", "idvar", "--time",
                          "timevar", "--output", "Y", "--free", "fX1", "--state", "capital", "--proxy", "inv",
                          "--method", "op"], capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "Thiếu cột: capital" in bad.stderr and "Traceback" not in bad.stderr


def test_results_contract(chilean):
    """Labelled params and standard errors, conf_int = params ∓ z·se, a JSON-safe to_dict in order."""
    res = estimate(chilean, "wrdg-gmm", proxy="pX", **KW).fit()
    assert list(res.params.index) == ["fX1", "fX2", "sX"] and list(res.std_errors.index) == ["fX1", "fX2", "sX"]
    ci = res.conf_int()
    z = 1.959963984540054
    assert ci.loc["sX", "lower"] == pytest.approx(res.params["sX"] - z * res.std_errors["sX"], abs=1e-14)
    assert ci.loc["fX1", "upper"] == pytest.approx(res.params["fX1"] + z * res.std_errors["fX1"], abs=1e-14)
    assert (res.conf_int(0.99)["upper"] > ci["upper"]).all()
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["names"] == ["fX1", "fX2", "sX"] and d["params"] == d["coefficients"]
    assert d["conf_int"]["lower"]["sX"] == pytest.approx(ci.loc["sX", "lower"])
    dist = d["tfp_distribution"]
    assert sum(dist["counts"]) == 2544 and len(dist["edges"]) == 41 and dist["p10"] < dist["p50"] < dist["p90"]
    assert dist["mean"] == pytest.approx(res.log_tfp.log_tfp.mean())


def test_no_standard_errors_and_non_finite_values_in_json(chilean):
    res = estimate(chilean, "lp", proxy="pX", **KW).fit()
    assert res.std_errors is None and res.conf_int()["lower"].isna().all()
    d = res.to_dict()
    assert d["std_errors"] is None and d["conf_int"]["lower"] == {"fX1": None, "fX2": None, "sX": None}
    res = estimate(chilean, "lp", proxy="pX", **KW).fit(bootstrap=1, seed=1)  # one draw: no standard error
    assert res.std_errors.isna().all()
    assert json.dumps(res.to_dict(), allow_nan=False) and res.to_dict()["std_errors"]["sX"] is None


def test_methods_is_the_one_list():
    from nscl.productivity import firm, methods

    assert firm.METHODS == methods.codes(methods.FIRM_METHODS) == tuple(firm.ESTIMATORS)
    for m in methods.FIRM_METHODS:
        assert m.model() is firm.ESTIMATORS[m.code] and m.model().method == m.code
        assert m.needs_proxy == (m.code not in ("ols", "fe"))
    assert all(f"`{m.code}`" in methods.methods_table() for m in methods.FIRM_METHODS)


def test_missing_proxy_message_speaks_of_data(chilean):
    with pytest.raises(FirmDataError, match="cần một biến đại diện") as e:
        estimate(chilean, "lp", **KW)
    assert "--" not in str(e.value) and e.value.field == "proxy"
    with pytest.raises(FirmDataError) as e:
        prepare(chilean, "idvar", "timevar", "Y", ["fX1"], [])
    assert "--" not in str(e.value)
    out = subprocess.run([sys.executable, "-m", "nscl.cli", "firm-tfp", "--input", str(DATA), "--id", "idvar", "--time",
                          "timevar", "--output", "Y", "--free", "fX1", "--state", "sX", "--method", "lp"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "cần một biến đại diện" in out.stderr and "--proxy" in out.stderr


def test_conf_int_hand_computed():
    from nscl.productivity.firm import ProductivityResults

    res = ProductivityResults("ols", ["l", "k"], np.array([0.6, 0.3]), np.array([0.1, np.nan]), 10, 2, None, True)
    ci = res.conf_int(0.95)
    assert ci.loc["l"].tolist() == pytest.approx([0.6 - 0.1959963984540054, 0.6 + 0.1959963984540054], abs=1e-15)
    assert ci.loc["k"].isna().all()
    assert res.conf_int(0.90).loc["l", "upper"] == pytest.approx(0.6 + 0.16448536269514722, abs=1e-15)
    d = res.to_dict()
    assert d["std_errors"] == {"l": 0.1, "k": None} and d["conf_int"]["upper"]["k"] is None
    assert d["tfp_distribution"] is None
