import os
import subprocess
import sys

import pytest

from tests.deploy.server import Site

# each test makes its own SQLite database, whatever the pass: the PostgreSQL pass leaves them out
pytestmark = pytest.mark.own_sqlite


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


def test_adduser_validates_role_and_unit(tmp_path, monkeypatch):
    """On an initialised site (a copy of the run's `nscl init`: the round trip above tests init itself)."""
    monkeypatch.setenv("DATABASE_URL", "sqlite:///")  # the copy is a SQLite file in either pass
    site = Site(tmp_path).setup(demo=False)
    out = site.nscl("adduser", "sct1", "--role", "partner", "--password", "Mat-khau-dai-2026", check=False)
    assert out.returncode != 0 and "cần --unit" in out.stderr
    out = site.nscl("adduser", "sct1", "--role", "partner", "--unit", "sct", "--password", "Mat-khau-dai-2026")
    assert out.returncode == 0 and "Đã tạo tài khoản sct1" in out.stdout
    out = site.nscl("adduser", "x", "--role", "boss", "--password", "Mat-khau-dai-2026", check=False)
    assert out.returncode != 0 and "Vai trò không hợp lệ" in out.stderr


def _cli_choices(capsys, argv):
    import re

    import pytest

    from nscl.cli import main

    with pytest.raises(SystemExit):
        main(argv)
    err = capsys.readouterr().err
    listed = re.search(r"choose from (.*)\)", err).group(1)
    return {c.strip().strip("'") for c in listed.split(",")}


def test_the_registry_feeds_the_cli_and_the_analysis_form(capsys):
    """One list of methods: the CLI's --method/--control/--estimator choices and the web form's are the registry's."""
    from nscl.analysis.forms import MappingForm
    from nscl.analysis.models import AnalysisJob
    from nscl.productivity import methods

    firm = ["firm-tfp", "--input", "x.csv", "--id", "i", "--time", "t", "--output", "y", "--free", "l", "--state", "k"]
    impact = ["impact", "--input", "x.csv", "--id", "i", "--time", "t", "--outcome", "y", "--first-treated", "g"]
    cli_methods = _cli_choices(capsys, firm + ["--method", "nope"])
    cli_controls = _cli_choices(capsys, impact + ["--control", "nope"])
    cli_estimators = _cli_choices(capsys, impact + ["--estimator", "nope"])
    cli_growth = _cli_choices(capsys, ["growth", "--method", "nope"])
    form = MappingForm(AnalysisJob(kind=AnalysisJob.Kind.FIRM_TFP, columns=["i", "t", "y"]))
    impact_form = MappingForm(AnalysisJob(kind=AnalysisJob.Kind.IMPACT, columns=["i", "t", "y"]))
    assert cli_methods == {c for c, _ in form.fields["method"].choices} == set(methods.codes(methods.FIRM_METHODS))
    assert len(cli_methods) == 7
    assert cli_controls == {c for c, _ in impact_form.fields["control"].choices} == {"never", "notyet"}
    assert cli_estimators == {c for c, _ in impact_form.fields["estimator"].choices} == {"dr", "reg", "ipw"}
    assert cli_growth == set(methods.codes(methods.GROWTH_METHODS)) == {"gso", "tornqvist"}
    # the form class is not changed by building a form for another kind of job
    assert "method" not in MappingForm.base_fields and "method" not in impact_form.fields
