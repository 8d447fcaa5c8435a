"""Estimation by group (``--by``): each group's estimate is a separate run on its rows (bootstrap
included), whatever the number of processes; groups too small, without a value or failing are
reported, not fatal; the firm TFP table keeps the group; the command line's JSON (groups in two
processes); reading only the columns needed."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nscl.productivity import methods
from nscl.productivity.firm import (MIN_GROUP, FirmDataError, estimate, fit_by_group, group_key, read_panel,
                                    skip_reason)

DATA = Path(__file__).parent.parent / "data" / "prodest" / "chilean.csv"
KW = dict(id="idvar", time="timevar", output="Y", free=["fX1", "fX2"], state=["sX"])


@pytest.fixture(scope="module")
def chilean():
    """prodest's Chilean panel with an industry code per firm: three industries ("01" keeps its
    zero) and a small fourth one of 4 firms."""
    d = pd.read_csv(DATA)
    firms = d.idvar.unique()
    code = {f: ("01", "02", "15")[i % 3] for i, f in enumerate(firms)}
    code.update({f: "99" for f in firms[:4]})
    d["nganh"] = d.idvar.map(code)
    return d


def test_each_group_equals_a_separate_run(chilean):
    res = fit_by_group(chilean, "lp", "nganh", bootstrap=3, seed=4, proxy="pX", **KW)
    assert list(res.groups) == ["01", "02", "15"] and MIN_GROUP == methods.FIRM_MIN_GROUP == 100
    for key, r in res.groups.items():
        alone = estimate(chilean[chilean.nganh == key], "lp", proxy="pX", **KW).fit(bootstrap=3, seed=4)
        assert r.params.to_numpy() == pytest.approx(alone.params.to_numpy(), abs=1e-12)
        assert r.std_errors.to_numpy() == pytest.approx(alone.std_errors.to_numpy(), abs=1e-12)
        assert (r.n_obs, r.n_firms) == (alone.n_obs, alone.n_firms)
        assert r.log_tfp.equals(alone.log_tfp)
    table = res.log_tfp
    assert list(table.columns) == ["nganh", "firm", "time", "log_tfp", "tfp_index"]
    assert len(table) == (chilean.nganh != "99").sum() and set(table.nganh) == {"01", "02", "15"}


def test_small_missing_and_failing_groups_are_reported(chilean):
    d = chilean.copy()
    d.loc[d.idvar == d.idvar.iloc[-1], "nganh"] = None          # a firm without an industry
    d.loc[d.nganh == "02", "pX"] = 1.0                           # a proxy that does not vary
    progress = []
    res = fit_by_group(d, "lp", "nganh", progress=lambda done, total: progress.append((done, total)),
                       proxy="pX", **KW)
    assert list(res.groups) == ["01", "15"] and progress == [(1, 3), (2, 3), (3, 3)]
    n99 = int((d.nganh == "99").sum())
    assert res.skipped["99"] == {"reason": "too_small", "n_obs": n99, "min_group": 100}
    assert res.skipped[""]["reason"] == "missing" and res.skipped["02"]["reason"] == "error"
    text = res.skipped_reasons("vi")
    assert text["99"] == f"nhóm quá nhỏ: {n99} doanh nghiệp-năm, cần ít nhất 100"
    assert "không thay đổi" in text["02"]
    assert res.skipped_reasons("en")["99"] == f"group too small: {n99} firm-years, at least 100 needed"
    d2 = res.to_dict()
    json.dumps(d2, allow_nan=False)
    assert d2["skipped"]["99"] == text["99"] and d2["groups"]["01"]["method"] == "lp"
    summary = res.summary()
    assert "== nganh = 01 ==" in summary and "group too small" in summary
    none = fit_by_group(chilean, "lp", "nganh", min_group=10_000, proxy="pX", **KW)
    assert none.groups == {} and len(none.skipped) == 4 and none.log_tfp.empty


def test_bad_group_columns_are_refused(chilean):
    with pytest.raises(FirmDataError, match="Thiếu cột: nganh2") as e:
        fit_by_group(chilean, "lp", "nganh2", proxy="pX", **KW)
    assert e.value.field == "by"
    with pytest.raises(FirmDataError, match="Cột timevar đang dùng cho vai trò khác"):
        fit_by_group(chilean, "lp", "timevar", proxy="pX", **KW)
    with pytest.raises(FirmDataError, match="Phương pháp “xyz” không có"):
        fit_by_group(chilean, "xyz", "nganh", proxy="pX", **KW)


def test_group_keys():
    assert [group_key(v) for v in (10.0, 10, "01", None, float("nan"), 2.5)] == ["10", "10", "01", "", "", "2.5"]
    assert skip_reason({"reason": "missing", "n_obs": 3}, "en") == "3 rows have no value in this column"


def test_reading_only_the_columns_needed(tmp_path, chilean):
    chilean.to_csv(tmp_path / "c.csv", index=False)
    chilean.to_parquet(tmp_path / "c.parquet")
    for name in ("c.csv", "c.parquet"):
        d = read_panel(tmp_path / name, by="nganh", proxy="pX", **KW)
        assert list(d.columns) == ["Y", "sX", "fX1", "fX2", "pX", "idvar", "timevar", "nganh"], name   # file order
        assert d.attrs["source_columns"] == list(chilean.columns)
        assert isinstance(d.nganh.dtype, pd.CategoricalDtype) and sorted(d.nganh.cat.categories) == ["01", "02", "15", "99"]
        assert d.Y.dtype == np.float64
    d = read_panel(tmp_path / "c.csv", proxy="capital", **KW)   # a column the file lacks: named by the estimator
    with pytest.raises(FirmDataError, match="Thiếu cột: capital. Các cột có: Y, sX, fX1, fX2, pX, cX, inv, idvar"):
        estimate(d, "lp", proxy="capital", **KW)


def test_cli_by_group_json_is_each_group_s_json(tmp_path, chilean, capsys):
    """Two processes over the groups; each group's JSON is that of a run on the group's rows alone."""
    from nscl.cli import main

    f = tmp_path / "c.csv"
    chilean.to_csv(f, index=False)
    chilean[chilean.nganh == "01"].to_csv(tmp_path / "g01.csv", index=False)
    args = ["--id", "idvar", "--time", "timevar", "--output", "Y", "--free", "fX1,fX2", "--state", "sX", "--proxy",
            "pX", "--method", "lp", "--bootstrap", "2", "--seed", "3", "--format", "json"]
    main(["firm-tfp", "--input", str(f), *args, "--by", "nganh", "--jobs", "2"])
    d = json.loads(capsys.readouterr().out)
    main(["firm-tfp", "--input", str(tmp_path / "g01.csv"), *args])
    one = json.loads(capsys.readouterr().out)
    assert set(d) == {"groups", "skipped"} and list(d["groups"]) == ["01", "02", "15"]
    assert d["skipped"] == {"99": f"nhóm quá nhỏ: {(chilean.nganh == '99').sum()} doanh nghiệp-năm, cần ít nhất 100"}
    g = d["groups"]["01"]
    assert set(g) == set(one) and g["n_obs"] == one["n_obs"] and g["bootstrap"] == one["bootstrap"]
    for k in ("coefficients", "std_errors"):
        assert g[k] == pytest.approx(one[k], abs=1e-12)
    with pytest.raises(SystemExit, match=r"Lỗi: Thiếu cột: nganh2\. .* \(tùy chọn --by\)"):
        main(["firm-tfp", "--input", str(f), *args, "--by", "nganh2"])
