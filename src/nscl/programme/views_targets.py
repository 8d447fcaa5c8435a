"""Setting up a phase's targets: copy the previous phase's as a draft, save the draft at any time,
publish it with the document that sets it (after a confirmation page), then amend the published
targets by a new document or withdraw them (each asked first). Every act is kept in the phase's
history (services.target_history). Permissions from accounts.roles; writes in services."""
from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from nscl.accounts import roles

from . import services
from .forms import VALUE_LABELS, AmendTargetFormSet, DraftTargetFormSet, TargetsDocumentForm
from .models import Phase, Target

CONFIRMING = {"publish": "publish_confirmed", "amend": "amend_confirmed", "unpublish": "unpublish_confirmed"}


def _wording(phase, form):
    """The phrases of a form's current wording (typed or saved) that name another phase."""
    values = {name: getattr(form.instance, name, "") for name in services.WORDING_FIELDS}
    values.update({name: form[name].value() for name in services.WORDING_FIELDS if name in form.fields})
    return services.wording_warnings(phase, values)


def _forms(request, phase, amending):
    data = request.POST if request.method == "POST" and request.POST.get("action") != "copy" else None
    qs = phase.targets.order_by("order", "code")
    FormSet = AmendTargetFormSet if amending else DraftTargetFormSet
    formset = FormSet(data, queryset=qs, prefix="t", form_kwargs={"amending": amending})
    initial = {}
    doc = phase.targets_document
    if doc is not None and not amending:  # a draft shows the document it will cite; an amendment needs a new one
        initial = {"number": doc.number, "title": doc.title, "issued_on": doc.issued_on, "issuer": doc.issuer}
    action = (data or {}).get("action", "")
    doc_form = TargetsDocumentForm(data, prefix="d", initial=initial,
                                   required=amending or action.startswith(("publish", "amend")))
    for form in formset:
        form.wording = _wording(phase, form)
    return formset, doc_form


def _carried(request):
    """What was typed, carried through a confirmation page as hidden fields (nothing written yet)."""
    return [(k, v) for k, vs in request.POST.lists() if k not in ("csrfmiddlewaretoken", "action", "reason") for v in vs]


def _confirm_page(request, phase, mode, formset=None, doc_form=None):
    rows = []
    if formset is not None:
        before = Target.objects.in_bulk([f.instance.pk for f in formset if f.instance.pk])
        for form in formset:
            if form in formset.deleted_forms:
                rows.append({"target": form.instance, "deleted": True})
                continue
            old = before.get(form.instance.pk)
            rows.append({"target": form.instance, "old": old, "wording": form.wording,
                         "changed": mode != "amend" or form.has_changed()})
    return render(request, "programme/phase_targets_confirm.html", {
        "phase": phase, "mode": mode, "confirm_action": CONFIRMING[mode], "rows": rows,
        "document": doc_form.document() if doc_form is not None else None, "carried": _carried(request),
        "reason": request.POST.get("reason", ""), "lang": translation.get_language(),
        "warned": sum(1 for r in rows if r.get("wording")),
    })


@login_required
def phase_targets(request, phase_code):
    if not roles.can_set_targets(request.user):
        raise PermissionDenied
    phase = get_object_or_404(Phase, code=phase_code)
    previous = services.previous_phase(phase)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    amending = phase.targets_published and (request.GET.get("amend") == "1" or action.startswith(("amend", "edit")))
    editable = amending or not phase.targets_published
    formset, doc_form = _forms(request, phase, amending) if editable else (None, None)
    if request.method == "POST":
        try:
            response = _act(request, phase, previous, action, formset, doc_form)
        except services.PhaseSetupError as e:
            messages.error(request, str(e))
        else:
            if response is not None:
                return response
    targets = list(phase.targets.order_by("order", "code"))
    for t in targets:
        t.wording = services.wording_warnings(phase, {n: getattr(t, n) for n in services.WORDING_FIELDS})
    return render(request, "programme/phase_targets.html", {
        "phase": phase, "previous": previous, "formset": formset, "doc_form": doc_form, "editable": editable,
        "amending": amending, "targets": targets, "has_targets": bool(targets), "lang": translation.get_language(),
        "revisions": phase.revisions.select_related("document", "by").order_by("-at", "-id"),
        "value_labels": json.dumps({k: str(v) for k, v in VALUE_LABELS.items()}, ensure_ascii=False),
        "warned": sum(1 for f in formset if f.wording) if formset is not None else sum(1 for t in targets if t.wording),
    })


