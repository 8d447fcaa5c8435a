"""A web import runs as a background job (issue 18, item 2): the request stores the file and
answers at once; the job page shows progress, then the result and the per-row report, kept with
the job (a dropped connection loses nothing); a worker that dies leaves its job failed with the
reason, nothing written. Before: the import ran inside the request (42-149 s for 50,000 rows,
past gunicorn's 120 s timeout) and its report lived an hour in the cache."""
import io
import os
import signal
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from nscl.accounts.models import Role
from nscl.enterprises.models import Enterprise, ImportJob

from ..analysis.test_analysis_views import worker_db  # noqa: F401  (the test database for a worker process)

pytestmark = pytest.mark.django_db
HEADER = "tax_code,name,ownership,sector_group\n"


@pytest.fixture
def officer(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    return client


def csv(rows: str, name="dn.csv"):
    return SimpleUploadedFile(name, (HEADER + rows).encode())


def test_an_import_is_a_job_with_its_result_and_report_kept(officer):
    resp = officer.post("/enterprises/import/", {"kind": "enterprises", "file": csv("0100109106,Công ty A,private,trade_services\n")})
    job = ImportJob.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/enterprises/import/{job.pk}/"
    assert job.status == "done", job.error
    assert job.file_name == "dn.csv" and job.created_by is not None
    assert job.result["ok"], job.result["errors"]
    assert job.result["created"] == 1 and Enterprise.objects.filter(tax_code="0100109106").exists()
    page = officer.get(resp["Location"]).content.decode()
    assert "Đã nhập 1 dòng: tạo mới 1, cập nhật 0, không đổi 0." in page
    report = officer.get(f"/enterprises/import/{job.pk}/report.xlsx")
    assert report.status_code == 200
    assert load_workbook(io.BytesIO(report.content)).active.max_row >= 2
    st = officer.get(f"/enterprises/import/{job.pk}/status.json").json()
    assert st["status"] == "done" and st["progress"] == 1
    assert "dn.csv" in officer.get("/enterprises/import/").content.decode()  # listed among recent imports


def test_rows_with_errors_write_nothing_and_are_listed(officer):
    officer.post("/enterprises/import/", {"kind": "enterprises", "file": csv("0100109106,Công ty A,private,trade_services\n123,Công ty B,private,trade_services\n")})
    job = ImportJob.objects.get()
    assert job.status == "done" and not job.result["ok"] and job.result["n_errors"] == 1
    assert job.result["errors"][0][0] == 3  # the row number as the spreadsheet shows it
    assert not Enterprise.objects.filter(tax_code="0100109106").exists()
    page = officer.get(f"/enterprises/import/{job.pk}/").content.decode()
    assert "1/2 dòng có lỗi: không nhập dòng nào." in page


def test_an_unreadable_file_fails_the_job_with_the_reason(officer):
    officer.post("/enterprises/import/", {"kind": "enterprises", "file": SimpleUploadedFile("x.xlsx", b"not a zip")})
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.error


def test_only_staff_see_imports(client, make_user, officer):
    officer.post("/enterprises/import/", {"kind": "enterprises", "file": csv("0100109106,Công ty A,private,trade_services\n")})
    job = ImportJob.objects.get()
    client.force_login(make_user(Role.VIEWER))
    for url in (f"/enterprises/import/{job.pk}/", f"/enterprises/import/{job.pk}/status.json",
                f"/enterprises/import/{job.pk}/report.xlsx"):
        assert client.get(url).status_code == 403


def test_a_dead_import_worker_is_reaped(officer, settings):
    settings.NSCL_JOB_LEASE_SECONDS = 30
    job = ImportJob.objects.create(kind="enterprises", file="imports/x.csv", file_name="x.csv", status="running",
                                   heartbeat_at=timezone.now() - timedelta(seconds=40))
    st = officer.get(f"/enterprises/import/{job.pk}/status.json").json()
    assert st["status"] == "failed" and "nhập dữ liệu đã dừng đột ngột" in st["error"]


def _wait(client, job, until, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = client.get(f"/enterprises/import/{job.pk}/status.json").json()
        if until(st):
            return st
        time.sleep(0.2)
    raise AssertionError(f"not there in {timeout} s: {st}")


def test_the_real_worker_imports_and_a_killed_one_writes_nothing(officer, worker_db, settings, monkeypatch):
    settings.NSCL_JOB_LEASE_SECONDS = 5
    monkeypatch.setenv("NSCL_JOB_LEASE_SECONDS", "5")
    officer.post("/enterprises/import/", {"kind": "enterprises", "file": csv("0100109106,Công ty A,private,trade_services\n")})
    job = ImportJob.objects.get()
    st = _wait(officer, job, lambda st: st["status"] not in ("queued", "running"))
    assert st["status"] == "done", st
    assert Enterprise.objects.filter(tax_code="0100109106").exists()

    rows = "".join(f"{code},Công ty {i},private,trade_services\n" for i, code in enumerate(_valid_codes(20000)))
    officer.post("/enterprises/import/", {"kind": "enterprises", "file": csv(rows, "lon.csv")})
    big = ImportJob.objects.get(file_name="lon.csv")
    _wait(officer, big, lambda st: st["status"] == "running" and st["progress"] >= 0.1)
    big.refresh_from_db()
    os.kill(big.pid, signal.SIGKILL)
    st = _wait(officer, big, lambda st: st["status"] != "running", timeout=60)
    assert st["status"] == "failed" and "dừng đột ngột" in st["error"]
    assert Enterprise.objects.count() == 1  # all or nothing: the killed transaction never committed


def _valid_codes(n):
    """n valid 10-digit tax codes (check digit by the rule of nscl.enterprises.mst)."""
    from nscl.enterprises import mst

    out, base = [], 200000000
    while len(out) < n:
        base += 1
        for d in range(10):
            code = f"{base}{d}"
            if mst.check(code).valid:
                out.append(code)
                break
    return out
