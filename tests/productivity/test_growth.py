"""Growth accounting: hand-computed cases for each formula, the period convention, bad input."""
import math

import numpy as np
import pandas as pd
import pytest

from nscl.productivity.growth import (GrowthAccounting, GrowthInputError, capital_stock_pim, parse_periods,
                                      read_series, sensitivity, validate_series)


def series(**over):
    d = {"year": [2020, 2021, 2022], "output": [100, 110, 121], "capital": [200, 220, 242], "labour": [50, 51, 52.02]}
    d.update(over)
    return pd.DataFrame(d)


def test_gso_hand_computed():
    # g_Y = 10%, g_K = 10%, g_L = 2%, alpha 0.4: g_A = 0.10 - 0.04 - 0.012 = 0.048
    res = GrowthAccounting(series(), "gso", alpha=0.4).fit()
    y = res.years.set_index("year")
    assert y.loc[2021, "output_growth"] == pytest.approx(0.10)
    assert y.loc[2021, "tfp_growth"] == pytest.approx(0.048)
    assert y.loc[2021, "contribution_capital_pct"] == pytest.approx(40.0)
    assert y.loc[2021, "contribution_labour_pct"] == pytest.approx(12.0)
    assert y.loc[2021, "contribution_tfp_pct"] == pytest.approx(48.0)
    assert y.loc[2020, "tfp_index"] == 1.0 and np.isnan(y.loc[2020, "output_growth"])
    assert y.loc[2022, "tfp_index"] == pytest.approx(1.048 ** 2)


def test_shares_sum_to_100_in_every_year():
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"year": range(2000, 2021), "output": 100 * np.cumprod(1 + rng.uniform(0.02, 0.1, 21)),
                      "capital": 300 * np.cumprod(1 + rng.uniform(0.0, 0.12, 21)),
                      "labour": 40 * np.cumprod(1 + rng.uniform(-0.01, 0.03, 21))})
    for method in ("gso", "tornqvist"):
        y = GrowthAccounting(d, method, alpha=0.37).fit().years.iloc[1:]
        total = y["contribution_capital_pct"] + y["contribution_labour_pct"] + y["contribution_tfp_pct"]
        assert np.allclose(total, 100.0)


def test_tornqvist_hand_computed():
    d = pd.DataFrame({"year": [2020, 2021], "output": [100, 110], "capital": [200, 220], "labour": [50, 51],
                      "hours": [2000, 1980], "human_capital": [2.0, 2.02], "labour_share": [0.60, 0.62]})
    y = GrowthAccounting(d, "tornqvist", base_year=2021).fit().years.set_index("year")
    # L = persons x hours x hc: ln(51*1980*2.02 / (50*2000*2)) = 0.0197026; s-bar = 0.61
    assert y.loc[2021, "labour_growth"] == pytest.approx(0.019702622, abs=1e-9)
    assert y.loc[2021, "output_growth"] == pytest.approx(math.log(1.1))
    assert y.loc[2021, "tfp_growth"] == pytest.approx(0.046120610, abs=1e-9)
    assert y.loc[2021, "contribution_labour_pct"] == pytest.approx(12.609985, abs=1e-6)
    assert y.loc[2021, "contribution_capital_pct"] == pytest.approx(39.0)
    assert y.loc[2021, "contribution_tfp_pct"] == pytest.approx(48.390015, abs=1e-6)
    assert y.loc[2021, "tfp_index"] == 1.0
    assert y.loc[2020, "tfp_index"] == pytest.approx(math.exp(-0.046120610))


def test_tornqvist_without_labour_share_uses_one_minus_alpha():
    y = GrowthAccounting(series(), "tornqvist", alpha=0.4).fit().years.set_index("year")
    expected = math.log(1.1) - 0.6 * math.log(51 / 50) - 0.4 * math.log(1.1)
    assert y.loc[2021, "tfp_growth"] == pytest.approx(expected)


