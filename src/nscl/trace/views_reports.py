"""Consumers' reports of codes that may be fake: sent from the public product page (CSRF-protected,
at most NSCL_TRACE_REPORTS_PER_HOUR a client address per hour, counted in the cache shared by the
server processes), read and marked handled by the Department's officers. Saved reports and their
handling are audited by the model's signals."""
from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nscl.accounts import roles
from nscl.common.throttle import count_this_hour
from nscl.traceability import keys

from .forms import HandleReportForm, ReportForm
from .models import CounterfeitReport, EventIdentifier
from .public import identifier_for

PER_HOUR = 5


def _sender(request) -> str:
    """A keyed hash of the client address: enough to count and to tell repeated senders apart, not
    an address anybody can read back."""
    address = request.META.get("REMOTE_ADDR", "")
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def _throttled(sender: str) -> bool:
    """Counts this sender's report in the current hour; True once over the limit."""
    return count_this_hour(f"nscl:trace-report:{sender}") > getattr(settings, "NSCL_TRACE_REPORTS_PER_HOUR", PER_HOUR)


def _page_url(gtin, lot, serial) -> str:
    query = {k: v for k, v in (("lot", lot), ("serial", serial)) if v}
    return reverse("trace_product_page", args=[gtin]) + (f"?{urlencode(query)}" if query else "")


def _known(gtin, lot, serial) -> bool:
    try:
        identifier = identifier_for(gtin, lot or None, serial or None)
    except keys.InvalidKey:  # an odd lot or serial: nothing is recorded under it
        return False
    return EventIdentifier.objects.filter(identifier=identifier).exists()


@require_POST
def report(request):
    sender = _sender(request)
    if _throttled(sender):
        return render(request, "trace/public_error.html", {
            "title": _("Đã gửi quá nhiều báo cáo"),
            "message": _("Bạn đã gửi nhiều báo cáo trong một giờ qua. Xin thử lại sau.")}, status=429)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return render(request, "trace/public_error.html", {
            "title": _("Chưa gửi được báo cáo"),
            "message": " ".join(str(m) for ms in form.errors.values() for m in ms)}, status=400)
    data = form.cleaned_data
    CounterfeitReport.objects.create(
        gtin=data["gtin"], lot=data.get("lot", ""), serial=data.get("serial", ""), message=data.get("message", ""),
        place=data.get("place", ""), contact=data.get("contact", ""), sender=sender,
        known=_known(data["gtin"], data.get("lot"), data.get("serial")))
    messages.success(request, _("Cảm ơn bạn: báo cáo đã được gửi tới Sở Khoa học và Công nghệ."))
    return redirect(_page_url(data["gtin"], data.get("lot"), data.get("serial")))


def officer_or_403(request):
    if not roles.can_handle_counterfeit_reports(request.user):
        raise PermissionDenied


@login_required
def report_list(request):
    officer_or_403(request)
    status = request.GET.get("status") if request.GET.get("status") in ("new", "handled", "all") else "new"
    rows = CounterfeitReport.objects.select_related("handled_by")
    if status != "all":
        rows = rows.filter(status=status)
    return render(request, "trace/reports.html", {"rows": rows[:500], "status": status, "form": HandleReportForm(),
                                                  "new_count": CounterfeitReport.objects.filter(status="new").count()})


@login_required
@require_POST
def report_handled(request, pk):
    officer_or_403(request)
    row = get_object_or_404(CounterfeitReport, pk=pk)
    form = HandleReportForm(request.POST)
    if form.is_valid() and row.status == CounterfeitReport.Status.NEW:
        row.status, row.handled_by, row.handled_at = CounterfeitReport.Status.HANDLED, request.user, timezone.now()
        row.handling_note = form.cleaned_data.get("handling_note", "")
        row.save()
        messages.success(request, _("Đã ghi nhận báo cáo là đã xử lý."))
    return redirect("trace_reports")
