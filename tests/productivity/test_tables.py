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
