import os
import subprocess
import sys


def run(args, tmp_path, **env):
    e = dict(os.environ, NSCL_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/cli.sqlite3", **env)
    return subprocess.run([sys.executable, "-m", "nscl.cli", *args], env=e, capture_output=True, text=True, timeout=300)


def test_init_demo_remove_round_trip(tmp_path):
    out = run(["init"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "10 chỉ tiêu" in out.stdout and "34 tỉnh" in out.stdout and "104 xã/phường mới" in out.stdout
    out = run(["demo"], tmp_path)
    assert out.returncode == 0 and "Đã nạp dữ liệu minh họa" in out.stdout and "canbo" in out.stdout
    out = run(["demo", "--remove"], tmp_path)
    assert out.returncode == 0 and "25 tổ chức, 5 tài khoản" in out.stdout
    out = run(["init"], tmp_path)  # upgrade/re-run is harmless
    assert out.returncode == 0
    out = run(["manage", "showmigrations", "programme"], tmp_path)
    assert "[X] 0001_initial" in out.stdout


def test_adduser_validates_role_and_unit(tmp_path):
    run(["init"], tmp_path)
    out = run(["adduser", "sct1", "--role", "partner", "--password", "Mat-khau-dai-2026"], tmp_path)
    assert out.returncode != 0 and "cần --unit" in out.stderr
    out = run(["adduser", "sct1", "--role", "partner", "--unit", "sct", "--password", "Mat-khau-dai-2026"], tmp_path)
    assert out.returncode == 0 and "Đã tạo tài khoản sct1" in out.stdout
    out = run(["adduser", "x", "--role", "boss", "--password", "Mat-khau-dai-2026"], tmp_path)
    assert out.returncode != 0 and "Vai trò không hợp lệ" in out.stderr
