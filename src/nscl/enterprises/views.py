"""Enterprise pages: list and search, detail with figures and productivity chart, create and edit,
the enterprise user's portal, yearly figures, industries, certificates. Permission decisions come
from accounts.roles; an object a user may not see is 404, one they may see but not change is 403."""
from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nscl.accounts import roles
from nscl.common.downloads import XLSX, attachment
from nscl.common.params import int_param

from . import duties, periods, services
from .dossiers import Certificate, Status
from .exports import enterprises_xlsx
from .forms import CertificateForm, ContactForm, EnterpriseForm, FiguresForm, IndustryForm
from .models import Contact, Enterprise, SizeClass, SupportContent

PAGE_SIZE = 50


def visible(request):
    if not roles.can_view_enterprises(request.user):
        raise PermissionDenied
    return roles.visible_enterprises(request.user, Enterprise.objects.all())


def enterprise_or_404(request, pk) -> Enterprise:
    return get_object_or_404(visible(request).select_related("commune", "parent"), pk=pk)


def editable_or_403(request, pk) -> Enterprise:
    e = enterprise_or_404(request, pk)
    if not roles.can_edit_enterprise(request.user, e):
        raise PermissionDenied
    return e


@login_required
def enterprise_list(request):
    qs = services.filter_enterprises(visible(request), request.GET)
    if request.GET.get("format") == "xlsx":
        return attachment(enterprises_xlsx(qs), "doanh-nghiep.xlsx", XLSX)
    page = Paginator(qs.select_related("commune"), PAGE_SIZE).get_page(int_param(request.GET.get("page"), 1) or 1)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "enterprises/enterprise_list.html", {
        "page": page, "query": query.urlencode(), "sizes": SizeClass.choices, "statuses": Status.choices,
        "standards": SupportContent.objects.filter(certifiable=True), "can_manage": roles.can_manage_enterprises(request.user),
    })


@login_required
def my_enterprise(request):
    """The enterprise user's start page: their enterprise (or the list of theirs, with branches)."""
    qs = visible(request)
    if roles.own_tax_code(request.user) is None:
        return redirect("enterprise_list")
    mine = list(qs.order_by("tax_code")[:2])
    if len(mine) == 1:
        return redirect("enterprise_detail", pk=mine[0].pk)
    if not mine:
        messages.info(request, _("Doanh nghiệp của tài khoản này chưa có trong danh sách: liên hệ cán bộ chương trình."))
    return redirect("enterprise_list")


@login_required
def enterprise_detail(request, pk):
    e = enterprise_or_404(request, pk)
    figures = list(e.figures.order_by("year"))
    for f in figures:
        f.enterprise = e
    user = request.user
    return render(request, "enterprises/enterprise_detail.html", {
        "e": e, "figures": figures, "industries": e.industries.all(),
        "branches": roles.visible_enterprises(user, e.branches.all()), "contacts": e.contacts.all(),
        "dossiers": e.dossiers.select_related("content"), "certificates": e.certificates.select_related("standard"),
        "can_edit": roles.can_edit_enterprise(user, e), "can_apply": roles.can_apply_for_support(user, e),
        "figures_form": FiguresForm(), "industry_form": IndustryForm(), "certificate_form": CertificateForm(),
        "contact_form": ContactForm(),
        "duties": duties.with_done(e.duties.select_related("dossier")), "today": datetime.date.today(),
        "closed_years": sorted(y for _e, y in periods.closed_years([e.pk], [f.year for f in figures])),
        "can_reopen": roles.can_reopen_period(user), "reopenings": e.reopenings.select_related("by")[:10],
    })


def _save_enterprise(request, form, e=None):
    with transaction.atomic():
        obj = form.save()
        form.save_industry(obj)
    messages.success(request, _("Đã lưu doanh nghiệp %s.") % obj.tax_code)
    return redirect("enterprise_detail", pk=obj.pk)


@login_required
def enterprise_create(request):
    if not roles.can_manage_enterprises(request.user):
        raise PermissionDenied
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _save_enterprise(request, form)
    return render(request, "enterprises/enterprise_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def enterprise_edit(request, pk):
    e = editable_or_403(request, pk)
    form = EnterpriseForm(request.POST or None, instance=e,
                          can_change_tax_code=roles.can_manage_enterprises(request.user))
    if request.method == "POST" and form.is_valid():
        return _save_enterprise(request, form, e)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "e": e},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def figures_save(request, pk):
    """Add a year's figures, or replace that year's (one row per enterprise and year)."""
    e = editable_or_403(request, pk)
    form = services.save_year_figures(e, request.POST)
    if form.is_valid():
        messages.success(request, _("Đã lưu số liệu năm %s.") % form.cleaned_data["year"])
        return redirect("enterprise_detail", pk=e.pk)
    return render(request, "enterprises/form_errors.html", {"e": e, "form": form, "title": _("Số liệu năm")}, status=400)


