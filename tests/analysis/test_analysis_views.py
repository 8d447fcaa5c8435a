"""Upload a panel, map its columns, run in the background (the worker called in-process, and the
real worker process), read the results, download Excel and CSV (user text never a live formula);
cancel; permissions; bad input."""
import io
import os
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from nscl.accounts.models import Role
from nscl.analysis import runner
from nscl.analysis.models import AnalysisJob

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent.parent / "data"


def upload(client, path, kind, name=None):
    content = Path(path).read_bytes()
    return client.post("/analysis/", {"title": "Thử", "kind": kind,
                                      "file": SimpleUploadedFile(name or Path(path).name, content)})


def test_firm_tfp_end_to_end(officer_client, no_subprocess):
    resp = upload(officer_client, DATA / "prodest" / "chilean.csv", "firm_tfp")
    job = AnalysisJob.objects.get()
    assert resp["Location"] == f"/analysis/{job.pk}/map/" and job.n_rows == 2544 and "fX1" in job.columns
    resp = officer_client.post(f"/analysis/{job.pk}/map/", {"id": "idvar", "time": "timevar", "output": "Y",
                                                            "free": ["fX1", "fX2"], "state": ["sX"], "proxy": "pX",
                                                            "method": "lp", "bootstrap": 4, "seed": 1, "jobs": 1})
    assert resp.status_code == 302 and no_subprocess == [job.pk]
    job = runner.run(job.pk)
    assert job.status == "done" and job.progress == 1
    assert round(job.result["coefficients"]["sX"], 3) == 0.117 and job.result["bootstrap"] == {"reps": 4, "failed": 0}
    html = officer_client.get(f"/analysis/{job.pk}/").content.decode()
    assert "0,1985" in html or "0.1985" in html
    assert b"<svg" in officer_client.get(f"/analysis/{job.pk}/tfp.svg").content
    wb = load_workbook(io.BytesIO(officer_client.get(f"/analysis/{job.pk}/results.xlsx").content))
    rows = list(wb["He so"].iter_rows(values_only=True))
    assert rows[0] == ("Biến", "Hệ số", "Sai số chuẩn") and rows[3][0] == "sX" and round(rows[3][1], 3) == 0.117
    tfp = list(wb["TFP doanh nghiep"].iter_rows(values_only=True))
    assert len(tfp) == 2545 and tfp[1][0] == 10007
    status = officer_client.get(f"/analysis/{job.pk}/status.json").json()
    assert status["status"] == "done" and status["progress"] == 1


def test_impact_end_to_end(officer_client):
    upload(officer_client, DATA / "did" / "mpdta.csv", "impact")
    job = AnalysisJob.objects.get()
    officer_client.post(f"/analysis/{job.pk}/map/", {"id": "countyreal", "time": "year", "outcome": "lemp",
                                                    "first_treated": "first.treat", "control": "never", "estimator": "dr"})
    job = runner.run(job.pk)
    assert job.status == "done"
    assert round(job.result["aggregations"]["simple"]["att"], 4) == -0.0400
    html = officer_client.get(f"/analysis/{job.pk}/").content.decode()
    assert "-0,0400" in html or "-0.0400" in html
    assert b"<svg" in officer_client.get(f"/analysis/{job.pk}/event.svg").content
    wb = load_workbook(io.BytesIO(officer_client.get(f"/analysis/{job.pk}/results.xlsx").content))
    assert len(list(wb["ATT(g,t)"].iter_rows())) == 13


def test_bad_mapping_and_bad_data(officer_client):
    upload(officer_client, DATA / "prodest" / "chilean.csv", "firm_tfp")
    job = AnalysisJob.objects.get()
    resp = officer_client.post(f"/analysis/{job.pk}/map/", {"id": "idvar", "time": "idvar", "output": "Y", "free": ["fX1"],
                                                            "state": ["sX"], "proxy": "pX", "method": "lp", "bootstrap": 0,
                                                            "seed": 1, "jobs": 1})
    assert "Mỗi cột chỉ được dùng cho một vai trò" in resp.content.decode()
    officer_client.post(f"/analysis/{job.pk}/map/", {"id": "idvar", "time": "timevar", "output": "Y", "free": ["fX1"],
                                                    "state": ["sX"], "proxy": "", "method": "lp", "bootstrap": 0, "seed": 1,
                                                    "jobs": 1})
    job = runner.run(job.pk)
    assert job.status == "failed" and "cần một biến đại diện" in job.error
    assert "cần một biến đại diện" in officer_client.get(f"/analysis/{job.pk}/").content.decode()


def test_not_a_table_is_refused(officer_client):
    resp = officer_client.post("/analysis/", {"title": "x", "kind": "firm_tfp",
                                              "file": SimpleUploadedFile("x.parquet", b"not parquet")})
    assert "Không đọc được bảng số liệu" in resp.content.decode() and not AnalysisJob.objects.exists()
    resp = officer_client.post("/analysis/", {"title": "x", "kind": "firm_tfp", "file": SimpleUploadedFile("x.exe", b"MZ")})
    assert "Chỉ nhận tệp" in resp.content.decode()