def _act(request, phase, previous, action, formset, doc_form):
    """The response to a POST, or None to show the page again (with its errors)."""
    if action == "copy" and previous is not None and not phase.targets_published:
        n = services.copy_targets(previous, phase)
        messages.success(request, _("Đã sao chép %(n)s chỉ tiêu của giai đoạn %(p)s làm bản nháp.") % {"n": n, "p": previous.code})
        warned = sum(1 for t in phase.targets.all()
                     if services.wording_warnings(phase, {n: getattr(t, n) for n in services.WORDING_FIELDS}))
        if warned:
            messages.warning(request, _("%(n)s chỉ tiêu còn nhắc năm của giai đoạn khác trong câu chữ; xem lại các ô "
                                        "được đánh dấu trước khi công bố.") % {"n": warned})
        return redirect("phase_targets", phase_code=phase.code)
    if action in ("unpublish", "unpublish_confirmed") and phase.targets_published:
        if action == "unpublish":
            return _confirm_page(request, phase, "unpublish")
        services.unpublish_targets(phase, request.user, request.POST.get("reason", ""))
        messages.success(request, _("Đã thu hồi công bố chỉ tiêu giai đoạn %(p)s; chỉ tiêu trở lại bản nháp.") % {"p": phase.code})
        return redirect("phase_targets", phase_code=phase.code)
    if action == "edit" and formset is not None:
        return None  # back from a confirmation page: the typed values shown again, nothing written
    if formset is None or action not in ("save", "publish", "publish_confirmed", "amend", "amend_confirmed"):
        return _stale(request, phase)
    if not (formset.is_valid() and doc_form.is_valid()):
        messages.error(request, _("Chưa lưu: kiểm tra các ô báo lỗi."))
        return None
    if action == "save" and not phase.targets_published:
        services.save_draft(phase, formset, doc_form.document())
        messages.success(request, _("Đã lưu bản nháp."))
        return redirect("phase_targets", phase_code=phase.code)
    if action == "publish" and not phase.targets_published:
        return _confirm_page(request, phase, "publish", formset, doc_form)
    if action == "publish_confirmed" and not phase.targets_published:
        services.publish_targets(phase, request.user, formset, doc_form.document())
        messages.success(request, _("Đã công bố chỉ tiêu giai đoạn %(p)s.") % {"p": phase.code})
        return redirect(f"{reverse('dashboard')}?phase={phase.code}")
    if action == "amend" and phase.targets_published:
        if not any(f.has_changed() for f in formset):
            messages.error(request, _("Không có chỉ tiêu nào thay đổi; không ghi sửa đổi."))
            return None
        return _confirm_page(request, phase, "amend", formset, doc_form)
    if action == "amend_confirmed" and phase.targets_published:
        services.amend_targets(phase, request.user, formset, doc_form.document(), request.POST.get("reason", ""))
        messages.success(request, _("Đã sửa đổi chỉ tiêu giai đoạn %(p)s theo văn bản mới.") % {"p": phase.code})
        return redirect("phase_targets", phase_code=phase.code)
    return _stale(request, phase)


def _stale(request, phase):
    """An action the targets' state no longer allows (a second tab, a repeated post): said, nothing written."""
    messages.error(request, _("Thao tác không hợp lệ ở trạng thái hiện tại của chỉ tiêu; trang đã được tải lại."))
    return redirect("phase_targets", phase_code=phase.code)
