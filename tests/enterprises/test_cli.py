"""`nscl enterprise ...`: JSON shapes and exit codes; mst and size run without any database."""
import json
import os
import subprocess
import sys

import pytest

B = 1_000_000_000

pytestmark = pytest.mark.own_sqlite  # each command runs on its own SQLite file, whatever the pass


def run(args, tmp_path, db=True):
    env = dict(os.environ, NSCL_VAR_DIR=str(tmp_path))
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/cli.sqlite3" if db else "postgres://nobody@127.0.0.1:1/none"
    return subprocess.run([sys.executable, "-m", "nscl.cli", "enterprise", *args], env=env, capture_output=True,
                          text=True, timeout=300)


def test_mst_json_and_exit_codes_without_a_database(tmp_path):
    out = run(["mst", "0100109106", "0314409058002", "--format", "json"], tmp_path, db=False)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [
        {"mst": "0100109106", "valid": True, "normalized": "0100109106", "reason": None},
        {"mst": "0314409058002", "valid": True, "normalized": "0314409058-002", "reason": None}]
    out = run(["mst", "0100109106", "0100109107", "0100109106-000", "--format", "json"], tmp_path, db=False)
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert [d["valid"] for d in data] == [True, False, False]
    assert data[1]["reason"] == "Sai chữ số kiểm tra của mã số thuế (chữ số thứ 10 phải là 6, không phải 7)."
    assert data[2]["normalized"] is None and "000" in data[2]["reason"]


@pytest.mark.parametrize("args, expected", [
    (["--sector", "industry_construction", "--employees", "10", "--revenue", str(3 * B), "--capital", str(9 * B)], "micro"),
    (["--sector", "trade_services", "--employees", "51", "--revenue", str(50 * B), "--capital", str(60 * B)], "medium"),
    (["--sector", "agriculture_forestry_fishery", "--employees", "201", "--revenue", "1", "--capital", "1"], "large"),
])
def test_size_json(tmp_path, args, expected):
    out = run(["size", *args, "--format", "json"], tmp_path, db=False)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"size_class", "rule"} and data["size_class"] == expected
    assert "Nghị định 80/2021/NĐ-CP" in data["rule"]


def test_size_refuses_negative_and_unknown_sector(tmp_path):
    out = run(["size", "--sector", "industry_construction", "--employees", "-1", "--revenue", "1", "--capital", "1"],
              tmp_path, db=False)
    assert out.returncode == 2 and "Số lao động không được âm." in out.stderr
    out = run(["size", "--sector", "mining", "--employees", "1", "--revenue", "1"], tmp_path, db=False)
    assert out.returncode == 2 and "Nhóm lĩnh vực “mining” không hợp lệ" in out.stderr


def test_import_and_list(tmp_path):
    assert subprocess.run([sys.executable, "-m", "nscl.cli", "init"], capture_output=True, timeout=300,
                          env=dict(os.environ, NSCL_VAR_DIR=str(tmp_path),
                                   DATABASE_URL=f"sqlite:///{tmp_path}/cli.sqlite3")).returncode == 0
    good = tmp_path / "dn.csv"
    good.write_text("tax_code,name,ownership,commune_code,vsic\n0100109106,Công ty A,private,11953,10790\n"
                    "0314409058,Công ty B,state,,4663\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("tax_code,name,ownership\n0123456789,Công ty C,private\n0100109107,Công ty D,private\n", encoding="utf-8")
    out = run(["import", str(bad)], tmp_path)
    assert out.returncode == 1 and "Dòng 3: Mã số thuế “0100109107”" in out.stderr and "không nhập dòng nào" in out.stderr
    out = run(["import", str(good), "--dry-run"], tmp_path)
    assert out.returncode == 0 and "2 dòng hợp lệ" in out.stdout
    out = run(["list", "--format", "json"], tmp_path)
    assert json.loads(out.stdout) == {"enterprises": []}
    out = run(["import", str(good)], tmp_path)
    assert out.returncode == 0 and "tạo mới 2, cập nhật 0, không đổi 0" in out.stdout
    out = run(["import", str(good)], tmp_path)
    assert "tạo mới 0, cập nhật 0, không đổi 2" in out.stdout
    rows = json.loads(run(["list", "--format", "json"], tmp_path).stdout)["enterprises"]
    assert [(r["tax_code"], r["name"], r["ownership"], r["commune_code"], r["size_class"]) for r in rows] == [
        ("0100109106", "Công ty A", "private", "11953", None), ("0314409058", "Công ty B", "state", None, None)]
