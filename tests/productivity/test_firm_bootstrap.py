"""The bootstrap by firm multiplicity weights equals the bootstrap of copied rows (each drawn firm a
firm of its own, its rows copied): the same draws for the same seed and the same estimates to 1e-8,
for every estimator, on prodest's Chilean panel and on a simulated panel with controls and two
state variables; failed draws are counted alike; any number of processes gives the same."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nscl.productivity.firm import draw_estimates, estimate, firm_weights, resample_firms
from nscl.productivity.simulate import simulate_panel

DATA = Path(__file__).parent.parent / "data" / "prodest" / "chilean.csv"
KW = dict(id="idvar", time="timevar", output="Y", free=["fX1", "fX2"], state=["sX"])
PROXY = {"ols": None, "fe": None, "op": "inv", "lp": "pX", "acf": "pX", "wrdg": "pX", "wrdg-gmm": "pX"}


@pytest.fixture(scope="module")
def chilean():
    return pd.read_csv(DATA)


@pytest.fixture(scope="module")
def simulated():
    """300 firms × 6 years; a control that matters and a second state variable."""
    d = simulate_panel(firms=300, years=6, seed=4)
    rng = np.random.default_rng(1)
    d["c"] = rng.normal(size=len(d))
    d["y"] += 0.2 * d["c"]
    d["k2"] = 0.5 * d["k"] + rng.normal(0, 0.3, len(d))
    return d


def _both(model, reps=3, seed=11):
    est = model.fit().params.to_numpy()
    seeds = np.random.SeedSequence(seed).spawn(reps)
    model.prepare_draws()
    return draw_estimates(model, est, seeds), draw_estimates(model, est, seeds, copied_rows=True)


def test_the_weights_are_the_copied_panel_s_firms():
    """The same generator state draws the same firms: each firm's weight is how many copies of it
    the copied panel holds."""
    from nscl.productivity.firm import prepare

    d = pd.DataFrame({"f": np.repeat(np.arange(30), 3), "t": np.tile([2001, 2002, 2003], 30), "y": 1.0, "l": 1.0,
                      "k": np.arange(90.0)})
    p = prepare(d, "f", "t", "y", "l", "k")
    w = firm_weights(p.n_firms, np.random.default_rng(5))
    copied = resample_firms(p, np.random.default_rng(5))
    firms_copied = (copied.state[copied.time == 2001, 0] // 3).astype(int)   # k = 3·firm + year index
    assert np.bincount(firms_copied, minlength=30).tolist() == w.astype(int).tolist()
    assert w.sum() == 30 and copied.n == 90 and (copied.prev >= 0).sum() == 60   # lags only within a copy


@pytest.mark.parametrize("method", list(PROXY))
def test_weighted_draws_equal_copied_rows_on_the_chilean_panel(chilean, method):
    (weighted, failed_w), (copied, failed_c) = _both(estimate(chilean, method, proxy=PROXY[method], **KW))
    assert failed_w == failed_c == 0
    assert np.abs(weighted - copied).max() < 1e-8
    assert np.ptp(weighted, axis=0).min() > 1e-4        # the draws do differ from each other


@pytest.mark.parametrize("method", ["ols", "fe", "op", "lp", "acf", "wrdg"])
def test_weighted_draws_equal_copied_rows_with_controls_and_two_states(simulated, method):
    proxy = {"op": "inv"}.get(method, "m" if PROXY[method] else None)
    model = estimate(simulated, method, id="firm", time="year", output="y", free="l", state="k,k2", proxy=proxy,
                     controls="c")
    (weighted, _), (copied, _) = _both(model)
    assert weighted.shape == (3, 4) and np.abs(weighted - copied).max() < 1e-8


def test_failed_draws_are_counted_alike():
    """40 firms seen once and 4 seen four years: a draw with fewer than 10 firm-years that have a
    previous year cannot be estimated, in both computations, at the same draws."""
    rng = np.random.default_rng(3)
    once = pd.DataFrame({"f": np.arange(40), "t": 2001})
    four = pd.DataFrame({"f": np.repeat(np.arange(40, 44), 4), "t": np.tile(np.arange(2001, 2005), 4)})
    d = pd.concat([once, four], ignore_index=True)
    d["k"], d["m"] = rng.normal(3, 0.5, len(d)), rng.normal(2, 0.5, len(d))
    d["l"] = rng.normal(1, 0.3, len(d))
    d["y"] = 0.6 * d.l + 0.4 * d.k + 0.3 * d.m + rng.normal(0, 0.1, len(d))
    model = estimate(d, "lp", id="f", time="t", output="y", free="l", state="k", proxy="m")
    (weighted, failed_w), (copied, failed_c) = _both(model, reps=12, seed=2)
    assert 0 < failed_w == failed_c < 12
    assert (np.isnan(weighted).all(axis=1) == np.isnan(copied).all(axis=1)).all()
    ok = ~np.isnan(weighted).any(axis=1)
    assert np.abs(weighted[ok] - copied[ok]).max() < 1e-8
    res = model.fit(bootstrap=12, seed=2)
    assert res.bootstrap == {"reps": 12, "failed": failed_w}
    assert res.std_errors.to_numpy() == pytest.approx(weighted[ok].std(axis=0, ddof=1), rel=1e-12)


def test_the_same_draws_whatever_the_number_of_processes(chilean):
    model = estimate(chilean, "acf", proxy="pX", **KW)
    one = model.fit(bootstrap=4, seed=8, jobs=1)
    two = model.fit(bootstrap=4, seed=8, jobs=2)
    assert one.std_errors.to_numpy() == pytest.approx(two.std_errors.to_numpy(), rel=1e-12)
    assert one.bootstrap == two.bootstrap == {"reps": 4, "failed": 0}
