"""Impact from the registry (issue 12, item 2): the panel built by hand on a small case, the minimum
numbers, and `nscl impact --from-registry` printing what `nscl impact` prints on the equivalent CSV."""
import datetime
import json
import math

import numpy as np
import pandas as pd
import pytest

from nscl.analysis import demo_support_impact
from nscl.analysis import support_impact as ri
from nscl.cli import main
from nscl.enterprises.dossiers import Dossier
from nscl.enterprises.models import Enterprise, SupportContent, YearlyFigures
from nscl.enterprises.reference import load_reference
from nscl.stats.deflators import DeflatorSeries, DeflatorValue

pytestmark = pytest.mark.django_db
B = 1_000_000_000


@pytest.fixture
def contents(db):
    load_reference()
    return {c.code: c for c in SupportContent.objects.all()}


def firm(code, figures, *dossiers, contents=None):
    """An enterprise with figures {year: (value_added, employees[, revenue, intermediate_costs])} and
    dossiers (content code, status, accepted_on, amount)."""
    e = Enterprise.objects.create(tax_code=code, name=f"Công ty {code}")
    for year, v in figures.items():
        va, emp, *rest = v
        YearlyFigures.objects.create(enterprise=e, year=year, value_added=va, employees=emp,
                                     revenue=rest[0] if rest else None, intermediate_costs=rest[1] if rest else None)
    for content, status, accepted, amount in dossiers:
        Dossier.objects.create(enterprise=e, content=contents[content], title=content, status=status,
                               applied_on=datetime.date(2015, 1, 1), total_cost=amount, requested_amount=amount,
                               approved_amount=amount, accepted_on=accepted)
    return e


CODES = ["0100109106", "0314409058", "0100100079", "0100101072", "0100101107", "0100101788", "0100102012",
         "0100103231", "0100104796"]


@pytest.fixture
def small(contents, monkeypatch):
    """Nine enterprises over 2019-2021, one of each case (minimum numbers lowered to 1 for them)."""
    monkeypatch.setattr(ri, "MIN_PER_COHORT", 1)
    years = (2019, 2020, 2021)
    d = datetime.date
    firm(CODES[0], {2019: (1 * B, 10), 2020: (1.2 * B, 10), 2021: (1.5 * B, 12)},         # A: supported 2020
         ("iso-9001", "closed", d(2020, 6, 1), 40_000_000), ("5s", "accepted", d(2021, 3, 1), 10_000_000),
         ("kaizen", "closed", d(2022, 3, 1), 99_000_000), contents=contents)             # after the window: not counted
    firm(CODES[1], {y: (2 * B, 20) for y in years})                                       # B: never supported
    firm(CODES[2], {2019: (1 * B, 10), 2021: (1 * B, 10)})                                # C: 2020 missing
    firm(CODES[3], {y: (1 * B, 10) for y in years}, ("5s", "closed", d(2019, 5, 1), 1), contents=contents)  # D: 2019
    firm(CODES[4], {y: (3 * B, 30) for y in years}, ("5s", "closed", d(2023, 5, 1), 1), contents=contents)  # E: later
    firm(CODES[5], {y: (None, 20, 5 * B, 3 * B) for y in years})                          # F: VA = revenue − costs
    firm(CODES[6], {y: (1 * B, 5) for y in years}, ("5s", "implementing", None, 1), contents=contents)  # G: not accepted
    firm(CODES[7], {y: (1 * B, 5) for y in years}, ("5s", "rejected", None, 1), contents=contents)      # H: rejected
    firm(CODES[8], {2019: (1 * B, 8), 2020: (None, 0), 2021: (1 * B, 8)})                 # I: no employees in 2020


def test_the_panel_by_hand(small):
    p = ri.build_panel()
    assert p.years == (2019, 2021)  # every year has as many reporting firms
    frame = p.frame.set_index(["tax_code", "year"])
    assert sorted(set(p.frame["tax_code"])) == sorted([CODES[0], CODES[1], CODES[4], CODES[5], CODES[6], CODES[7]])
    lp = frame["log_labour_productivity"]
    assert lp[(CODES[0], 2019)] == pytest.approx(math.log(100_000_000))      # 1 bn / 10
    assert lp[(CODES[0], 2021)] == pytest.approx(math.log(125_000_000))      # 1.5 bn / 12
    assert lp[(CODES[5], 2020)] == pytest.approx(math.log(100_000_000))      # (5 − 3) bn / 20
    g = frame["first_treated"].groupby("tax_code").first()
    assert g[CODES[0]] == 2020 and (g.drop(CODES[0]) == 0).all()
    d = p.describe()
    assert d["cohorts"] == [{"year": 2020, "n": 1, "used": True}]
    assert (d["n_firms"], d["n_obs"], d["n_never"], d["n_treated"]) == (6, 18, 5, 1)
    assert (d["n_incomplete"], d["n_before"], d["n_after"]) == (2, 1, 1)     # C and I; D; E
    assert d["support_total_vnd"] == 50_000_000   # A's two supports up to 2021, not the 2022 one
    assert d["values"] == "nominal" and d["deflator"] is None


