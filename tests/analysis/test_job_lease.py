"""A job whose worker died is failed, with the reason in words, within a minute, and can be re-run
(issue 18, item 2). Before: a worker killed mid-bootstrap left its job "Đang chạy" for ever, its pool
processes alive as orphans, and the re-run link hidden."""
import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from nscl.analysis import runner
from nscl.analysis.models import AnalysisJob

from .test_analysis_views import DATA, map_lp, process_ended, upload, wait_for, worker_db  # noqa: F401

pytestmark = pytest.mark.django_db


def _job(status, heartbeat_age=None, **own):
    heartbeat = None if heartbeat_age is None else timezone.now() - timedelta(seconds=heartbeat_age)
    return AnalysisJob.objects.create(kind="firm_tfp", title="t", input_file="analysis/x.csv", status=status,
                                      heartbeat_at=heartbeat, **own)


def test_reap_fails_only_jobs_whose_lease_ran_out(settings):
    settings.NSCL_JOB_LEASE_SECONDS = 30
    silent = _job("running", heartbeat_age=31, progress=0.45, progress_note="Bootstrap 120/300")
    never_started = _job("queued", heartbeat_age=40)
    beating = _job("running", heartbeat_age=5)
    done = _job("done", heartbeat_age=3600)
    assert sorted(runner.reap()) == sorted([silent.pk, never_started.pk])
    for job in (silent, never_started, beating, done):
        job.refresh_from_db()
    assert silent.status == never_started.status == "failed"
    assert "dừng đột ngột" in silent.error and "Chạy lại" in silent.error and silent.finished_at
    assert silent.progress_note == ""
    assert beating.status == "running" and done.status == "done"
    assert runner.reap() == []  # nothing twice


def test_a_job_from_before_the_lease_is_reaped_by_its_age(settings):
    settings.NSCL_JOB_LEASE_SECONDS = 30
    old = _job("running")
    AnalysisJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    young = _job("queued")
    assert runner.reap() == [old.pk]
    young.refresh_from_db()
    assert young.status == "queued"


def test_the_status_page_shows_a_dead_job_failed_with_rerun(officer_client, settings, no_subprocess):
    settings.NSCL_JOB_LEASE_SECONDS = 30
    job = _job("running", heartbeat_age=120, params={"method": "lp", "seed": 7})
    st = officer_client.get(f"/analysis/{job.pk}/status.json").json()
    assert st["status"] == "failed" and "dừng đột ngột" in st["error"]
    page = officer_client.get(f"/analysis/{job.pk}/").content.decode()
    assert f'action="/analysis/{job.pk}/rerun/"' in page and "Chạy lại" in page
    resp = officer_client.post(f"/analysis/{job.pk}/rerun/")
    new = AnalysisJob.objects.exclude(pk=job.pk).get()
    assert resp["Location"] == f"/analysis/{new.pk}/"
    assert no_subprocess == [new.pk] and new.params == {"method": "lp", "seed": 7}
    assert new.input_file.name == job.input_file.name


def test_an_active_job_is_not_rerun(officer_client, settings, no_subprocess):
    job = _job("running", heartbeat_age=0)
    officer_client.post(f"/analysis/{job.pk}/rerun/")
    assert AnalysisJob.objects.count() == 1 and no_subprocess == []


def _children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] not in "ZX":
                out.append(int(entry))
    return out


def _gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in "ZX"
    except OSError:
        return True


def test_kill_9_of_the_worker_mid_bootstrap(officer_client, worker_db, settings, monkeypatch):
    """The fault drill: SIGKILL the worker while its two pool processes bootstrap; the job is failed
    within 60 s, the pool processes end, and "Chạy lại" gives the result of an uninterrupted run."""
    settings.NSCL_JOB_LEASE_SECONDS = 6
    monkeypatch.setenv("NSCL_JOB_LEASE_SECONDS", "6")  # the worker's heartbeat follows the same lease
    upload(officer_client, DATA / "prodest" / "chilean.csv", "firm_tfp")
    job = AnalysisJob.objects.get()
    map_lp(officer_client, job, bootstrap=400, jobs=2)
    wait_for(officer_client, job, lambda st: st["note"].startswith("Bootstrap") or st["status"] not in ("queued", "running"))
    job.refresh_from_db()
    assert job.status == "running", job.error
    pool = _children(job.pid)
    assert len(pool) >= 2  # the bootstrap's worker processes
    os.kill(job.pid, signal.SIGKILL)
    killed = time.monotonic()
    assert process_ended(job.pid)
    seen = wait_for(officer_client, job, lambda st: st["status"] != "running", timeout=60)
    assert time.monotonic() - killed < 60
    job.refresh_from_db()
    assert seen[-1][0] == "failed" and "dừng đột ngột" in job.error
    deadline = time.monotonic() + 10
    while not all(_gone(p) for p in pool) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_gone(p) for p in pool), pool  # no orphans computing on

    officer_client.post(f"/analysis/{job.pk}/rerun/")
    again = AnalysisJob.objects.exclude(pk=job.pk).get()
    wait_for(officer_client, again, lambda st: st["status"] not in ("queued", "running"), timeout=300)
    again.refresh_from_db()
    assert again.status == "done", again.error
    # the same file, parameters and seed as one run in this process, uninterrupted
    reference = job.copy_for_rerun(None)
    AnalysisJob.objects.filter(pk=reference.pk).update(status="queued")
    reference = runner.run(reference.pk)
    assert reference.status == "done", reference.error
    assert again.result["coefficients"] == reference.result["coefficients"]
    assert again.result["std_errors"] == reference.result["std_errors"]
    assert again.result["bootstrap"] == {"reps": 400, "failed": 0}
