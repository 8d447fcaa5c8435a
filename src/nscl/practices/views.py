"""Public pages of the good-practice library (no login, phone-first): the list with search and
filters, a case, its public photos and documents. Everything they read comes from
services.public_cases(); a case or file that is not public is a 404, whoever asks."""
from __future__ import annotations

import mimetypes

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from nscl.accounts import roles
from nscl.common.params import int_param

from . import services
from .models import CaseFile, PracticeCase

PAGE_SIZE = 20


def practice_list(request):
    public = services.public_cases()
    qs = services.filter_cases(public, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(int_param(request.GET.get("page"), 1) or 1)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "practices/list.html", {
        "page": page, "query": query.urlencode(), "f": request.GET, "options": services.filter_options(public),
        "can_manage": roles.can_curate_practices(request.user) or roles.own_tax_code(request.user) is not None,
    })


def practice_detail(request, pk):
    case = get_object_or_404(services.public_cases(), pk=pk)
    return render(request, "practices/detail.html", _detail_context(case, public_only=True))


def _detail_context(case, *, public_only):
    """What a case page shows; figures only when the active consent makes them public (the
    management preview passes public_only=False to show officers and the enterprise everything)."""
    figures = not public_only or case.figures_public
    files = case.files.all() if not public_only else case.files.filter(is_public=True)
    d = case.dossier
    return {
        "case": case, "d": d, "e": d.enterprise, "figures": figures,
        "industry": d.enterprise.primary_industry(),
        "productivity": services.productivity(case) if figures else None,
        "indicators": list(case.indicators.all()) if figures else [],
        "photos": [f for f in files if f.kind == CaseFile.Kind.PHOTO],
        "documents": [f for f in files if f.kind == CaseFile.Kind.DOCUMENT],
        "certificates": d.certificates.select_related("standard"),
    }


def case_file(request, pk):
    """A photo (inline, for <img>) or document (download): public when the file is marked public and
    its case is public; otherwise only for those who may see the case unpublished."""
    f = get_object_or_404(CaseFile.objects.select_related("case"), pk=pk)
    staff_view = roles.visible_practice_cases(request.user, PracticeCase.objects.filter(pk=f.case_id)).exists()
    if not staff_view and not (f.is_public and services.public_cases().filter(pk=f.case_id).exists()):
        raise Http404
    try:
        fh = f.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    ctype = mimetypes.guess_type(f.original_name)[0] or "application/octet-stream"
    response = FileResponse(fh, as_attachment=f.kind != CaseFile.Kind.PHOTO, filename=f.original_name,
                            content_type=ctype)
    # revalidated every time: a revoked consent must take a photo off at once, caches included
    response["Cache-Control"] = "private, no-store" if staff_view else "no-cache"
    return response
