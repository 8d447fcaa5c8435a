"""Fixtures of the analysis tests: media in a temporary folder, an officer, and the worker run in
this process unless a test asks for the real worker process (`worker_db`)."""
import pytest

from nscl.accounts.models import Role
from nscl.analysis import runner
from nscl.analysis.models import AnalysisJob


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def officer_client(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    return client


@pytest.fixture(autouse=True)
def no_subprocess(request, monkeypatch):
    """Run the worker in this process instead of starting `nscl run-analysis` (same code path),
    except in the tests of the real worker process (those using `worker_db`)."""
    started = []
    if "worker_db" in request.fixturenames:
        return started

    def fake_start(job):
        job.status = AnalysisJob.Status.QUEUED
        job.save()
        started.append(job.pk)
    monkeypatch.setattr(runner, "start", fake_start)
    return started
