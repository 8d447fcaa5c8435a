"""The audit log page (administrators), filtered by user, action, model, object and dates."""
import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from nscl.accounts import roles

from .models import AuditEntry


@login_required
def audit_log(request):
    if not roles.can_view_audit(request.user):
        raise PermissionDenied
    qs = AuditEntry.objects.all()
    f = request.GET
    if f.get("user"):
        qs = qs.filter(username__icontains=f["user"])
    if f.get("action") in AuditEntry.Action.values:
        qs = qs.filter(action=f["action"])
    if f.get("model"):
        qs = qs.filter(model=f["model"])
    if f.get("object_id"):
        qs = qs.filter(object_id=f["object_id"])
    for key, lookup in (("from", "at__date__gte"), ("to", "at__date__lte")):
        try:
            qs = qs.filter(**{lookup: datetime.datetime.strptime(f.get(key, ""), "%d/%m/%Y").date()})
        except ValueError:
            pass
    models = sorted(((m, AuditEntry(model=m).model_name) for m in
                     AuditEntry.objects.order_by("model").values_list("model", flat=True).distinct()), key=lambda x: x[1])
    return render(request, "audit/log.html", {
        "page": Paginator(qs, 50).get_page(f.get("page")), "actions": AuditEntry.Action.choices,
        "models": models, "query": f.urlencode(),
    })
