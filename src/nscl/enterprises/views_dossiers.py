"""Support dossiers: apply (once per form, however often it is posted), list, detail with the moves
this user may make (each its own form with just its fields and their rules; withdrawal and rejection
confirmed on their own page first), attachments. Every successful post redirects to a page."""
from __future__ import annotations

import mimetypes
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nscl.accounts import roles
from nscl.common.params import int_param

from . import services, workflow
from .dossiers import Dossier, DossierAttachment, Status
from .forms import AttachmentForm, DossierForm, MoveForm
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
        try:
            d, created = workflow.submit(d, request.user, form.cleaned_data["submission_key"])
        except workflow.WorkflowError as err:
            form.add_error(None, str(err))
        else:  # the same form posted again (a double click) leads to the dossier it made
            messages.success(request, _("Đã nộp hồ sơ đề nghị hỗ trợ.") if created else _("Hồ sơ này đã được nộp."))
            return redirect("dossier_detail", pk=d.pk)
    return render(request, "enterprises/dossier_form.html", {
        "form": form, "e": e, "replace_url": reverse("dossier_apply", args=[e.pk]) if form.errors else None,
    }, status=400 if form.errors else 200)


def _dossier_or_404(request, pk) -> Dossier:
    return get_object_or_404(visible_dossiers(request), pk=pk)


def _move_url(d, name) -> str:
    return f"{reverse('dossier_transition', args=[d.pk])}?{urlencode({'move': name})}"


def _move_form(d, t, data=None):
    return MoveForm(t, d, workflow.field_rules(d, t), data)


@login_required
def dossier_detail(request, pk, status=200, replace_url=None):
    d = _dossier_or_404(request, pk)
    steps = list(d.steps.select_related("by").prefetch_related("attachments"))
    for s in steps:
        t = workflow.TRANSITIONS.get(s.transition)
        s.move_label = t.label if t else ""
    moves = [{"t": t, "url": _move_url(d, t.name), "form": None if t.confirm else _move_form(d, t)}
             for t in workflow.allowed(d, request.user)]
    return render(request, "enterprises/dossier_detail.html", {
        "d": d, "steps": steps, "attachments": d.attachments.all(), "moves": moves,
        "attachment_form": AttachmentForm(), "can_attach": roles.can_add_dossier_attachment(request.user, d),
        "rule": workflow.applicable_rule(d.content, d.decision_date or d.applied_on), "replace_url": replace_url,
    }, status=status)


def _move_page(request, d, t, form, status=200, confirming=False):
    """One move's own page: its form alone (after a failed post, with the values and the errors; a
    reload then asks this page again rather than re-posting), or an irreversible move's confirmation."""
    return render(request, "enterprises/dossier_move.html", {
        "d": d, "t": t, "form": form, "confirming": confirming or bool(t.confirm),
        "replace_url": _move_url(d, t.name) if request.method == "POST" else None,
    }, status=status)


def _already_moved(request, d, t, from_status):
    """The answer when the dossier is no longer in the status the form was shown in: the same form
    posted twice (done already: say so) or someone else's move in between (look again)."""
    d.refresh_from_db()
    if not from_status or d.status == from_status:
        return None
    if workflow.already_done(d, t.name, from_status, request.user):
        messages.info(request, _("Bước “%(move)s” đã được ghi nhận trước đó; không ghi thêm.") % {"move": t.label})
    else:
        messages.error(request, _("Hồ sơ vừa được cập nhật (trạng thái hiện tại: “%(status)s”): xem lại trước khi "
                                  "thực hiện.") % {"status": d.get_status_display()})
    return redirect("dossier_detail", pk=d.pk)


@login_required
def dossier_transition(request, pk):
    """GET ?move=NAME: the move's page (its fields and rules, or the confirmation of an irreversible
    one); POST: make the move, then back to the dossier."""
    d = _dossier_or_404(request, pk)
    name = request.POST.get("transition", "") if request.method == "POST" else request.GET.get("move", "")
    t = workflow.TRANSITIONS.get(name)
    if t is None:
        if request.method != "POST":
            return redirect("dossier_detail", pk=d.pk)
        messages.error(request, _("Bước xử lý không hợp lệ."))
        return dossier_detail(request, pk, status=400, replace_url=reverse("dossier_detail", args=[d.pk]))
    if not roles.can_transition_dossier(request.user, d, name):
        raise PermissionDenied
    if request.method != "POST":
        if d.status not in t.sources:
            messages.error(request, _("Không thể “%(move)s” hồ sơ đang ở trạng thái “%(status)s”.") % {
                "move": str(t.label).lower(), "status": d.get_status_display()})
            return redirect("dossier_detail", pk=d.pk)
        return _move_page(request, d, t, _move_form(d, t))
    from_status = request.POST.get("from_status", "")
    moved = _already_moved(request, d, t, from_status)
    if moved:
        return moved
    form = _move_form(d, t, request.POST)
    upload = AttachmentForm(request.POST, request.FILES) if request.FILES else None
    if not form.is_valid() or (upload is not None and not upload.is_valid()):
        for err in (upload.errors.values() if upload is not None else []):
            form.add_error(None, err)
        return _move_page(request, d, t, form, status=400)
    if t.confirm and request.POST.get("confirm") != "1":  # asked first, nothing written
        return _move_page(request, d, t, form, confirming=True)
    try:
        with transaction.atomic():
            step = workflow.perform(d, name, request.user, notes=form.cleaned_data["notes"], **form.values())
            if upload is not None:
                _attach(d, upload, request.user, step)
    except workflow.WorkflowError as e:
        moved = _already_moved(request, d, t, from_status)  # a parallel post of the same form won
        if moved:
            return moved
        form.add_error(None, str(e))
        return _move_page(request, d, t, form, status=400)
    messages.success(request, t.done)
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
        return dossier_detail(request, pk, status=400, replace_url=reverse("dossier_detail", args=[d.pk]))
    _attach(d, form, request.user)
    messages.success(request, _("Đã tải lên tệp minh chứng."))
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
