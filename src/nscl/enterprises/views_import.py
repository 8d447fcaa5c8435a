"""Import page: template download, upload, the whole file checked; the error report as .xlsx."""
from __future__ import annotations

import secrets

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from nscl.accounts import roles
from nscl.common.downloads import XLSX, attachment

from .exports import report_xlsx, template_xlsx
from .forms import ImportForm
from .importer import ImportFileError, run_import

REPORT_SECONDS = 3600


def _staff(request):
    if not roles.can_manage_enterprises(request.user):
        raise PermissionDenied


@login_required
def import_page(request):
    _staff(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = token = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            f = form.cleaned_data["file"]
            try:
                result = run_import(f.read(), f.name, kind=form.cleaned_data["kind"], dry_run=form.cleaned_data["dry_run"])
            except ImportFileError as e:
                form.add_error("file", str(e))
        if form.errors or (result and not result.ok):
            status = 400
        if result is not None:
            token = secrets.token_urlsafe(16)
            cache.set(f"enterprise-import:{request.user.pk}:{token}", report_xlsx(result), REPORT_SECONDS)
    errors = sorted(result.errors.items())[:500] if result else []
    return render(request, "enterprises/import.html", {"form": form, "result": result, "errors": errors,
                                                       "token": token}, status=status)


@login_required
def import_template(request):
    _staff(request)
    names = {"enterprises": "mau-nhap-doanh-nghiep.xlsx", "figures": "mau-nhap-so-lieu-nam.xlsx",
             "support": "mau-nhap-lich-su-ho-tro.xlsx"}
    kind = request.GET.get("kind") if request.GET.get("kind") in names else "enterprises"
    return attachment(template_xlsx(kind), names[kind], XLSX)


@login_required
def import_report(request):
    _staff(request)
    token = (request.GET.get("token") or "")[:64]
    data = cache.get(f"enterprise-import:{request.user.pk}:{token}") if token else None
    if data is None:
        raise Http404
    return attachment(data, "ket-qua-kiem-tra-nhap.xlsx", XLSX)
