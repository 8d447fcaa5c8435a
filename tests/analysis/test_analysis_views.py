"""Upload a panel, map its columns, run in the background (here: the worker called in-process), read
the results, download Excel; cancel; permissions; bad input."""
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from nscl.accounts.models import Role
from nscl.analysis import runner
from nscl.analysis.models import AnalysisJob

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def officer_client(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    return client


@pytest.fixture(autouse=True)
def no_subprocess(monkeypatch):
    """Run the worker in this process instead of starting `nscl run-analysis` (same code path)."""
    started = []

    def fake_start(job):
        job.status = AnalysisJob.Status.QUEUED
        job.save()
        started.append(job.pk)
    monkeypatch.setattr(runner, "start", fake_start)
    return started


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
    from nscl.programme.models import Organisation

    upload(officer_client, DATA / "prodest" / "chilean.csv", "firm_tfp")
    job = AnalysisJob.objects.get()
    client.force_login(make_user(Role.VIEWER))
    assert client.get(f"/analysis/{job.pk}/").status_code == 404  # not theirs
    assert client.post("/analysis/", {"title": "x", "kind": "impact"}).status_code == 403
    org = Organisation.objects.create(tax_code="0100109106", name="A")
    client.force_login(make_user(Role.ENTERPRISE, organisation=org))
    assert client.get("/analysis/").status_code == 403
    partner = make_user(Role.PARTNER)
    client.force_login(partner)
    assert client.get(f"/analysis/{job.pk}/map/").status_code == 404
