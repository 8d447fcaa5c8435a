"""Declaring and ending a recall from the pages (officers, or the enterprise whose lots they are).
Declaring asks first (the form, then a page repeating what will happen), since the EPCIS event it
captures is never undone and the enterprises downstream are told at once; ending asks first too."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from nscl.accounts import roles
from nscl.enterprises.models import Enterprise

from . import recalls, store
from .forms import EndRecallForm, RecallForm
from .models import Recall
from .views_catalogue import enterprise_or_404


def visible_recalls(user):
    """The recall records a user may see (roles.can_view_recall), newest first."""
    rows = Recall.objects.select_related("owner").prefetch_related("lots__product")
    if roles.can_see_all_trace(user):
        return rows
    mine = roles.visible_enterprises(user, Enterprise.objects.all())
    return rows.filter(Q(owner__in=mine) | Q(notified__in=mine)).distinct()


@login_required
def recall_new(request, pk):
    e = enterprise_or_404(request, pk)
    if not roles.can_declare_recall(request.user, e):
        raise PermissionDenied
    form = RecallForm(request.POST or None, choices=recalls.known_lots(e))
    context = {"e": e, "form": form}
    if request.method != "POST":
        return render(request, "trace/recall_new.html", context)
    if not form.is_valid():
        return render(request, "trace/recall_new.html", context, status=400)
    data = form.cleaned_data
    if request.POST.get("confirmed") != "1":  # ask first: what will happen, then the same form posted again
        return render(request, "trace/recall_confirm.html", {**context, "lots": data["lots"], "data": data})
    try:
        recall = recalls.declare(e, data["lots"], data["reason"], data["instructions"], request.user,
                                 instructions_en=data.get("instructions_en", ""))
    except store.Refused as refused:
        context["refused"] = refused
        return render(request, "trace/recall_new.html", context, status=refused.status)
    messages.success(request, _("Đã khai báo thu hồi; đã ghi sự kiện thu hồi và thông báo cho %(n)s doanh nghiệp "
                                "liên quan.") % {"n": recall.notified.count()})
    return redirect("trace_recall_detail", pk=recall.pk)


def _recall_or_404(request, pk) -> Recall:
    recall = get_object_or_404(Recall.objects.select_related("owner", "declared_by", "ended_by"), pk=pk)
    if not roles.can_view_recall(request.user, recall.owner, recall.notified.all()):
        raise PermissionDenied
    return recall


@login_required
def recall_detail(request, pk):
    recall = _recall_or_404(request, pk)
    return render(request, "trace/recall_detail.html", {
        "recall": recall, "lots": recall.lots.select_related("product"), "notified": recall.notified.order_by("name"),
        "can_end": recall.state == Recall.State.ACTIVE and roles.can_declare_recall(request.user, recall.owner),
        "lang": request.LANGUAGE_CODE})


@login_required
def recall_end(request, pk):
    recall = _recall_or_404(request, pk)
    if not roles.can_declare_recall(request.user, recall.owner):
        raise PermissionDenied
    if recall.state != Recall.State.ACTIVE:
        return redirect("trace_recall_detail", pk=recall.pk)
    form = EndRecallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        recalls.end(recall, request.user, form.cleaned_data.get("note", ""))
        messages.success(request, _("Đã kết thúc đợt thu hồi."))
        return redirect("trace_recall_detail", pk=recall.pk)
    return render(request, "trace/recall_end.html", {"recall": recall, "form": form,
                                                     "lots": recall.lots.select_related("product")},
                  status=400 if form.is_bound else 200)
