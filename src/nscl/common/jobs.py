"""Background jobs that cannot get stuck: the lease every worker holds, and the reaper that fails a
job whose worker died (killed, out of memory, the service restarted).

A job row has `status`, `pid` (its worker, leader of its own process group), `heartbeat_at`,
`created_at`, `error` and `finished_at`. Its worker process renews `heartbeat_at` from a `Heartbeat`
thread every lease/6 seconds, whatever its main thread computes. `reap()` fails every active job
whose lease ran out, with the reason in words, and SIGKILLs what is left of its process group.
Each app with such jobs registers its reaper (`register`); `nscl serve` runs them all at start and
from a thread every lease/3 seconds, and the job pages call their own, so a dead worker's job is
shown failed within a minute, never "running" for ever.

Processes are started with `spawn_worker` in a new session (a page's request ending does not end
them); under systemd they stay in the service's control group, so a restart ends them too, and the
reaper then fails their jobs."""
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

_REAPERS: list = []


def lease_seconds() -> float:
    """How long a worker may stay silent before its job is failed (NSCL_JOB_LEASE_SECONDS, 45)."""
    return float(getattr(settings, "NSCL_JOB_LEASE_SECONDS", 45))


def spawn_worker(args: list[str]) -> int:
    """`python -m nscl.cli ARGS` in its own session and process group; its pid."""
    proc = subprocess.Popen([sys.executable, "-m", "nscl.cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True, env=dict(os.environ))
    return proc.pid


def alive(pid: int) -> bool:
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


def is_worker(pid: int, command: str, job_id: int) -> bool:
    """Is `pid` the worker `nscl COMMAND JOB_ID` (not a process that got a reused pid)?"""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return False
    return command.encode() in args and str(job_id).encode() in args


def end_process_group(pid: int | None, command: str, job_id: int) -> None:
    """SIGKILL what is left of the worker's process group (e.g. a bootstrap pool). A group id is not
    reused while any member lives, so with the leader gone only the job's own processes can hold
    it; a living leader is signalled only when it is this job's worker."""
    if not pid or (alive(pid) and not is_worker(pid, command, job_id)):
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def reap_jobs(model, active, failed, command: str, what: str, now=None) -> list[int]:
    """Fail the jobs of `model` in an `active` status whose lease ran out; their ids. A silent
    worker whose process still lives gets three leases (a loaded machine), then it is ended too."""
    now = now or timezone.now()
    lease = timedelta(seconds=lease_seconds())
    done = []
    stale = list(model.objects.filter(status__in=active, heartbeat_at__lt=now - lease)) + \
        list(model.objects.filter(status__in=active, heartbeat_at__isnull=True, created_at__lt=now - lease))
    for job in stale:
        last = job.heartbeat_at or job.created_at
        if job.pid and alive(job.pid) and is_worker(job.pid, command, job.pk) and now - last < 3 * lease:
            continue
        end_process_group(job.pid, command, job.pk)
        when = formats.date_format(timezone.localtime(last), "d/m/Y H:i:s")
        reason = (f"Tiến trình chạy {what} đã dừng đột ngột (tín hiệu cuối lúc {when}; có thể máy chủ khởi động "
                  "lại hoặc hết bộ nhớ). Kết quả dở dang đã bỏ, không có gì được ghi dở dang. Bấm “Chạy lại” để "
                  "chạy lại với cùng tệp và tham số.")
        # conditional: a worker that beat in the meantime keeps its job
        if model.objects.filter(pk=job.pk, status__in=active, heartbeat_at=job.heartbeat_at).update(
                status=failed, error=reason, finished_at=now, progress_note=""):
            done.append(job.pk)
    return done


class Heartbeat(threading.Thread):
    """Renews a job's lease while the worker process lives: `with Heartbeat(qs):` around the work,
    `qs` the job's row filtered to its active statuses."""

    def __init__(self, queryset):
        super().__init__(name="job-heartbeat", daemon=True)
        self.queryset, self.stopped = queryset, threading.Event()

    def run(self):
        interval = max(0.5, lease_seconds() / 6)
        try:
            while not self.stopped.wait(interval):
                try:
                    self.queryset.update(heartbeat_at=timezone.now())
                except Exception:  # noqa: BLE001 - a database hiccup: the next beat tries again
                    close_old_connections()
        finally:
            connection.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.join(5)
        return False


def register(reaper) -> None:
    """An app's `reap()` (no arguments), run by `reap_all`."""
    if reaper not in _REAPERS:
        _REAPERS.append(reaper)


def reap_all() -> None:
    for reaper in list(_REAPERS):
        reaper()


def reaper_thread(interval: float | None = None) -> threading.Thread:
    """`nscl serve`: every registered reaper now and every few seconds, in a daemon thread."""
    stop = threading.Event()

    def loop():
        while True:
            try:
                reap_all()
            except Exception:  # noqa: BLE001 - database down: try again at the next round
                pass
            finally:
                connection.close()
            stop.wait(interval or max(1.0, lease_seconds() / 3))
    thread = threading.Thread(target=loop, name="job-reaper", daemon=True)
    thread.start()
    return thread
