"""Runs an AnalysisJob: in a separate process started by the web request (`nscl run-analysis ID`),
so a long estimation never blocks a page; it reports progress to the job row and stops when the
job is cancelled. The worker reads the stored file once, stores the results' `to_dict()` (views and
charts only display it) and, for firm TFP, the firm-year table at `job.tfp_path` (with the group
column first when the estimate is by group, ``params["by"]``).

A job cannot stay "running" after its worker died: the worker holds a lease, renewed by a heartbeat
thread every few seconds (`heartbeat_at`); `reap()` fails every job whose lease ran out, with the
reason in words, and ends what is left of its process group (the bootstrap pool's processes also end
with their parent on Linux: productivity.firm.bootstrap.setup_pool_worker). The pages that show jobs
call `reap()`, and so does `nscl serve` at start and every few seconds while it runs, so a worker
killed by the kernel, by kill -9 or by a restart of the service is failed within a minute, and the
page offers "Chạy lại" (same file, same parameters, same seed: the same result)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import formats, timezone

from nscl.productivity import firm, impact
from nscl.programme import cache as progress_cache
from nscl.productivity.tables import read_table

from .models import AnalysisJob


class Cancelled(Exception):
    pass


ACTIVE = (AnalysisJob.Status.QUEUED, AnalysisJob.Status.RUNNING)


def lease_seconds() -> float:
    """How long a worker may stay silent before its job is failed (NSCL_JOB_LEASE_SECONDS, 45)."""
    return float(getattr(settings, "NSCL_JOB_LEASE_SECONDS", 45))


def start(job: AnalysisJob) -> None:
    """Queue the job and start its worker process (its lease starts now: a worker that never
    starts is failed like one that died)."""
    job.status, job.progress, job.progress_note, job.error, job.result = AnalysisJob.Status.QUEUED, 0, "", "", None
    job.heartbeat_at = timezone.now()
    job.save()
    proc = subprocess.Popen([sys.executable, "-m", "nscl.cli", "run-analysis", str(job.pk)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                            env=dict(os.environ))
    AnalysisJob.objects.filter(pk=job.pk).update(pid=proc.pid)


def cancel(job: AnalysisJob) -> None:
    if job.active and job.pid:
        try:
            os.killpg(job.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    job.refresh_from_db()
    if job.active:  # saved, not updated in bulk, so the cancellation is in the audit log
        job.status, job.finished_at, job.progress_note = AnalysisJob.Status.CANCELLED, timezone.now(), "Đã hủy theo yêu cầu"
        job.save(update_fields=["status", "finished_at", "progress_note"])


def rerun(job: AnalysisJob, user) -> AnalysisJob:
    """A new job on the same stored file with the same parameters (seed included), started now;
    the old one and its error are kept."""
    new = job.copy_for_rerun(user)
    start(new)
    return new


def _alive(pid: int) -> bool:
    """Is the process there and not a zombie? (Our own dead child is collected on the way.)"""
    try:
        os.waitpid(pid, os.WNOHANG)
    except (ChildProcessError, OSError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return True


def _is_worker(pid: int, job_id: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return False
    return b"run-analysis" in args and str(job_id).encode() in args


def _end_process_group(job: AnalysisJob) -> None:
    """SIGKILL what is left of the worker's process group (its bootstrap pool). A group id is not
    reused while any member lives, so with the leader gone only the job's own processes can hold
    it; a living leader is signalled only when it is this job's worker (not a reused pid)."""
    if not job.pid:
        return
    if _alive(job.pid) and not _is_worker(job.pid, job.pk):
        return
    try:
        os.killpg(job.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def reap(now=None) -> list[int]:
    """Fail the jobs whose worker stopped renewing its lease; returns their ids. A silent worker
    whose process still lives gets three leases (a loaded machine), then it is ended too."""
    now = now or timezone.now()
    lease = timedelta(seconds=lease_seconds())
    failed = []
    stale = AnalysisJob.objects.filter(status__in=ACTIVE, heartbeat_at__lt=now - lease)
    legacy = AnalysisJob.objects.filter(status__in=ACTIVE, heartbeat_at__isnull=True, created_at__lt=now - lease)
    for job in list(stale) + list(legacy):
        last = job.heartbeat_at or job.created_at
        if job.pid and _alive(job.pid) and _is_worker(job.pid, job.pk) and now - last < 3 * lease:
            continue
        _end_process_group(job)
        when = formats.date_format(timezone.localtime(last), "d/m/Y H:i:s")
        reason = (f"Tiến trình chạy phân tích đã dừng đột ngột (tín hiệu cuối lúc {when}; có thể máy chủ "
                  "khởi động lại hoặc hết bộ nhớ). Kết quả dở dang đã bỏ. Bấm “Chạy lại” để chạy lại với "
                  "cùng tệp và tham số.")
        # conditional: a worker that beat in the meantime keeps its job
        if AnalysisJob.objects.filter(pk=job.pk, status__in=ACTIVE, heartbeat_at=job.heartbeat_at).update(
                status=AnalysisJob.Status.FAILED, error=reason, finished_at=now, progress_note=""):
            failed.append(job.pk)
    return failed


class _Heartbeat(threading.Thread):
    """Renews the job's lease while the worker process lives (whatever its main thread computes)."""

    def __init__(self, job_id):
        super().__init__(name=f"heartbeat-{job_id}", daemon=True)
        self.job_id, self.stopped = job_id, threading.Event()

    def beat(self):
        AnalysisJob.objects.filter(pk=self.job_id, status__in=ACTIVE).update(heartbeat_at=timezone.now())

    def run(self):
        interval = max(0.5, lease_seconds() / 6)
        try:
            while not self.stopped.wait(interval):
                try:
                    self.beat()
                except Exception:  # noqa: BLE001 - a database hiccup: the next beat tries again
                    close_old_connections()
        finally:
            connection.close()


def reaper_thread(interval: float | None = None) -> threading.Thread:
    """`nscl serve`: reap now and every few seconds, in a daemon thread of the serving process."""
    def loop():
        while True:
            try:
                reap()
            except Exception:  # noqa: BLE001 - database down: try again at the next round
                pass
            finally:
                connection.close()
            stop.wait(interval or max(1.0, lease_seconds() / 3))
    stop = threading.Event()
    thread = threading.Thread(target=loop, name="analysis-reaper", daemon=True)
    thread.start()
    return thread


def _report(job_id, fraction, note):
    updated = AnalysisJob.objects.filter(pk=job_id, status=AnalysisJob.Status.RUNNING).update(
        progress=round(float(fraction), 4), progress_note=note, heartbeat_at=timezone.now())
    if not updated:
        raise Cancelled


def run(job_id: int) -> AnalysisJob:
    job = AnalysisJob.objects.get(pk=job_id)
    if job.status not in ACTIVE:  # cancelled, or failed by the reaper before it started
        return job
    AnalysisJob.objects.filter(pk=job_id, status__in=ACTIVE).update(
        status=AnalysisJob.Status.RUNNING, progress=0.02, progress_note="Đang đọc số liệu", heartbeat_at=timezone.now())
    heartbeat = _Heartbeat(job_id)
    heartbeat.start()
    try:
        return _run(job, job_id)
    finally:
        heartbeat.stopped.set()
        heartbeat.join(5)


def _run(job, job_id):
    try:
        p = job.params
        data = _firm_columns(job, p) if job.kind == AnalysisJob.Kind.FIRM_TFP else read_table(job.input_file.path)
        AnalysisJob.objects.filter(pk=job_id).update(n_rows=len(data))  # exact, now the whole file is parsed
        if job.kind == AnalysisJob.Kind.FIRM_TFP:
            result = _firm_tfp(job, data, p)
        else:
            _report(job_id, 0.1, "Đang kiểm tra số liệu")
            model = impact.CallawaySantAnna(data, id=p["id"], time=p["time"], outcome=p["outcome"],
                                            first_treated=p["first_treated"], control=p.get("control", "never"),
                                            estimator=p.get("estimator", "dr"), covariates=p.get("covariates") or [])
            _report(job_id, 0.2, "Đang ước lượng ATT(g, t)")
            result = model.fit().to_dict()
        AnalysisJob.objects.filter(pk=job_id, status=AnalysisJob.Status.RUNNING).update(
            status=AnalysisJob.Status.DONE, progress=1, progress_note="", result=result, finished_at=timezone.now())
        progress_cache.bump()  # the dashboard's cost-effectiveness reads the latest estimate (a bulk update sends no signal)
    except Cancelled:
        pass
    except (firm.FirmDataError, impact.ImpactDataError, ValueError, KeyError) as e:
        AnalysisJob.objects.filter(pk=job_id).exclude(status=AnalysisJob.Status.CANCELLED).update(
            status=AnalysisJob.Status.FAILED, error=str(e), finished_at=timezone.now())
    except Exception as e:  # noqa: BLE001 - the job must end in a state the page can show
        AnalysisJob.objects.filter(pk=job_id).exclude(status=AnalysisJob.Status.CANCELLED).update(
            status=AnalysisJob.Status.FAILED, error=f"Lỗi không mong đợi: {e.__class__.__name__}: {e}",
            finished_at=timezone.now())
    return AnalysisJob.objects.get(pk=job_id)


def _firm_roles(p):
    return dict(id=p["id"], time=p["time"], output=p["output"], free=p["free"], state=p["state"],
                proxy=p.get("proxy") or None, controls=p.get("controls") or None)


def _firm_columns(job, p):
    """Only the columns the mapping names (and the group column), once."""
    return firm.read_panel(job.input_file.path, by=p.get("by") or None, **_firm_roles(p))


def _firm_tfp(job, data, p):
    _report(job.pk, 0.05, "Đang chuẩn bị bảng số liệu")
    reps = int(p.get("bootstrap") or 0)
    fit = dict(bootstrap=reps, seed=p.get("seed"), jobs=int(p.get("jobs") or 1))
    if p.get("by"):  # one estimate per group, the groups in parallel processes
        _report(job.pk, 0.1, "Đang ước lượng theo nhóm")
        res = firm.fit_by_group(data, p["method"], p["by"], min_group=int(p.get("min_group") or firm.MIN_GROUP),
                                log_inputs=p.get("log_inputs", False), **_firm_roles(p), **fit,
                                progress=lambda done, total: _report(job.pk, 0.1 + 0.88 * done / total,
                                                                     f"Nhóm {done}/{total}"))
    else:
        model = firm.estimate(data, p["method"], log_inputs=p.get("log_inputs", False), **_firm_roles(p))
        _report(job.pk, 0.1, "Đang ước lượng")
        res = model.fit(**fit, progress=lambda done, total: _report(job.pk, 0.1 + 0.88 * done / total,
                                                                    f"Bootstrap {done}/{total}"))
    res.log_tfp.to_csv(job.tfp_path, index=False)  # internal: served only through exports.tfp_csv
    return res.to_dict()
