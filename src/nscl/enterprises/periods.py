"""Reporting years close (issue 23 item 5, as DHIS2's expiry days and lock exceptions): an
enterprise's figures for year Y can be entered and changed until NSCL_FIGURES_CLOSE (MM-DD) of
Y + 1 — by default 31/12, nine months after the reporting duty's due date (31/03) — and after
that only while an officer's reopening for that enterprise and year is open, given with a reason
and audited. Both the web form and the import ask `closed_years`; the arithmetic of the date is
`closes_on`, which knows nothing of the database."""
from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Enterprise, PeriodReopening

REOPEN_DAYS = 30  # how long a reopening lasts unless the officer says otherwise


def day_after(year: int, month_day: str) -> datetime.date:
    """The day `month_day` ("MM-DD", checked at start-up by settings) of the year after `year`: a
    reporting year's due date and its closing day."""
    month, day = (int(x) for x in month_day.split("-"))
    return datetime.date(year + 1, month, day)


def closes_on(year: int, rule: str | None = None) -> datetime.date | None:
    """The last day figures of `year` may be changed without a reopening; None: years never close
    (NSCL_FIGURES_CLOSE empty)."""
    rule = settings.NSCL_FIGURES_CLOSE if rule is None else rule
    return day_after(year, rule) if rule else None


def closed_years(enterprise_ids, years, today: datetime.date | None = None) -> set[tuple[int, int]]:
    """The (enterprise id, year) pairs among these that are closed today and not reopened."""
    today = today or timezone.localdate()
    closed = {y for y in set(years) if (last := closes_on(y)) is not None and today > last}
    if not closed:
        return set()
    reopened = set(PeriodReopening.objects.filter(enterprise_id__in=set(enterprise_ids), year__in=closed,
                                                  until__gte=today).values_list("enterprise_id", "year"))
    return {(e, y) for e in set(enterprise_ids) for y in closed} - reopened


def closed_message(year: int) -> str:
    return _("Số liệu năm %(y)s đã khóa sổ sau ngày %(d)s: cần cán bộ chương trình mở lại năm này (ghi lý do) "
             "trước khi nhập hoặc sửa.") % {"y": year, "d": closes_on(year).strftime("%d/%m/%Y")}


def reopen(enterprise: Enterprise, year: int, reason: str, user, days: int = REOPEN_DAYS,
           today: datetime.date | None = None) -> PeriodReopening:
    """Open a closed year again for `days` days; the reason is required (and kept, audited)."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Cần ghi lý do mở lại năm báo cáo."))
    if len(reason) > 500:
        raise ValidationError(_("Lý do mở lại dài quá 500 ký tự: hãy viết gọn lại."))
    last = closes_on(year)
    if last is None or today <= last:
        raise ValidationError(_("Năm %(y)s chưa khóa sổ: không cần mở lại.") % {"y": year})
    if not 1 <= days <= 365:
        raise ValidationError(_("Số ngày mở lại phải từ 1 đến 365."))
    with transaction.atomic():
        return PeriodReopening.objects.create(enterprise=enterprise, year=year, reason=reason,
                                              until=today + datetime.timedelta(days=days), by=user)
