"""Support dossiers: apply, list, detail with the moves this user may make, attachments."""
from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from nscl.accounts import roles
from nscl.common.params import int_param

from . import services, workflow
from .dossiers import Dossier, DossierAttachment, Status
from .forms import AttachmentForm, DossierForm, TransitionForm
from .views import PAGE_SIZE, editable_or_403


def visible_dossiers(request):
    if not roles.can_view_enterprises(request.user):
        raise PermissionDenied
    return roles.visible_enterprises(request.user, Dossier.objects.select_related("enterprise", "content"))


@login_required
def dossier_list(request):
    qs = visible_dossiers(request)
    status = request.GET.get("status")
    if status in Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(int_param(request.GET.get("page"), 1) or 1)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "enterprises/dossier_list.html", {
        "page": page, "statuses": Status.choices, "query": query.urlencode(),
        "counts": services.dossier_counts(visible_dossiers(request))})


@login_required
def dossier_apply(request, pk):
    e = editable_or_403(request, pk)
    if not roles.can_apply_for_support(request.user, e):
        raise PermissionDenied
    form = DossierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.save(commit=False)
        d.enterprise = e
        services.submit_dossier(d, request.user)
        messages.success(request, "Đã nộp hồ sơ đề nghị hỗ trợ.")
        return redirect("dossier_detail", pk=d.pk)
    return render(request, "enterprises/dossier_form.html", {"form": form, "e": e}, status=400 if form.errors else 200)


def _dossier_or_404(request, pk) -> Dossier:
    return get_object_or_404(visible_dossiers(request), pk=pk)


@login_required
def dossier_detail(request, pk, form=None, status=200):
    d = _dossier_or_404(request, pk)
    return render(request, "enterprises/dossier_detail.html", {
        "d": d, "steps": d.steps.select_related("by"), "attachments": d.attachments.all(),
        "moves": workflow.allowed(d, request.user), "form": form or TransitionForm(),
        "attachment_form": AttachmentForm(), "can_attach": roles.can_add_dossier_attachment(request.user, d),
        "rule": workflow.applicable_rule(d.content, d.decision_date or d.applied_on),
    }, status=status)


@login_required
@require_POST
def dossier_transition(request, pk):
    d = _dossier_or_404(request, pk)
    name = request.POST.get("transition", "")
    form = TransitionForm(request.POST)
    upload = AttachmentForm(request.POST, request.FILES) if request.FILES else None
    if name not in workflow.TRANSITIONS:
        messages.error(request, "Bước xử lý không hợp lệ.")
        return dossier_detail(request, pk, form, status=400)
    if not roles.can_transition_dossier(request.user, d, name):
        raise PermissionDenied
    if not form.is_valid() or (upload is not None and not upload.is_valid()):
        for f in (form, upload):
            for errs in (f.errors.values() if f is not None else []):
                for e in errs:
                    messages.error(request, e)
        return dossier_detail(request, pk, form, status=400)
    values = {k: v for k, v in form.cleaned_data.items() if k != "notes"}
    try:
        with transaction.atomic():
            step = workflow.perform(d, name, request.user, notes=form.cleaned_data["notes"], **values)
            if upload is not None:
                _attach(d, upload, request.user, step)
    except workflow.WorkflowError as e:
        messages.error(request, str(e))
        return dossier_detail(request, pk, form, status=400)
    messages.success(request, f"Đã {workflow.TRANSITIONS[name].label.lower()} hồ sơ.")
    return redirect("dossier_detail", pk=d.pk)


def _attach(d, form, user, step=None):
    f = form.cleaned_data["file"]
    return DossierAttachment.objects.create(dossier=d, step=step, file=f, original_name=f.name[:255],
                                            description=form.cleaned_data["description"], uploaded_by=user)


@login_required
@require_POST
def attachment_add(request, pk):
    d = _dossier_or_404(request, pk)
    if not roles.can_add_dossier_attachment(request.user, d):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
        return dossier_detail(request, pk, status=400)
    _attach(d, form, request.user)
    messages.success(request, "Đã tải lên tệp minh chứng.")
    return redirect("dossier_detail", pk=d.pk)


@login_required
def attachment_download(request, pk):
    a = get_object_or_404(roles.visible_enterprises(request.user, DossierAttachment.objects.all())
                          if roles.can_view_enterprises(request.user) else DossierAttachment.objects.none(), pk=pk)
    try:
        fh = a.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    ctype = mimetypes.guess_type(a.original_name)[0] or "application/octet-stream"
    return FileResponse(fh, as_attachment=True, filename=a.original_name, content_type=ctype)