def test_perpetual_inventory_five_year_example():
    # investment grows 10% a year: g = (146.41/100)^(1/4) - 1 = 0.1; K_2016 = 100 / (0.1 + 0.06) = 625
    k = capital_stock_pim([100, 110, 121, 133.1, 146.41], depreciation=0.06)
    assert k == pytest.approx([625.0, 697.5, 776.65, 863.151, 957.77194])
    # nominal investment deflated by a price index (100 = base-year prices)
    k2 = capital_stock_pim([105, 121, 145.2, 133.1, 161.051], price_index=[105, 110, 120, 100, 110],
                           depreciation=0.06)
    assert k2 == pytest.approx([625.0, 697.5, 776.65, 863.151, 957.77194])


def test_perpetual_inventory_with_fewer_than_five_years_uses_all():
    k = capital_stock_pim([100, 121, 146.41], depreciation=0.05)  # g = (146.41/100)^(1/2) - 1 = 0.21
    assert k[0] == pytest.approx(100 / 0.26)
    assert k[2] == pytest.approx(0.95 * (0.95 * 100 / 0.26 + 121) + 146.41)


def test_investment_input_builds_capital_and_sensitivity_varies_delta():
    d = pd.DataFrame({"year": range(2015, 2021), "output": [100, 107, 114.5, 122.5, 131, 140.2],
                      "investment": [30, 33, 36.3, 39.9, 43.9, 48.3], "labour": [50, 50.5, 51, 51.5, 52, 52.5]})
    res = GrowthAccounting(d, "gso", alpha=0.38, depreciation=0.05).fit([(2016, 2020)])
    assert res.years["capital_stock"].iloc[0] == pytest.approx(30 / ((43.9 / 30) ** 0.25 - 1 + 0.05))
    assert res.parameters["depreciation"] == 0.05
    grid = sensitivity(d, alphas=(0.35, 0.40), depreciations=(0.04, 0.08), periods=[(2016, 2020)])
    assert len(grid) == 4 and grid["tfp_share_2016_2020_pct"].nunique() == 4
    # a higher capital share leaves less to TFP when capital grows faster than output
    a35 = grid[(grid.alpha == 0.35) & (grid.depreciation == 0.04)]["tfp_share_2016_2020_pct"].item()
    a40 = grid[(grid.alpha == 0.40) & (grid.depreciation == 0.04)]["tfp_share_2016_2020_pct"].item()
    assert a40 < a35


def test_period_runs_from_the_year_before():
    years = list(range(2015, 2021))
    d = pd.DataFrame({"year": years, "output": [100, 105, 111, 118, 123, 130], "capital": [300, 320, 345, 370, 390, 420],
                      "labour": [50, 51, 51.5, 52, 53, 53.5]})
    res = GrowthAccounting(d, "gso", alpha=0.4).fit([(2016, 2020)])
    p = res.periods.iloc[0]
    gy, gk, gl = (130 / 100) ** 0.2 - 1, (420 / 300) ** 0.2 - 1, (53.5 / 50) ** 0.2 - 1
    assert p["output_growth"] == pytest.approx(gy)
    assert p["tfp_growth"] == pytest.approx(gy - 0.4 * gk - 0.6 * gl)
    assert p["contribution_tfp_pct"] == pytest.approx(100 * (gy - 0.4 * gk - 0.6 * gl) / gy)
    annual = res.years["contribution_tfp_pct"].iloc[1:]
    assert p["mean_annual_tfp_share_pct"] == pytest.approx(annual.mean())
    assert p["contribution_tfp_pct"] != pytest.approx(p["mean_annual_tfp_share_pct"])
    with pytest.raises(GrowthInputError, match="cần số liệu từ năm 2014 đến 2020"):
        GrowthAccounting(d, "gso").fit([(2015, 2020)])


