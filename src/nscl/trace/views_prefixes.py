"""GS1 company prefixes: an enterprise declares one (with its GS1 Vietnam certificate), an officer
verifies or rejects it after checking the certificate; each decision asks first and is audited
(the model's signals; a verification as a confirmation)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from nscl.accounts import roles

from . import prefixes
from .forms import PrefixForm, RejectPrefixForm, VerifyPrefixForm
from .models import CompanyPrefix
from .views_catalogue import enterprise_or_404, managed_or_403

STATUSES = ("pending", "verified", "rejected", "all")


def officer_or_403(request):
    if not roles.can_verify_prefixes(request.user):
        raise PermissionDenied


@login_required
def prefix_new(request, pk):
    e = managed_or_403(request, enterprise_or_404(request, pk))
    form = PrefixForm(request.POST or None, owner=e)
    if request.method == "POST":
        if form.is_valid():
            prefix = form.save(commit=False)
            prefix.enterprise, prefix.declared_by = e, request.user
            prefix.save()
            messages.success(request, _("Đã khai báo tiền tố %(prefix)s: chờ cán bộ Sở xác minh. Trong lúc chờ, sản "
                                        "phẩm và địa điểm mang mã thuộc tiền tố này là bản nháp.") % {"prefix": prefix.prefix})
            return redirect("trace_enterprise", pk=e.pk)
        status = 400
    else:
        status = 200
    return render(request, "trace/form.html", {"form": form, "e": e, "title": _("Khai báo tiền tố mã doanh nghiệp GS1"),
                                               "intro": _("Tiền tố (mã doanh nghiệp GS1) ghi trên giấy chứng nhận quyền "
                                                          "sử dụng mã số mã vạch do GS1 Việt Nam cấp.")}, status=status)


@login_required
def prefix_list(request):
    officer_or_403(request)
    status = request.GET.get("status") if request.GET.get("status") in STATUSES else "pending"
    rows = CompanyPrefix.objects.select_related("enterprise", "verified_by").order_by("-declared_at", "-pk")
    if status != "all":
        rows = rows.filter(status=status)
    counts = CompanyPrefix.objects.aggregate(**{s: Count("pk", filter=Q(status=s)) for s in STATUSES[:3]})
    return render(request, "trace/prefixes.html", {"rows": rows[:500], "status": status, "counts": counts,
                                                   "statuses": CompanyPrefix.Status.choices})


def _decision(request, pk, form_class, initial, template_title, act):
    officer_or_403(request)
    prefix = get_object_or_404(CompanyPrefix.objects.select_related("enterprise"), pk=pk)
    form = form_class(request.POST or None, initial=initial(prefix))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                act(prefix, form.cleaned_data)
            except prefixes.Conflict:
                form.add_error(None, _("Tiền tố này đã được xác minh cho một doanh nghiệp khác: từ chối hoặc sửa bản "
                                       "ghi đó trước."))
            else:
                return redirect("trace_prefixes")
        status = 400
    return render(request, "trace/prefix_decision.html", {
        "prefix": prefix, "form": form, "title": template_title, "overlapping": list(prefixes.overlapping(prefix)),
        "verify": form_class is VerifyPrefixForm}, status=status)


@login_required
def prefix_verify(request, pk):
    def act(prefix, data):
        prefixes.verify(prefix, request.user, data["certificate_number"], data["valid_from"], data["valid_to"],
                        data.get("note", ""))
        messages.success(request, _("Đã xác minh tiền tố %(prefix)s.") % {"prefix": prefix.prefix})
    return _decision(request, pk, VerifyPrefixForm, lambda p: {
        "certificate_number": p.certificate_number, "valid_from": p.valid_from, "valid_to": p.valid_to, "note": p.note},
        _("Xác minh tiền tố mã doanh nghiệp GS1"), act)


@login_required
def prefix_reject(request, pk):
    def act(prefix, data):
        prefixes.reject(prefix, request.user, data["note"])
        messages.success(request, _("Đã từ chối tiền tố %(prefix)s.") % {"prefix": prefix.prefix})
    return _decision(request, pk, RejectPrefixForm, lambda p: {}, _("Từ chối tiền tố mã doanh nghiệp GS1"), act)
