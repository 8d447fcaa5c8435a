"""Runs an AnalysisJob: in a separate process started by the web request (`nscl run-analysis ID`),
so a long estimation never blocks a page; it reports progress to the job row and stops when the
job is cancelled. The worker reads the stored file once, stores the results' `to_dict()` (views and
charts only display it) and, for firm TFP, the firm-year table at `job.tfp_path` (with the group
column first when the estimate is by group, ``params["by"]``).

A job cannot stay "running" after its worker died: the worker holds a lease and `reap()` fails the
job when it runs out (nscl.common.jobs; the bootstrap pool's processes also end with their parent on
Linux: productivity.firm.bootstrap.setup_pool_worker); the page then offers "Chạy lại" (same file,
same parameters, same seed: the same result)."""
from __future__ import annotations

import os
import signal

from django.utils import timezone

from nscl.common import jobs

from nscl.productivity import firm, impact
from nscl.programme import cache as progress_cache
from nscl.common.uploads import office_limits
from nscl.productivity.tables import read_table

from .models import AnalysisJob


class Cancelled(Exception):
    pass


ACTIVE = (AnalysisJob.Status.QUEUED, AnalysisJob.Status.RUNNING)
WORKER_COMMAND = "run-analysis"


def start(job: AnalysisJob) -> None:
    """Queue the job and start its worker process (its lease starts now: a worker that never
    starts is failed like one that died)."""
    job.status, job.progress, job.progress_note, job.error, job.result = AnalysisJob.Status.QUEUED, 0, "", "", None
    job.heartbeat_at = timezone.now()
    job.save()
    AnalysisJob.objects.filter(pk=job.pk).update(pid=jobs.spawn_worker([WORKER_COMMAND, str(job.pk)]))


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


def reap(now=None) -> list[int]:
    """Fail the analyses whose worker died (nscl.common.jobs)."""
    return jobs.reap_jobs(AnalysisJob, ACTIVE, AnalysisJob.Status.FAILED, WORKER_COMMAND, "phân tích", now=now)


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
    with jobs.Heartbeat(AnalysisJob.objects.filter(pk=job_id, status__in=ACTIVE)):
        return _run(job, job_id)


def _run(job, job_id):
    try:
        p = job.params
        data = _firm_columns(job, p) if job.kind == AnalysisJob.Kind.FIRM_TFP else \
            read_table(job.input_file.path, **office_limits())
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
