"""Writes and computed views of the programme, shared by pages, API, exports and commands."""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nscl.audit.models import AuditEntry

from .models import KIND_MODELS, Activity, Phase, Target
from .progress import evaluate


class StaleForm(Exception):
    pass


def counting_rows(target, years):
    """(year, key) of the confirmed, completed records that count toward `target`."""
    model = KIND_MODELS[target.activity_kind]
    qs = model.objects.filter(
        status=Activity.Status.COMPLETED,
        confirmed_at__isnull=False,
        count_year__gte=years[0],
        count_year__lte=years[-1],
        **(target.criteria or {}),
    )
    return list(qs.values_list("count_year", target.distinct_by or "pk"))


def counting_records(target, years):
    model = KIND_MODELS[target.activity_kind]
    return model.objects.filter(
        status=Activity.Status.COMPLETED, confirmed_at__isnull=False,
        count_year__gte=years[0], count_year__lte=years[-1], **(target.criteria or {}),
    ).select_related("responsible_unit", "location")


def default_as_of(phase: Phase) -> int:
    return min(max(timezone.localdate().year, phase.start_year), phase.end_year)


def phase_progress(phase: Phase, as_of: int | None = None, unit=None):
    as_of = default_as_of(phase) if as_of is None else min(max(as_of, phase.start_year), phase.end_year)
    targets = phase.targets.select_related("responsible_unit")
    if unit is not None:
        targets = targets.filter(responsible_unit=unit)
    years = phase.years
    return [evaluate(t, counting_rows(t, years), years, as_of) for t in targets]


def target_progress(target: Target, as_of: int | None = None):
    phase = target.phase
    as_of = default_as_of(phase) if as_of is None else min(max(as_of, phase.start_year), phase.end_year)
    return evaluate(target, counting_rows(target, phase.years), phase.years, as_of)


@transaction.atomic
def save_activity(form, user, *, expected_version=None, token=None):
    """Save a validated activity form; refuse a stale or repeated submission, saving nothing."""
    obj = form.instance
    if obj.pk is None:
        if token and Activity.objects.filter(submission_token=token).exists():
            raise StaleForm(_("Biểu mẫu này đã được gửi trước đó; hồ sơ không được tạo lần nữa."))
        obj.submission_token = token
        obj.created_by = user
    else:
        current = Activity.objects.select_for_update().get(pk=obj.pk)
        if expected_version is None or int(expected_version) != current.version:
            raise StaleForm(_("Hồ sơ đã được người khác thay đổi sau khi bạn mở biểu mẫu. Vui lòng tải lại và nhập lại."))
        if current.confirmed_at is not None:
            raise StaleForm(_("Hồ sơ đã được xác nhận và bị khóa; cần mở lại trước khi sửa."))
        obj.version = current.version + 1
    return form.save()


@transaction.atomic
def confirm(activity, user):
    obj = activity.specific()
    locked = Activity.objects.select_for_update().get(pk=obj.pk)
    if locked.confirmed_at is not None:
        return obj
    obj.confirmed_at = timezone.now()
    obj.confirmed_by = user
    obj.version = locked.version + 1
    obj._audit_action = AuditEntry.Action.CONFIRM
    obj.save()
    return obj


@transaction.atomic
def reopen(activity, user):
    obj = activity.specific()
    Activity.objects.select_for_update().get(pk=obj.pk)
    obj.confirmed_at = None
    obj.confirmed_by = None
    obj.version += 1
    obj._audit_action = AuditEntry.Action.REOPEN
    obj.save()
    return obj


def fmt_date(d: datetime.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def fmt_vnd(value) -> str:
    if value is None:
        return ""
    return f"{int(round(value)):,}".replace(",", ".") + " đ"


def fmt_num(value) -> str:
    if value is None:
        return ""
    v = float(value)
    if v.is_integer():
        return f"{int(v):,}".replace(",", ".")
    return f"{v:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