def test_other_outcomes_by_content_and_real_values(small, contents):
    p = ri.build_panel("log_employees")
    assert p.frame.set_index(["tax_code", "year"])["log_employees"][(CODES[0], 2021)] == pytest.approx(math.log(12))
    assert CODES[8] not in set(p.frame["tax_code"]) and p.n_incomplete == 2  # I: employees 0 in 2020; C: no 2020
    p = ri.build_panel("log_revenue")
    assert list(p.frame["tax_code"].unique()) == [CODES[5]]  # only F has revenue
    iso = ri.build_panel(content=contents["iso-9001"])
    assert iso.cohorts == [{"year": 2020, "n": 1, "used": True}] and iso.n_other_content == 2  # D and E first had 5S
    five_s = ri.build_panel(content=contents["5s"])
    assert five_s.cohorts == [] and (five_s.n_before, five_s.n_after, five_s.n_other_content) == (1, 1, 1)
    s = DeflatorSeries.objects.create(name="Chỉ số thử", base_year=2019, source="thử")
    for year, index in ((2019, 100), (2020, 125)):
        DeflatorValue.objects.create(series=s, year=year, index=index)
    with pytest.raises(ri.RegistryPanelError, match="thiếu các năm 2021"):
        ri.build_panel(deflator=s)
    DeflatorValue.objects.create(series=s, year=2021, index=150)
    real = ri.build_panel(deflator=s)
    lp = real.frame.set_index(["tax_code", "year"])["log_labour_productivity"]
    assert lp[(CODES[0], 2021)] == pytest.approx(math.log(125_000_000 / 1.5))
    assert real.describe()["values"] == "real" and real.describe()["deflator"]["base_year"] == 2019


def test_too_few_enterprises_say_how_many_there_are_and_are_needed(contents):
    d = datetime.date
    for i, code in enumerate(CODES[:6]):
        dossiers = [("5s", "closed", d(2020, 5, 1), 1)] if i < 3 else []
        firm(code, {y: (1 * B, 10 + i) for y in (2018, 2019, 2020, 2021)}, *dossiers, contents=contents)
    p = ri.build_panel()
    assert p.cohorts == [{"year": 2020, "n": 3, "used": False}]
    with pytest.raises(ri.RegistryPanelError) as e:
        ri.check_numbers(p, "never")
    assert str(e.value) == ("Không có năm hỗ trợ đầu tiên nào có đủ 5 doanh nghiệp được hỗ trợ với số liệu đủ các năm "
                            "2018-2021 (đang có: năm 2020: 3). Cần ít nhất 5 doanh nghiệp cho một năm.")
    p.cohorts[0]["used"] = True  # as if the cohort were large enough: the comparison group is too small
    with pytest.raises(ri.RegistryPanelError, match="Chỉ có 3 doanh nghiệp chưa từng được hỗ trợ có số liệu đủ các "
                                                    "năm 2018-2021 để so sánh; cần ít nhất 10"):
        ri.check_numbers(p, "never")
    with pytest.raises(ri.RegistryPanelError, match="Chỉ có 3 doanh nghiệp chưa được hỗ trợ vào năm 2020"):
        ri.check_numbers(p, "notyet")


def test_an_empty_registry_is_a_message():
    with pytest.raises(ri.RegistryPanelError, match="chưa có số liệu năm nào"):
        ri.build_panel()


def run(capsys, *args):
    """Exit code (`nscl impact` returns on success, the registry path exits), stdout, stderr."""
    try:
        main(list(args))
        code = 0
    except SystemExit as ended:
        code = ended.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("control, estimator", [("never", "dr"), ("notyet", "reg")])