def test_cancel_stops_the_job(officer_client):
    upload(officer_client, DATA / "prodest" / "chilean.csv", "firm_tfp")
    job = AnalysisJob.objects.get()
    officer_client.post(f"/analysis/{job.pk}/map/", {"id": "idvar", "time": "timevar", "output": "Y", "free": ["fX1", "fX2"],
                                                    "state": ["sX"], "proxy": "pX", "method": "lp", "bootstrap": 50,
                                                    "seed": 1, "jobs": 1})
    calls = []
    original = runner._report

    def report_then_cancel(job_id, fraction, note):
        calls.append(note)
        if note.startswith("Bootstrap"):
            officer_client.post(f"/analysis/{job_id}/cancel/")
        original(job_id, fraction, note)
    runner._report = report_then_cancel
    try:
        job = runner.run(job.pk)
    finally:
        runner._report = original
    assert job.status == "cancelled" and job.result is None
    from nscl.audit.models import AuditEntry

    entry = AuditEntry.objects.filter(model="analysis.AnalysisJob", object_id=str(job.pk)).latest("id")
    assert entry.before["status"] == "running" and entry.after["status"] == "cancelled"
    assert sum(1 for c in calls if c.startswith("Bootstrap")) == 1  # stopped at the first report


def test_permissions(client, make_user, officer_client):
    from nscl.enterprises.models import Enterprise

    upload(officer_client, DATA / "prodest" / "chilean.csv", "firm_tfp")
    job = AnalysisJob.objects.get()
    client.force_login(make_user(Role.VIEWER))
    assert client.get(f"/analysis/{job.pk}/").status_code == 404  # not theirs
    assert client.post("/analysis/", {"title": "x", "kind": "impact"}).status_code == 403
    org = Enterprise.objects.create(tax_code="0100109106", name="A")
    client.force_login(make_user(Role.ENTERPRISE, enterprise=org))
    assert client.get("/analysis/").status_code == 403
    partner = make_user(Role.PARTNER)
    client.force_login(partner)
    assert client.get(f"/analysis/{job.pk}/map/").status_code == 404


def map_lp(client, job, bootstrap=0, **over):
    return client.post(f"/analysis/{job.pk}/map/", {"id": "idvar", "time": "timevar", "output": "Y", "free": ["fX1", "fX2"],
                                                    "state": ["sX"], "proxy": "pX", "method": "lp", "bootstrap": bootstrap,
                                                    "seed": 1, "jobs": 1, **over})


def test_formula_looking_headers_and_ids_stay_text(officer_client, tmp_path):
    import pandas as pd

    evil_id, evil_col = "=cmd|' /C calc'!A0", "=SUM(A1:A9)"
    d = pd.read_csv(DATA / "prodest" / "chilean.csv")
    d = d.assign(idvar=evil_id + d.idvar.astype(int).astype(str)).rename(columns={"fX1": evil_col})
    d.to_parquet(tmp_path / "evil.parquet")
    upload(officer_client, tmp_path / "evil.parquet", "firm_tfp")
    job = AnalysisJob.objects.get()
    assert evil_col in job.columns and job.n_rows == 2544
    map_lp(officer_client, job, free=[evil_col, "fX2"])
    job = runner.run(job.pk)
    assert job.status == "done", job.error
    resp = officer_client.get(f"/analysis/{job.pk}/results.xlsx")
    assert resp["Content-Disposition"].startswith('attachment; filename="phan-tich-')
    wb = load_workbook(io.BytesIO(resp.content))
    coef = wb["He so"]
    assert coef["A2"].value == evil_col and coef["A2"].data_type == "s" and coef["B2"].data_type == "n"
    firm_cell = wb["TFP doanh nghiep"]["A2"]
    assert firm_cell.value == evil_id + "10007" and firm_cell.data_type == "s"
    assert wb["TFP doanh nghiep"]["C2"].data_type == "n"
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    resp = officer_client.get(f"/analysis/{job.pk}/tfp.csv")
    assert resp["Content-Type"].startswith("text/csv")
    lines = resp.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "firm,time,log_tfp,tfp_index" and len(lines) == 2545
    assert lines[1].startswith("'" + evil_id + "10007,")
    assert not any(line.startswith(("=", "+", "-", "@")) for line in lines)
    html = officer_client.get(f"/analysis/{job.pk}/").content.decode()
    assert "KTC 95%" in html


