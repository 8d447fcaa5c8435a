"""Reproducing PWT 10.01's rtfpna from its own columns (Feenstra, Inklaar & Timmer 2015; CC BY 4.0)."""
import json
import os
import subprocess
import sys

import pytest

from nscl.productivity.pwt import country_series, load_pwt, reproduce_rtfpna, reproduction_errors


@pytest.fixture(scope="module")
def pwt():
    return load_pwt()


def test_reproduction_over_every_row_with_all_inputs(pwt):
    rows = reproduce_rtfpna(pwt)
    stats = reproduction_errors(rows)
    assert stats["compared"] == 3134 and stats["countries"] == 64
    assert stats["median_abs_error"] <= 0.002
    assert stats["max_abs_error"] <= 0.03


def test_rows_without_hours_get_a_null_index(pwt):
    rows = reproduce_rtfpna(pwt, ["KEN"])  # Kenya: PWT publishes rtfpna but no hours
    no_hours = pwt[(pwt.countrycode == "KEN") & pwt.avh.isna() & pwt.rtfpna.notna()].year
    assert len(no_hours) == 66
    assert rows.set_index("year").loc[list(no_hours), "tfp_index"].isna().all()


def test_base_year_2017_is_one(pwt):
    rows = reproduce_rtfpna(pwt, ["USA", "DEU"]).set_index(["country", "year"])
    assert rows.loc[("USA", 2017), "tfp_index"] == pytest.approx(1.0)
    assert rows.loc[("USA", 1990), "tfp_index"] == pytest.approx(rows.loc[("USA", 1990), "rtfpna_published"], abs=0.0015)


def test_vietnam_series_is_available_for_growth_accounting(pwt):
    vnm = country_series(pwt, "VNM")
    assert {"year", "output", "capital", "labour", "hours", "human_capital"} <= set(vnm.columns)
    assert vnm.year.min() <= 1990 and vnm.year.max() == 2019


def test_cli_pwt_json():
    out = subprocess.run([sys.executable, "-m", "nscl.cli", "growth", "--pwt", "--country", "all", "--format", "json"],
                         capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["median_abs_error"] <= 0.002 and data["max_abs_error"] <= 0.03
    assert set(data["rows"][0]) == {"country", "year", "tfp_index", "rtfpna_published"}