def test_from_registry_prints_what_nscl_impact_prints_on_the_equivalent_csv(contents, tmp_path, capsys, control,
                                                                            estimator):
    demo_support_impact.load(n_firms=60, seed=4)
    code, out, err = run(capsys, "impact", "--from-registry", "--outcome", "log_labour_productivity",
                         "--control", control, "--estimator", estimator, "--format", "json")
    assert code == 0, err
    registry = json.loads(out)
    # the equivalent CSV, built from the simulation's own numbers (not from the registry)
    firms, figures = demo_support_impact.simulate(60, 4)
    codes = demo_support_impact.demo_tax_codes(60)
    rows = [{"tax_code": codes[i], "year": year, "first_treated": next(g for j, g, _c in firms if j == i),
             "log_labour_productivity": math.log(float(v["value_added"]) / float(v["employees"]))}
            for (i, year), v in figures.items()]
    path = tmp_path / "panel.csv"
    pd.DataFrame(rows).to_csv(path, index=False, float_format="%.17g")
    code, out, err = run(capsys, "impact", "--input", str(path), "--id", "tax_code", "--time", "year", "--outcome",
                         "log_labour_productivity", "--first-treated", "first_treated", "--control", control,
                         "--estimator", estimator, "--format", "json")
    assert code == 0, err
    csv = json.loads(out)
    assert set(registry) == set(csv) == {"att_gt", "aggregations", "sample", "messages", "inference"}
    for key in ("n_units", "n_obs", "n_units_dropped", "years"):  # the same sample, said the same way
        assert registry["sample"][key] == csv["sample"][key], key
    for typ in ("simple", "group", "dynamic", "calendar"):
        assert registry["aggregations"][typ]["att"] == pytest.approx(csv["aggregations"][typ]["att"], abs=1e-12)
        assert registry["aggregations"][typ]["se"] == pytest.approx(csv["aggregations"][typ]["se"], abs=1e-12)
    assert [(r["group"], r["time"]) for r in registry["att_gt"]] == [(r["group"], r["time"]) for r in csv["att_gt"]]
    assert np.allclose([r["att"] for r in registry["att_gt"]], [r["att"] for r in csv["att_gt"]], atol=1e-12)
    # and on the panel's own CSV (what the worker reads) the output is identical, digit for digit
    own = tmp_path / "own.csv"
    own.write_bytes(ri.build_panel().csv_bytes())
    _code, same, _err = run(capsys, "impact", "--input", str(own), "--id", "tax_code", "--time", "year", "--outcome",
                            "log_labour_productivity", "--first-treated", "first_treated", "--control", control,
                            "--estimator", estimator, "--format", "json")
    assert json.loads(same) == registry


def test_from_registry_table_and_messages(contents, capsys):
    demo_support_impact.load(n_firms=60, seed=4)
    code, out, _err = run(capsys, "impact", "--from-registry", "--control", "never", "--estimator", "reg")
    assert code == 0
    assert out.splitlines()[0] == ("Bảng số liệu từ sổ doanh nghiệp: log_labour_productivity, 2016-2025, 60 doanh "
                                   "nghiệp, 600 quan sát; giá hiện hành")
    assert "2017: 9, 2018: 9, 2019: 8, 2020: 6; chưa từng được hỗ trợ: 28." in out and "simple: ATT" in out
    code, _out, err = run(capsys, "impact", "--from-registry", "--content", "haccp", "--format", "json")
    assert code == 1 and err.startswith("Lỗi: Không có năm hỗ trợ đầu tiên nào có đủ 5 doanh nghiệp")
    code, _out, err = run(capsys, "impact", "--from-registry", "--content", "iso_14001")
    assert code == 1 and "không có nội dung hỗ trợ “iso_14001” (tùy chọn --content)" in err
    code, _out, err = run(capsys, "impact", "--from-registry", "--deflator", "999")
    assert code == 1 and "chuỗi chỉ số giảm phát số 999" in err


def test_a_common_deflator_leaves_the_att_on_a_log_outcome_unchanged(contents):
    demo_support_impact.load(n_firms=60, seed=4)
    nominal = ri.estimate(ri.build_panel(), "never", "reg").aggregations["simple"]["att"]
    real = ri.estimate(ri.build_panel(deflator=DeflatorSeries.objects.get(is_demo=True)), "never", "reg")
    assert real.aggregations["simple"]["att"] == pytest.approx(nominal, abs=1e-10)


def test_firm_tfp_outcome_from_the_production_function(contents):
    demo_support_impact.load(n_firms=60, seed=4)
    p = ri.build_panel("log_tfp")
    assert p.tfp["method"] == "lp" and p.tfp["n_obs"] == 540  # the first year has no lag
    # the simulation's elasticities are 0.6 (employees) and 0.3 (fixed assets)
    assert p.tfp["coefficients"]["labour"] == pytest.approx(0.6, abs=0.05)
    assert p.tfp["coefficients"]["capital"] == pytest.approx(0.3, abs=0.1)
    assert len(p.frame) == 600 and p.frame["log_tfp"].notna().all()
    att = ri.estimate(p, "never", "reg").aggregations["simple"]["att"]
    assert 0 < att < 0.2  # labour productivity rose 8% with inputs unchanged: TFP rose too
