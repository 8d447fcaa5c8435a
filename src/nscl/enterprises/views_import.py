"""Import page: template download, upload; the import runs as a background job (import_jobs) whose
page shows its progress, then the result and the per-row report (.xlsx)."""
from __future__ import annotations

import os

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from nscl.accounts import roles
from nscl.common.downloads import XLSX, attachment

from . import import_jobs
from .exports import template_xlsx
from .forms import ImportForm
from .models import ImportJob


def _staff(request):
    if not roles.can_manage_enterprises(request.user):
        raise PermissionDenied


@login_required
def import_page(request):
    _staff(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_jobs.create(form.cleaned_data["file"], form.cleaned_data["kind"], form.cleaned_data["dry_run"],
                                 request.user)
        return redirect("enterprise_import_job", pk=job.pk)
    import_jobs.reap()
    return render(request, "enterprises/import.html", {"form": form, "jobs": ImportJob.objects.all()[:10]},
                  status=400 if form.errors else 200)


def _job(request, pk):
    _staff(request)
    import_jobs.reap()  # an import whose worker died is shown failed, never "running" for ever
    return get_object_or_404(ImportJob, pk=pk)


@login_required
def import_job(request, pk):
    job = _job(request, pk)
    return render(request, "enterprises/import_job.html", {"job": job, "result": job.result,
                                                           "has_report": os.path.exists(job.report_path)})


@login_required
def import_job_status(request, pk):
    job = _job(request, pk)
    return JsonResponse({"status": job.status, "label": job.get_status_display(), "progress": job.progress,
                         "note": job.progress_note, "error": job.error})


@login_required
def import_template(request):
    _staff(request)
    names = {"enterprises": "mau-nhap-doanh-nghiep.xlsx", "figures": "mau-nhap-so-lieu-nam.xlsx",
             "support": "mau-nhap-lich-su-ho-tro.xlsx"}
    kind = request.GET.get("kind") if request.GET.get("kind") in names else "enterprises"
    return attachment(template_xlsx(kind), names[kind], XLSX)


@login_required
def import_report(request, pk):
    job = _job(request, pk)
    if not os.path.exists(job.report_path):
        raise Http404
    with open(job.report_path, "rb") as f:
        return attachment(f.read(), f"ket-qua-kiem-tra-nhap-{job.pk}.xlsx", XLSX)
