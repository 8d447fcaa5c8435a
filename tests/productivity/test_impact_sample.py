"""The sample an impact estimate states is the one it used (issue 22, item 1). Before: an uploaded
panel of 400 firms with one year missing for 120 of them was cut by moderndid to 280 firms inside a
silenced warning, and the result said "400 units, 3880 observations" beside the ATT of 280."""
import warnings

import moderndid
import numpy as np
import pandas as pd
import pytest

from nscl.productivity import interpret
from nscl.productivity.impact import CallawaySantAnna, ImpactDataError, _messages


def unbalanced_panel(seed=7):
    """400 firms, 2016-2025, first supported in 2019, 2021, 2023 or never, a true effect of 0.08;
    then one year removed for 120 firms."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(1, 401):
        g = rng.choice([0, 2019, 2021, 2023], p=[0.4, 0.2, 0.2, 0.2])
        a = rng.normal()
        for t in range(2016, 2026):
            rows.append((f"DN{i:03d}", t, a + 0.02 * (t - 2016) + (0.08 if g and t >= g else 0) + rng.normal(scale=0.1), g))
    df = pd.DataFrame(rows, columns=["firm", "year", "y", "g"])
    gone = rng.choice(df.firm.unique(), 120, replace=False)
    years = dict(zip(gone, rng.integers(2016, 2026, 120)))
    return df[~df.apply(lambda r: years.get(r.firm) == r.year, axis=1)].reset_index(drop=True)


@pytest.fixture(scope="module")
def panel():
    return unbalanced_panel()


def test_the_result_states_the_units_it_used_and_those_left_out(panel):
    assert len(panel) == 3880 and panel.firm.nunique() == 400
    res = CallawaySantAnna(panel, id="firm", time="year", outcome="y", first_treated="g").fit()
    assert (res.n_units, res.n_obs) == (280, 2800)
    s = res.sample
    assert (s["n_units_input"], s["n_obs_input"], s["n_units_dropped"], s["n_obs_dropped"]) == (400, 3880, 120, 1080)
    assert s["dropped_reason"] == "incomplete_years" and s["years"] == [2016, 2025]
    complete = panel.groupby("firm").year.transform("nunique") == 10
    assert set(s["dropped_examples"]) <= set(panel.firm[~complete]) and len(s["dropped_examples"]) == 10
    # the same estimate as moderndid balancing the panel itself (which warned, and was silenced)
    codes = panel.assign(id=pd.factorize(panel.firm)[0] + 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        direct = moderndid.att_gt(codes, yname="y", tname="year", idname="id", gname="g",
                                  control_group="nevertreated", est_method="dr", boot=False, cband=False)
        simple = moderndid.aggte(direct, type="simple", boot=False, cband=False)
    assert any("120 units have unbalanced observations" in str(w.message) for w in caught)
    assert res.aggregations["simple"]["att"] == pytest.approx(float(simple.overall_att), abs=1e-12)
    assert res.aggregations["simple"]["se"] == pytest.approx(float(simple.overall_se), abs=1e-12)
    assert res.to_dict()["sample"]["n_units"] == 280
    assert "280 units, 2800 observations (of 400 units: 120 left out" in res.summary()


def test_the_notes_say_the_sample_first_in_both_languages(panel):
    r = CallawaySantAnna(panel, id="firm", time="year", outcome="y", first_treated="g").fit().to_dict()
    vi = interpret.impact_notes(r, "y", "vi")[0]
    en = interpret.impact_notes(r, "y", "en")[0]
    assert vi["kind"] == "warning"
    assert vi["text"].startswith("Ước lượng trên 280 đơn vị, 2.800 quan sát (bảng cân bằng 2016-2025). "
                                 "Bỏ ra 120 trong 400 đơn vị của tệp (1.080 dòng)")
    assert en["text"].startswith("Estimated on 280 units, 2,800 observations (a balanced panel, 2016-2025). "
                                 "Left out 120 of the file's 400 units (1,080 rows)")


def test_a_balanced_panel_leaves_nothing_out():
    full = unbalanced_panel().pipe(lambda d: d[d.groupby("firm").year.transform("nunique") == 10])
    res = CallawaySantAnna(full, id="firm", time="year", outcome="y", first_treated="g").fit()
    assert res.sample["n_units_dropped"] == 0 and res.n_units == res.sample["n_units_input"] == 280
    assert interpret.sample_notes(res.to_dict(), "vi")[0]["kind"] == "info"


def test_no_complete_unit_is_said():
    df = pd.DataFrame({"firm": [1, 1, 2, 2, 3], "year": [2020, 2021, 2020, 2022, 2021], "y": [1.0] * 5,
                       "g": [2021, 2021, 0, 0, 0]})
    with pytest.raises(ImpactDataError, match="Không đơn vị nào có số liệu đủ cả 3 năm"):
        CallawaySantAnna(df, id="firm", time="year", outcome="y", first_treated="g")


def test_library_warnings_become_messages():
    class W:
        def __init__(self, text):
            self.message = text
    out = _messages([W("Not enough control units for group 2021 in time period 2022"), W("x"), W("x")])
    assert len(out) == 2 and "thiếu đơn vị đối chứng" in out[0]["vi"] and out[1]["en"] == "The estimation library warned: x"