def test_text_firm_ids_in_the_impact_analysis(officer_client, tmp_path):
    import pandas as pd

    d = pd.read_csv(DATA / "did" / "mpdta.csv")
    d["countyreal"] = "DN" + d["countyreal"].astype(str).str.zfill(5)
    d.to_csv(tmp_path / "dn.csv", index=False)
    upload(officer_client, tmp_path / "dn.csv", "impact")
    job = AnalysisJob.objects.get()
    officer_client.post(f"/analysis/{job.pk}/map/", {"id": "countyreal", "time": "year", "outcome": "lemp",
                                                    "first_treated": "first.treat", "control": "notyet", "estimator": "dr"})
    job = runner.run(job.pk)
    assert job.status == "done", job.error
    assert job.result["n_units"] == 500 and job.result["names"][0] == "ATT(2004,2004)"
    simple = job.result["aggregations"]["simple"]
    assert simple["lower"] < simple["att"] < simple["upper"]
    html = officer_client.get(f"/analysis/{job.pk}/").content.decode()
    lo = f"{simple['lower']:.4f}"
    assert lo in html or lo.replace(".", ",") in html  # the stored interval is what the page shows


def test_upload_is_checked_once_in_the_form(officer_client, tmp_path, monkeypatch):
    from nscl.analysis import forms

    calls = []
    real = forms.peek_table
    monkeypatch.setattr(forms, "peek_table", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    (tmp_path / "two.csv").write_text("id,year\n1,2020\n")
    resp = upload(officer_client, tmp_path / "two.csv", "impact")
    assert "ít nhất 3 cột" in resp.content.decode() and not AnalysisJob.objects.exists()
    resp = upload(officer_client, DATA / "did" / "mpdta.csv", "impact")
    job = AnalysisJob.objects.get()
    assert calls == ["two.csv", "mpdta.csv"] and job.n_rows == 2500 and job.columns[:2] == ["year", "countyreal"]


# ---------------------------------------------------------------------------------------------
# The real worker process (`python -m nscl.cli run-analysis ID`), which needs a database it can reach

@pytest.fixture
def worker_db(transactional_db, settings, tmp_path, monkeypatch):
    """The test database, reachable from a worker subprocess through DATABASE_URL. On PostgreSQL
    (and a file SQLite test database) it is the test database itself; pytest-django's SQLite test
    database is in memory, which no other process can open: for this test the connection moves to
    a file copy of it (then back)."""
    from django.db import connection

    monkeypatch.setenv("NSCL_MEDIA_ROOT", str(settings.MEDIA_ROOT))
    s = connection.settings_dict
    if connection.vendor != "sqlite":
        auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s["PASSWORD"] else "")
        monkeypatch.setenv("DATABASE_URL", f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}")
        yield
        return
    if not connection.is_in_memory_db():
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{s['NAME']}")
        yield
        return
    path = tmp_path / "worker.sqlite3"
    connection.ensure_connection()
    memory, name = connection.connection, s["NAME"]
    copy = sqlite3.connect(path)
    memory.backup(copy)
    copy.close()
    connection.connection = None  # the in-memory database lives on in `memory`
    s["NAME"] = str(path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    try:
        yield
    finally:
        connection.close()
        s["NAME"] = name
        connection.connection = memory


def wait_for(client, job, until, timeout=240):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = client.get(f"/analysis/{job.pk}/status.json").json()
        seen.append((st["status"], st["progress"], st["note"]))
        if until(st):
            return seen
        time.sleep(0.2)
    raise AssertionError(f"the worker did not get there in {timeout} s: {seen[-3:]}")


def process_ended(pid, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # already reaped
            return True
        if done:
            return True
        time.sleep(0.1)
    return False


def test_real_worker_runs_and_reports_progress(officer_client, worker_db):
    upload(officer_client, DATA / "prodest" / "chilean.csv", "firm_tfp")
    job = AnalysisJob.objects.get()
    assert map_lp(officer_client, job, bootstrap=20).status_code == 302
    seen = wait_for(officer_client, job, lambda st: st["status"] not in ("queued", "running"))
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.pid and process_ended(job.pid)
    assert {st for st, _, _ in seen} <= {"queued", "running", "done"} and seen[-1][0] == "done"
    progress = [p for _, p, _ in seen]
    assert progress == sorted(progress) and progress[-1] == 1
    assert round(job.result["coefficients"]["sX"], 3) == 0.117 and job.result["bootstrap"] == {"reps": 20, "failed": 0}
    assert os.path.exists(job.tfp_path)
    assert b"<svg" in officer_client.get(f"/analysis/{job.pk}/tfp.svg").content


def test_real_worker_is_cancelled(officer_client, worker_db):
    upload(officer_client, DATA / "prodest" / "chilean.csv", "firm_tfp")
    job = AnalysisJob.objects.get()
    map_lp(officer_client, job, bootstrap=2000)
    wait_for(officer_client, job, lambda st: st["note"].startswith("Bootstrap") or st["status"] not in ("queued", "running"))
    job.refresh_from_db()
    assert job.status == "running" and job.progress < 0.5  # still running: far from 2000 draws
    officer_client.post(f"/analysis/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert process_ended(job.pid)
    job.refresh_from_db()
    assert job.status == "cancelled" and job.result is None and not os.path.exists(job.tfp_path)
