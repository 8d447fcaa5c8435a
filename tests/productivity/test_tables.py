import io

import pandas as pd

from nscl.productivity.tables import read_table, unit_list


def test_delimiter_is_sniffed(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("year;output;labour\n2020;100;5\n2021;110;6\n", encoding="utf-8")
    df = read_table(f)
    assert list(df.columns) == ["year", "output", "labour"] and df.output.tolist() == [100, 110]
    buf = io.BytesIO("\ufeffid,y\n1,2\n".encode("utf-8"))
    assert list(read_table(buf, "x.csv").columns) == ["id", "y"]  # byte-order mark dropped


def test_excel_and_parquet(tmp_path):
    d = pd.DataFrame({"id": [1, 2], "y": [0.5, 1.5]})
    d.to_excel(tmp_path / "a.xlsx", index=False)
    d.to_parquet(tmp_path / "a.parquet")
    assert read_table(tmp_path / "a.xlsx").equals(d) and read_table(tmp_path / "a.parquet").equals(d)


def test_unit_list():
    assert unit_list(pd.Series([10007.0, 10007.0, 20001.0])) == "10007, 20001"
    assert unit_list(pd.Series(range(8)), limit=5) == "0, 1, 2, 3, 4 và 3 đơn vị khác"


def test_peek_table_lists_columns_and_counts_rows(tmp_path):
    from nscl.productivity.tables import peek_table

    d = pd.DataFrame({"id": ["DN001", "DN002", "DN003"], "y": [0.5, 1.5, 2.5]})
    d.to_csv(tmp_path / "a.csv", index=False)
    d.to_excel(tmp_path / "a.xlsx", index=False)
    d.to_parquet(tmp_path / "a.parquet")
    for name in ("a.csv", "a.xlsx", "a.parquet"):
        assert peek_table(tmp_path / name) == (["id", "y"], 3), name
        with open(tmp_path / name, "rb") as f:
            assert peek_table(f, name) == (["id", "y"], 3), name
    (tmp_path / "b.csv").write_bytes(b"id;y\n1;2\n3;4")  # no line end after the last row
    assert peek_table(tmp_path / "b.csv") == (["id", "y"], 2)
    import pytest

    with pytest.raises(Exception):
        peek_table(io.BytesIO(b"not parquet"), "x.parquet")


def test_reading_some_columns_of_csv_excel_and_parquet(tmp_path):
    """Only the columns asked for (those the file has; all the file's in attrs), categories as text."""
    d = pd.DataFrame({"id": [1, 2, 3], "nganh": ["01", "02", "01"], "y": [0.5, 1.5, 2.5], "z": [7, 8, 9]})
    d.to_csv(tmp_path / "a.csv", index=False, sep=";")
    d.to_excel(tmp_path / "a.xlsx", index=False)
    d.to_parquet(tmp_path / "a.parquet")
    for name in ("a.csv", "a.xlsx", "a.parquet"):
        with open(tmp_path / name, "rb") as f:
            for source in (tmp_path / name, f):
                t = read_table(source, name, columns=["y", "nganh", "absent"], categories=["nganh"])
                assert list(t.columns) == ["nganh", "y"], name
                assert t.attrs["source_columns"] == ["id", "nganh", "y", "z"]
                assert t.nganh.astype(str).tolist() == ["01", "02", "01"], name
                assert isinstance(t.nganh.dtype, pd.CategoricalDtype) and t.y.tolist() == [0.5, 1.5, 2.5]
    assert "source_columns" not in read_table(tmp_path / "a.parquet").attrs


def test_head_table_reads_only_the_first_rows(tmp_path):
    from nscl.productivity.tables import head_table

    d = pd.DataFrame({"id": range(1000), "y": [56989.0] * 1000})
    d.to_csv(tmp_path / "a.csv", index=False)
    d.to_excel(tmp_path / "a.xlsx", index=False)
    d.to_parquet(tmp_path / "a.parquet", row_group_size=100)
    for name in ("a.csv", "a.xlsx", "a.parquet"):
        head = head_table(tmp_path / name, rows=50)
        assert list(head.columns) == ["id", "y"] and head["id"].tolist() == list(range(50)), name
        assert head["y"].iloc[0] == 56989


def test_value_scale_tells_levels_from_logarithms():
    from nscl.productivity.firm.panel import value_scale

    assert value_scale([56989, 120000, 0]) == ("level", 120000.0)  # above e^50: no logarithm, zeros or not
    assert value_scale([10.2, 0.0, 3.1]) == ("log", 0.0)            # ≤ 0: no logarithm can be taken
    assert value_scale([-0.5, 2.0]) == ("log", -0.5)
    assert value_scale([3, 12, 40]) == (None, None)                # a few workers, or logarithms: cannot tell
    assert value_scale(["", None, "x"]) == (None, None)