@login_required
@require_POST
def period_reopen(request, pk):
    """An officer reopens a closed reporting year of this enterprise's figures, with a reason."""
    e = enterprise_or_404(request, pk)
    if not roles.can_reopen_period(request.user):
        raise PermissionDenied
    year = int_param(request.POST.get("year"), 2000, datetime.date.today().year)
    try:
        if year is None:
            raise ValidationError(_("Chọn năm cần mở lại."))
        periods.reopen(e, year, request.POST.get("reason", ""), request.user)
    except ValidationError as err:
        for m in err.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("Đã mở lại số liệu năm %(y)s trong %(n)s ngày.") % {"y": year, "n": periods.REOPEN_DAYS})
    return redirect("enterprise_detail", pk=e.pk)


@login_required
@require_POST
def industry_add(request, pk):
    e = editable_or_403(request, pk)
    form = IndustryForm(request.POST, enterprise=e)
    if form.is_valid():
        ind = services.add_industry(e, form.save(commit=False))
        messages.success(request, _("Đã thêm mã ngành %s.") % ind.code)
        return redirect("enterprise_detail", pk=e.pk)
    return render(request, "enterprises/form_errors.html", {"e": e, "form": form, "title": _("Mã ngành")}, status=400)


@login_required
@require_POST
def industry_remove(request, pk, industry_pk):
    """Remove an industry code; when it was the primary one, the oldest remaining becomes primary."""
    e = editable_or_403(request, pk)
    ind = services.remove_industry(e, get_object_or_404(e.industries, pk=industry_pk))
    messages.success(request, _("Đã bỏ mã ngành %s.") % ind.code)
    return redirect("enterprise_detail", pk=e.pk)


@login_required
@require_POST
def contact_add(request, pk):
    e = editable_or_403(request, pk)
    form = ContactForm(request.POST, instance=Contact(enterprise=e))
    if form.is_valid():
        form.save()
        messages.success(request, _("Đã thêm người liên hệ %s.") % form.instance.name)
        return redirect("enterprise_detail", pk=e.pk)
    return render(request, "enterprises/form_errors.html", {"e": e, "form": form, "title": _("Người liên hệ")}, status=400)


@login_required
@require_POST
def contact_remove(request, pk, contact_pk):
    e = editable_or_403(request, pk)
    contact = get_object_or_404(e.contacts, pk=contact_pk)
    contact.delete()
    messages.success(request, _("Đã xóa người liên hệ %s.") % contact.name)
    return redirect("enterprise_detail", pk=e.pk)


@login_required
@require_POST
def certificate_add(request, pk):
    e = editable_or_403(request, pk)
    form = CertificateForm(request.POST)
    if form.is_valid():
        cert = form.save(commit=False)
        cert.enterprise = e
        if services.record_certificate(cert):
            messages.success(request, _("Đã ghi nhận chứng chỉ %s.") % cert.number)
            return redirect("enterprise_detail", pk=e.pk)
        form.add_error("number", _("Chứng chỉ số này của tổ chức chứng nhận này đã được ghi nhận."))
    return render(request, "enterprises/form_errors.html", {"e": e, "form": form, "title": _("Chứng chỉ")}, status=400)


@login_required
def productivity_chart(request, pk):
    e = enterprise_or_404(request, pk)
    return HttpResponse(services.productivity_svg(e), content_type="image/svg+xml")


@login_required
def certificate_list(request):
    if not roles.can_view_enterprises(request.user):
        raise PermissionDenied
    qs = roles.visible_enterprises(request.user, Certificate.objects.select_related("enterprise", "standard"))
    today = datetime.date.today()
    days = int_param(request.GET.get("days"), 1, 3650) or 90
    standard = (request.GET.get("standard") or "")[:40]
    listed = qs.filter(standard__code=standard) if standard else qs
    page = Paginator(listed.order_by("-issued_on", "pk"), PAGE_SIZE).get_page(int_param(request.GET.get("page"), 1) or 1)
    return render(request, "enterprises/certificate_list.html", {
        "page": page, "expiring": services.expiring_certificates(qs, today, days)[:200], "days": days,
        "counts": services.certificate_counts(qs), "standards": SupportContent.objects.filter(certifiable=True),
        "standard": standard,
    })




@login_required
def duty_completeness(request):
    """Officers: how many reporting duties of each year were done on time, late, or not at all."""
    if not roles.can_view_reporting_completeness(request.user):
        raise PermissionDenied
    return render(request, "enterprises/duty_completeness.html",
                  {"rows": duties.completeness(duties.ReportingDuty.objects.all())})
