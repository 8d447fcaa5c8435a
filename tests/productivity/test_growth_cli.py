import json
import subprocess
import sys

import pandas as pd


def run(*args):
    return subprocess.run([sys.executable, "-m", "nscl.cli", "growth", *args], capture_output=True, text=True, timeout=120)


def test_growth_json_from_csv(tmp_path):
    f = tmp_path / "hy.csv"
    pd.DataFrame({"year": range(2015, 2021), "output": [100, 105, 111, 118, 123, 130],
                  "capital": [300, 320, 345, 370, 390, 420], "labour": [50, 51, 51.5, 52, 53, 53.5]}).to_csv(f, index=False)
    out = run("--input", str(f), "--method", "gso", "--alpha", "0.4", "--periods", "2016-2020", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["method"] == "gso" and data["parameters"]["alpha"] == 0.4
    keys = {"year", "output_growth", "capital_growth", "labour_growth", "tfp_growth", "contribution_capital_pct",
            "contribution_labour_pct", "contribution_tfp_pct", "tfp_index"}
    assert keys <= set(data["years"][0])
    y2016 = next(y for y in data["years"] if y["year"] == 2016)
    assert abs(y2016["output_growth"] - 0.05) < 1e-12
    assert abs(y2016["tfp_growth"] - (0.05 - 0.4 * (320 / 300 - 1) - 0.6 * 0.02)) < 1e-12
    p = data["periods"][0]
    assert (p["start"], p["end"]) == (2016, 2020) and abs(p["output_growth"] - (1.3 ** 0.2 - 1)) < 1e-12


def test_growth_from_excel_with_investment(tmp_path):
    f = tmp_path / "hy.xlsx"
    pd.DataFrame({"year": range(2015, 2021), "output": [100, 105, 111, 118, 123, 130], "investment": [30, 32, 35, 37, 40, 44],
                  "investment_price_index": [100, 102, 104, 106, 108, 110], "labour": [50, 51, 51.5, 52, 53, 53.5]}).to_excel(f, index=False)
    out = run("--input", str(f), "--depreciation", "0.05", "--format", "table")
    assert out.returncode == 0, out.stderr
    assert "Growth accounting (gso)" in out.stdout and "depreciation=0.05" in out.stdout


def test_bad_file_gives_a_message_not_a_traceback(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("year,output,capital,labour\n2020,100,200,50\n2020,110,220,51\n")
    out = run("--input", str(f), "--format", "json")
    assert out.returncode != 0 and "năm 2020 bị lặp" in out.stderr and "Traceback" not in out.stderr
    out = run("--input", str(tmp_path / "none.csv"))
    assert out.returncode != 0 and "Không tìm thấy tệp" in out.stderr


def test_default_alpha_and_method_choices_come_from_the_library(tmp_path):
    from nscl.productivity import growth, methods

    f = tmp_path / "hy.csv"
    pd.DataFrame({"year": range(2015, 2018), "output": [100, 105, 111], "capital": [300, 320, 345],
                  "labour": [50, 51, 51.5]}).to_csv(f, index=False)
    out = run("--input", str(f), "--format", "json")
    assert json.loads(out.stdout)["parameters"]["alpha"] == growth.DEFAULT_ALPHA
    assert methods.codes(methods.GROWTH_METHODS) == growth.METHODS
    out = run("--input", str(f), "--method", "solow")
    assert out.returncode != 0 and "gso" in out.stderr and "tornqvist" in out.stderr


def test_gso_uses_persons_unless_adjusted_labour(tmp_path):
    base = {"year": [2020, 2021], "output": [100, 110], "capital": [200, 220], "labour": [50, 51]}
    plain, extra = tmp_path / "plain.csv", tmp_path / "extra.csv"
    pd.DataFrame(base).to_csv(plain, index=False)
    pd.DataFrame({**base, "hours": [2000, 1900], "human_capital": [2.0, 2.1]}).to_csv(extra, index=False)
    a = json.loads(run("--input", str(plain), "--format", "json").stdout)
    b = json.loads(run("--input", str(extra), "--format", "json").stdout)
    assert a["years"] == b["years"] and b["parameters"]["labour_input"] == "persons"
    out = run("--input", str(extra), "--adjusted-labour", "--format", "json")
    c = json.loads(out.stdout)
    assert c["parameters"]["labour_input"] == "adjusted"
    assert abs(c["years"][1]["labour_growth"] - (51 * 1900 * 2.1 / (50 * 2000 * 2.0) - 1)) < 1e-12
