"""Imports sent on the web run as background jobs: the request stores the file and starts a worker
(`nscl enterprise run-import ID`), the page shows a progress bar, and the result with its per-row
report (.xlsx) is stored with the job, so a dropped connection loses nothing and a 50,000-row file
never meets the server's request timeout. The import itself is `importer.run_import` (all or
nothing, one transaction), as on the command line. The worker holds a lease (nscl.common.jobs): if
it dies, the job is failed with the reason in words and nothing was written (the transaction never
committed)."""
from __future__ import annotations

import os

from django.utils import timezone

from nscl.common import jobs

from .models import ImportJob

ACTIVE = (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
WORKER_COMMAND = "run-import"
MAX_ERRORS_SHOWN = 500


def create(upload, kind: str, dry_run: bool, user) -> ImportJob:
    job = ImportJob(kind=kind, dry_run=dry_run, file_name=os.path.basename(upload.name)[:255], created_by=user)
    job.file.save(os.path.basename(upload.name), upload, save=False)
    job.heartbeat_at = timezone.now()  # the lease starts now: a worker that never starts is failed too
    job.save()
    start(job)
    return job


def start(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(pid=jobs.spawn_worker(["enterprise", WORKER_COMMAND, str(job.pk)]))


def reap(now=None) -> list[int]:
    return jobs.reap_jobs(ImportJob, ACTIVE, ImportJob.Status.FAILED, WORKER_COMMAND, "nhập dữ liệu", now=now)


def _report(job_id, fraction, note):
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).update(
        progress=round(float(fraction), 4), progress_note=note, heartbeat_at=timezone.now())


def summary(result) -> dict:
    """What the page shows: the counts and the first rows' errors (the report has them all)."""
    errors = sorted(result.errors.items())
    return {"ok": result.ok, "dry_run": result.dry_run, "rows": result.rows, "created": result.created,
            "updated": result.updated, "unchanged": result.unchanged, "n_errors": len(errors),
            "errors": [[n, list(messages)] for n, messages in errors[:MAX_ERRORS_SHOWN]]}


def run(job_id: int) -> ImportJob:
    """The worker: the whole file checked, written only when every row is right."""
    from .exports import report_xlsx
    from .importer import ImportFileError, run_import

    job = ImportJob.objects.get(pk=job_id)
    if job.status not in ACTIVE:
        return job
    ImportJob.objects.filter(pk=job_id, status__in=ACTIVE).update(
        status=ImportJob.Status.RUNNING, progress=0.05, progress_note="Đang đọc tệp", heartbeat_at=timezone.now())
    with jobs.Heartbeat(ImportJob.objects.filter(pk=job_id, status__in=ACTIVE)):
        try:
            with job.file.open("rb") as f:
                data = f.read()
            _report(job_id, 0.1, "Đang kiểm tra từng dòng" + ("" if job.dry_run else " và ghi"))
            result = run_import(data, job.file_name, kind=job.kind, dry_run=job.dry_run)
            _report(job_id, 0.95, "Đang lập báo cáo kiểm tra")
            _write_report(job.report_path, report_xlsx, result)
            ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).update(
                status=ImportJob.Status.DONE, progress=1, progress_note="", result=summary(result),
                finished_at=timezone.now())
        except ImportFileError as e:
            ImportJob.objects.filter(pk=job_id, status__in=ACTIVE).update(
                status=ImportJob.Status.FAILED, error=str(e), progress_note="", finished_at=timezone.now())
        except Exception as e:  # noqa: BLE001 - the job must end in a state the page can show
            ImportJob.objects.filter(pk=job_id, status__in=ACTIVE).update(
                status=ImportJob.Status.FAILED, progress_note="", finished_at=timezone.now(),
                error=f"Lỗi không mong đợi: {e.__class__.__name__}: {e}. Không có dòng nào được ghi.")
    return ImportJob.objects.get(pk=job_id)


def _write_report(path, report_xlsx, result) -> None:
    """Whole or not at all; the import's result stands even when its report cannot be written."""
    tmp = path + ".partial"
    try:
        with open(tmp, "wb") as out:
            out.write(report_xlsx(result))
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
