"""Reporting duties after support (issue 23): accepting a dossier owes the programme the
enterprise's yearly figures for a few years, each by a due date, so results can be measured.
Whether a duty is done is not stored: it is whether the enterprise's YearlyFigures row for that
year exists. `done_at` only records when that was first seen, for timeliness."""
from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Enterprise, YearlyFigures


class DutyKind(models.TextChoices):
    FIGURES = "figures", _("Số liệu năm")


class DutyStatus(models.TextChoices):
    DUE = "due", _("Chưa đến hạn")
    OVERDUE = "overdue", _("Quá hạn")
    DONE = "done", _("Đã gửi")


class ReportingDuty(models.Model):
    enterprise_tax_code_lookup = "enterprise__tax_code"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="duties",
                                   verbose_name=_("doanh nghiệp"))
    dossier = models.ForeignKey("enterprises.Dossier", on_delete=models.CASCADE, related_name="duties",
                                verbose_name=_("hồ sơ hỗ trợ"))
    year = models.PositiveIntegerField(_("năm"))
    kind = models.CharField(_("loại báo cáo"), max_length=20, choices=DutyKind.choices, default=DutyKind.FIGURES)
    due_on = models.DateField(_("hạn gửi"))
    done_at = models.DateTimeField(_("ngày gửi"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["dossier", "year", "kind"], name="unique_duty_dossier_year")]
        verbose_name = _("nghĩa vụ báo cáo")
        verbose_name_plural = _("nghĩa vụ báo cáo")

    def __str__(self):
        return f"{self.enterprise.tax_code} {self.kind} {self.year}"

    def is_done(self) -> bool:
        return YearlyFigures.objects.filter(enterprise_id=self.enterprise_id, year=self.year).exists()

    def status(self, today=None) -> str:
        if self.is_done():
            return DutyStatus.DONE
        return DutyStatus.OVERDUE if (today or timezone.localdate()) > self.due_on else DutyStatus.DUE

    def get_status_display(self):
        return DutyStatus(self.status()).label


def due_date(year: int) -> datetime.date:
    """The due date of a year's figures: NSCL_REPORTING_DUE ("MM-DD") of the following year."""
    from .periods import day_after

    return day_after(year, settings.NSCL_REPORTING_DUE)


def create_for(dossier) -> list[ReportingDuty]:
    """The duties an accepted dossier owes (the acceptance year and the next NSCL_REPORTING_YEARS - 1);
    get_or_create on the unique constraint, so running it again, or in parallel, adds nothing."""
    first = dossier.accepted_on.year
    created = []
    for year in range(first, first + int(getattr(settings, "NSCL_REPORTING_YEARS", 3))):
        duty, new = ReportingDuty.objects.get_or_create(
            dossier=dossier, year=year, kind=DutyKind.FIGURES,
            defaults={"enterprise_id": dossier.enterprise_id, "due_on": due_date(year)})
        if new:
            created.append(duty)
    stamp_done()
    return created


def _done_q():
    return models.Exists(YearlyFigures.objects.filter(enterprise_id=models.OuterRef("enterprise_id"),
                                                      year=models.OuterRef("year")))


def with_done(qs):
    """Duties annotated with `done` (their figures exist), one query."""
    return qs.annotate(done=_done_q())


def stamp_done(now=None) -> int:
    """Record when figures were first seen for duties that have them (also covers bulk imports, which
    send no signal: the daily reminder run calls this)."""
    return with_done(ReportingDuty.objects.filter(done_at__isnull=True)).filter(done=True).update(
        done_at=now or timezone.now())


@receiver(post_save, sender=YearlyFigures, dispatch_uid="duties-figures-saved")
def _figures_saved(sender, instance, **kwargs):
    ReportingDuty.objects.filter(enterprise_id=instance.enterprise_id, year=instance.year,
                                 done_at__isnull=True).update(done_at=timezone.now())


def completeness(qs, today=None) -> list[dict]:
    """Per year: duties, done on time (figures by the due date), done late, missing (overdue, no
    figures), not yet due (no figures, due date ahead), and the rate sent among duties due or already done."""
    today = today or timezone.localdate()
    rows = {}
    for d in with_done(qs).order_by("year"):
        r = rows.setdefault(d.year, {"year": d.year, "duties": 0, "due": 0, "on_time": 0, "late": 0,
                                     "missing": 0, "pending": 0})
        r["duties"] += 1
        r["due"] += d.due_on < today or d.done
        if d.done:
            late = d.done_at is not None and timezone.localtime(d.done_at).date() > d.due_on
            r["late" if late else "on_time"] += 1
        elif d.due_on < today:
            r["missing"] += 1
        else:
            r["pending"] += 1
    for r in rows.values():
        r["rate"] = round(100 * (r["on_time"] + r["late"]) / r["due"]) if r["due"] else None
    return list(rows.values())


def reminder_step(due_on: datetime.date, today: datetime.date) -> str | None:
    """The latest reminder step reached today: 30 and 7 days before (NSCL_REMINDER_DAYS_BEFORE), on
    the day, then every 7 days after; None before the first. The latest only, so a missed day
    catches up with one message, not several."""
    days = (due_on - today).days
    if days < 0:
        return f"late-{(-days) // 7}" if -days >= 7 else "due"
    if days == 0:
        return "due"
    before = sorted(int(n) for n in getattr(settings, "NSCL_REMINDER_DAYS_BEFORE", (30, 7)))
    reached = [n for n in before if days <= n]
    return f"before-{reached[0]}" if reached else None


def remind(today=None) -> int:
    """Tell the enterprise's users and the officers of every open duty whose step is reached today;
    once per duty and step (the notification's dedupe_key). Returns the notifications created."""
    from nscl.notifications import services as notifications

    today = today or timezone.localdate()
    stamp_done()
    sent = 0
    for duty in with_done(ReportingDuty.objects.select_related("enterprise")).filter(done=False):
        step = reminder_step(duty.due_on, today)
        if step is None:
            continue
        e = duty.enterprise
        who = (notifications.enterprise_users([e]) | notifications.officers()).distinct()
        sent += len(notifications.notify(who, notifications.REPORTING_DUE, {
            "enterprise": notifications.both(e.name, e.name_en),
            "duty": notifications.both(f"Số liệu năm {duty.year}", f"Yearly figures {duty.year}"),
            "due": duty.due_on}, reverse("enterprise_detail", args=[e.pk]), dedupe_key=f"duty:{duty.pk}:{step}"))
    return sent
