"""The inbox and the preferences page. A user reaches only their own notifications and choices:
every query is scoped to request.user (another user's notification is a 404, not a 403, so its
existence is not told). Writes are POST, answered with a redirect (post/redirect/get)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nscl.accounts import roles

from . import kinds
from .models import Notification, Preference
from .services import unread_count


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("notification_inbox")


@login_required
def inbox(request):
    qs = Notification.objects.filter(user=request.user, in_app=True)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [{"n": n, "text": kinds.render(n.kind, n.params, html=True)} for n in page]
    return render(request, "notifications/inbox.html", {
        "page": page, "rows": rows, "unread_only": request.GET.get("unread") == "1",
        "unread": unread_count(request.user),
    })


@login_required
@require_POST
def mark_read(request, pk):
    mine = Notification.objects.filter(pk=pk, user=request.user)
    if not mine.exists():
        raise Http404
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    return _back(request)


@login_required
@require_POST
def mark_all_read(request):
    n = Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    if n:
        messages.success(request, _("Đã đánh dấu %(n)s thông báo là đã đọc.") % {"n": n})
    return _back(request)


@login_required
def preferences(request):
    offered = kinds.offered_to(roles.role_of(request.user))
    saved = {p.kind: p for p in Preference.objects.filter(user=request.user)}
    if request.method == "POST":
        with transaction.atomic():
            for kind in offered:
                Preference.objects.update_or_create(user=request.user, kind=kind.code, defaults={
                    "in_app": request.POST.get(f"{kind.code}-in_app") == "on",
                    "email": request.POST.get(f"{kind.code}-email") == "on"})
        messages.success(request, _("Đã lưu lựa chọn nhận thông báo."))
        return redirect("notification_preferences")
    rows = [{"kind": k, "in_app": saved[k.code].in_app if k.code in saved else True,
             "email": saved[k.code].email if k.code in saved else True} for k in offered]
    return render(request, "notifications/preferences.html", {"rows": rows, "has_email": bool(request.user.email)})