def test_zero_output_growth_gives_undefined_share_not_infinity():
    res = GrowthAccounting(series(output=[100, 100, 110]), "gso").fit()
    d = res.to_dict()
    assert d["years"][1]["contribution_tfp_pct"] is None and d["years"][2]["contribution_tfp_pct"] is not None
    assert "undefined" in res.notes[0] and "2021" in res.notes[0]
    assert "inf" not in res.summary()


@pytest.mark.parametrize("data,message", [
    (series(year=[2020, 2021, 2021]), "năm 2021 bị lặp"),
    (series(year=[2020, 2021, 2023]), "thiếu năm giữa 2021 và 2023"),
    (series(output=[100, -5, 121]), "Cột output, năm 2021: giá trị phải dương"),
    (series(capital=[200, 0, 242]), "Cột capital, năm 2021: giá trị phải dương"),
    (series(labour=[50, None, 52]), "Cột labour, năm 2021: thiếu số liệu"),
    (series(labour=[50, "abc", 52]), "Cột labour, năm 2021: “abc” không phải là số"),
    (series(year=["2020", "x", "2022"]), "Cột year: giá trị “x” không phải là năm"),
    (pd.DataFrame({"year": [2020, 2021], "output": [1, 2], "labour": [1, 2]}), "Thiếu cột: capital hoặc investment"),
    (pd.DataFrame({"year": [2020, 2021], "capital": [1, 2]}), "Thiếu cột: output, labour"),
    (series(labour_share=[0.6, 1.2, 0.6]), "labour_share, năm 2021: phải nằm trong (0, 1)"),
])
def test_bad_input_names_column_and_year(data, message):
    with pytest.raises(GrowthInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate_series(data)


def test_a_file_that_is_not_a_table(tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"this is not excel")
    with pytest.raises(GrowthInputError, match="không phải là bảng"):
        read_series(bad)
    empty = tmp_path / "e.csv"
    empty.write_text("hello\n")
    with pytest.raises(GrowthInputError):
        read_series(empty)


def test_parameters_are_checked():
    with pytest.raises(GrowthInputError, match="alpha"):
        GrowthAccounting(series(), alpha=1.2)
    with pytest.raises(GrowthInputError, match="Năm gốc 1999"):
        GrowthAccounting(series(), base_year=1999)
    with pytest.raises(GrowthInputError, match="YYYY-YYYY"):
        parse_periods("2016to2020")
    assert parse_periods("2011-2015, 2016-2020") == [(2011, 2015), (2016, 2020)]


def test_results_contract_and_constants():
    from nscl.productivity import growth

    assert growth.DEFAULT_ALPHA == 0.35 and growth.DEFAULT_ALPHA in growth.SENSITIVITY_ALPHAS
    assert GrowthAccounting(series()).alpha == growth.DEFAULT_ALPHA
    assert sensitivity(series())["alpha"].tolist() == list(growth.SENSITIVITY_ALPHAS)
    res = GrowthAccounting(series(), "gso", alpha=0.4).fit([(2021, 2022)])
    assert list(res.params.index) == ["2021", "2022", "2021-2022"]
    assert res.params["2021"] == pytest.approx(48.0) and res.std_errors is None
    assert res.conf_int()["lower"].isna().all()
    d = res.to_dict()
    assert list(d)[:5] == ["method", "parameters", "years", "periods", "notes"]
    assert d["names"] == ["2021", "2022", "2021-2022"] and d["params"]["2021"] == pytest.approx(48.0)


def test_gso_counts_employed_persons_unless_adjusted_labour_is_asked_for():
    plain = series()
    extra = series(hours=[2000, 1900, 1850], human_capital=[2.0, 2.1, 2.2])
    a = GrowthAccounting(plain, "gso", alpha=0.4).fit()
    b = GrowthAccounting(extra, "gso", alpha=0.4).fit()
    cols = ["labour_growth", "tfp_growth", "contribution_labour_pct", "contribution_tfp_pct", "tfp_index"]
    pd.testing.assert_frame_equal(a.years[cols], b.years[cols])
    assert b.parameters["labour"] == "persons" and b.parameters["labour_input"] == "persons"
    adj = GrowthAccounting(extra, "gso", alpha=0.4, labour_input="adjusted").fit()
    y = adj.years.set_index("year")
    # L = persons x hours x hc: 2020 50*2000*2 = 200000, 2021 51*1900*2.1 = 203490: g_L = 1.745%
    gl = 51 * 1900 * 2.1 / 200000 - 1
    assert y.loc[2021, "labour_growth"] == pytest.approx(gl) and gl == pytest.approx(0.01745)
    assert y.loc[2021, "tfp_growth"] == pytest.approx(0.10 - 0.4 * 0.10 - 0.6 * gl)
    assert adj.parameters["labour"] == "persons × hours × human_capital" and adj.parameters["labour_input"] == "adjusted"
    assert "labour_input=adjusted" in adj.summary()
    # asked for on a series without the columns: persons, with a note
    none = GrowthAccounting(plain, "gso", alpha=0.4, labour_input="adjusted").fit()
    assert none.years["labour_growth"].iloc[1] == pytest.approx(0.02) and "no hours" in none.notes[0]
    with pytest.raises(GrowthInputError, match="persons hoặc adjusted"):
        GrowthAccounting(plain, labour_input="hours")


def test_tornqvist_keeps_adjusted_labour_and_sensitivity_passes_the_option():
    extra = series(hours=[2000, 1900, 1850], human_capital=[2.0, 2.1, 2.2])
    t = GrowthAccounting(extra, "tornqvist", alpha=0.4).fit()
    assert t.parameters["labour_input"] == "adjusted"
    assert t.years["labour_growth"].iloc[1] == pytest.approx(math.log(51 * 1900 * 2.1 / 200000))
    persons = sensitivity(extra, alphas=(0.4,))["mean_annual_tfp_share_pct"].item()
    adjusted = sensitivity(extra, alphas=(0.4,), labour_input="adjusted")["mean_annual_tfp_share_pct"].item()
    assert persons == pytest.approx(GrowthAccounting(series(), alpha=0.4).fit().years["contribution_tfp_pct"].mean())
    assert adjusted != pytest.approx(persons)


def test_labour_in_words():
    from nscl.productivity.growth import labour_description

    assert labour_description({"labour": "persons"}) == "Lao động: số người có việc làm."
    assert labour_description({"labour": "persons × hours × human_capital"}) == (
        "Lao động: số người có việc làm, điều chỉnh theo giờ làm việc và chất lượng lao động.")
    assert labour_description({"labour": "persons × hours"}, "en") == "Labour: employed persons, adjusted for hours worked."


def test_empty_optional_columns_are_absent_and_every_problem_is_reported():
    """A template's unused columns (capital *or* investment) were refused one at a time."""
    empty = [None, None, None]
    d = series(capital=empty, hours=empty, human_capital=empty, labour_share=empty).assign(investment=[30, 31, 33])
    clean = validate_series(d)
    assert list(clean.columns) == ["year", "output", "labour", "investment"]
    with pytest.raises(GrowthInputError) as e:
        validate_series(series(capital=empty))
    assert e.value.problems == ["Cột capital không có số liệu năm nào: cần số liệu vốn (capital) hoặc vốn đầu tư "
                                "(investment)."]
    with pytest.raises(GrowthInputError) as e:
        validate_series(series(year=[2020, 2021, 2024], output=[100, 0, -1], labour=["x", None, 52], hours=[1, None, 2]))
    assert e.value.problems == ["Cột year: thiếu năm giữa 2021 và 2024 (chuỗi phải liên tục).",
                                "Cột output, năm 2021, 2024: giá trị phải dương (> 0).",
                                "Cột labour, năm 2020: “x” không phải là số.", "Cột labour, năm 2021: thiếu số liệu.",
                                "Cột hours, năm 2021: thiếu số liệu."]
    assert str(e.value) == " ".join(e.value.problems)
