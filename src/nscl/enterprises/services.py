"""Queries and writes of the registry that views, the import and the command line share."""
from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import get_language, gettext

from nscl.common.formatting import english
from nscl.geo.models import AdministrativeUnit, units_valid_on

from . import periods, vsic
from .dossiers import COUNTED, Certificate, Dossier, DossierStep, Status
from .models import Enterprise, IndustryCode, SizeClass, SupportContent, YearlyFigures, fold


def communes_on(day: datetime.date) -> dict[str, AdministrativeUnit]:
    """Commune codes → the commune in force on `day` (codes are reused across the 2025 reform)."""
    return {u.code: u for u in units_valid_on(day, AdministrativeUnit.Level.COMMUNE)}


def filter_enterprises(qs, params):
    """The list's search: q (name without diacritics, or tax code), commune (code), vsic (code
    prefix, version from vsic_version, 2025 by default), size, status (of a support dossier),
    standard (catalogue code of a certificate)."""
    q = (params.get("q") or "").strip()[:100]
    if q:
        digits = q.replace("-", "").replace(" ", "")
        if digits.isdigit() and len(digits) >= 3:
            code = digits if len(digits) <= 10 else f"{digits[:10]}-{digits[10:]}"
            qs = qs.filter(tax_code__startswith=code)
        else:
            qs = qs.filter(search_text__contains=fold(q))
    commune = (params.get("commune") or "").strip()
    if commune:
        qs = qs.filter(commune__code=commune[:10])
    code = (params.get("vsic") or "").strip()[:5]
    if code:
        version = params.get("vsic_version") if params.get("vsic_version") in vsic.VERSIONS else vsic.V2025
        qs = qs.filter(pk__in=IndustryCode.objects.filter(version=version, code__startswith=code).values("enterprise_id"))
    size = params.get("size")
    if size in SizeClass.values:
        qs = qs.filter(size_class=size)
    status = params.get("status")
    if status in Status.values:
        qs = qs.filter(pk__in=Dossier.objects.filter(status=status).values("enterprise_id"))
    standard = (params.get("standard") or "").strip()[:40]
    if standard:
        standard_id = SupportContent.objects.filter(code=standard).values_list("pk", flat=True).first()
        qs = qs.filter(pk__in=Certificate.objects.filter(standard_id=standard_id).values("enterprise_id"))
    return qs


def refresh_size(enterprise: Enterprise) -> None:
    """Store the size class of the latest year whose figures allow it (Decree 80), or clear it."""
    for fig in enterprise.figures.order_by("-year"):
        fig.enterprise = enterprise
        result = fig.size()
        if result:
            enterprise.size_class, enterprise.size_year, enterprise.size_rule = result.size_class, fig.year, result.rule[:400]
            break
    else:
        enterprise.size_class, enterprise.size_year, enterprise.size_rule = "", None, ""
    Enterprise.objects.filter(pk=enterprise.pk).update(size_class=enterprise.size_class, size_year=enterprise.size_year,
                                                        size_rule=enterprise.size_rule)


def _lock(enterprise: Enterprise) -> None:
    """Inside a transaction: hold the enterprise's row, so parallel changes of its figures or
    industry codes take turns (SQLite's IMMEDIATE transactions already serialise writers)."""
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).exists()


def save_year_figures(enterprise: Enterprise, data):
    """Add a year's figures or replace that year's (one row per enterprise and year); the form,
    bound and checked, saved when valid. The enterprise's row is locked first, so parallel saves of
    one year take turns (the last one stands) instead of two inserts colliding."""
    from .forms import FiguresForm

    with transaction.atomic():
        _lock(enterprise)
        try:
            year = int(str(data.get("year", "")).strip())
        except ValueError:
            year = None
        existing = enterprise.figures.filter(year=year).first() if year else None
        form = FiguresForm(data, instance=existing or YearlyFigures(enterprise=enterprise))
        if form.is_valid() and periods.closed_years([enterprise.pk], [form.cleaned_data["year"]]):
            form.add_error("year", periods.closed_message(form.cleaned_data["year"]))
        if form.is_valid():
            save_figures(form.save(commit=False))
    return form


# An enterprise has one primary industry (VSIC) code: the first one added, and when it is removed,
# the oldest remaining. Each change locks the enterprise's row, so parallel posts keep it one.

def add_industry(enterprise: Enterprise, industry: IndustryCode) -> IndustryCode:
    with transaction.atomic():
        _lock(enterprise)
        industry.enterprise = enterprise
        industry.is_primary = not enterprise.industries.filter(is_primary=True).exists()
        industry.save()
    return industry


def remove_industry(enterprise: Enterprise, industry: IndustryCode) -> IndustryCode:
    with transaction.atomic():
        _lock(enterprise)
        industry.delete()
        if industry.is_primary:
            nxt = enterprise.industries.order_by("pk").first()
            if nxt:
                nxt.is_primary = True
                nxt.save(update_fields=["is_primary"])
    return industry


def record_certificate(cert: Certificate) -> bool:
    """Save a new certificate; False when that body's certificate of that number is already there
    (also when a parallel request recorded it a moment before: the unique constraint decides)."""
    if Certificate.objects.filter(standard=cert.standard, body=cert.body, number=cert.number).exists():
        return False
    try:
        with transaction.atomic():
            cert.save()
    except IntegrityError:
        return False
    return True


@transaction.atomic
def save_figures(figures: YearlyFigures) -> YearlyFigures:
    figures.save()
    refresh_size(figures.enterprise)
    return figures


@transaction.atomic
def submit_dossier(dossier: Dossier, user) -> Dossier:
    dossier.status = Status.APPLIED
    dossier.created_by = user if getattr(user, "is_authenticated", False) else None
    dossier.save()
    DossierStep.objects.create(dossier=dossier, transition="apply", from_status="", to_status=Status.APPLIED,
                               by=dossier.created_by)
    return dossier


def expiring_certificates(qs, today: datetime.date, days: int = 90):
    return qs.filter(expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=days)).order_by("expires_on")


def certificate_counts(qs):
    """[(standard name, year, count)] by standard and year of issue."""
    rows = (qs.annotate(year=ExtractYear("issued_on")).values("standard__name", "standard__name_en", "year")
            .annotate(n=Count("pk")).order_by("standard__name", "year"))
    en = english(get_language())  # the name as SupportContent.label gives it
    return [(r["standard__name_en"] if en and r["standard__name_en"] else r["standard__name"], r["year"], r["n"])
            for r in rows]


def productivity_series(enterprise):
    """[(year, value added per employee in đồng)] for the years where it is defined."""
    return [(f.year, f.labour_productivity) for f in enterprise.figures.order_by("year")
            if f.labour_productivity is not None]


def productivity_svg(enterprise) -> bytes:
    from nscl.common.charts import new_figure, render

    series = productivity_series(enterprise)
    fig, ax = new_figure((6.4, 3.2))
    if series:
        years = [y for y, _ in series]
        values = [float(v) / 1e6 for _, v in series]
        ax.plot(years, values, marker="o", color="#1f5fa8")
        ax.set_xticks(years)
    else:
        ax.text(0.5, 0.5, gettext("Chưa đủ số liệu"), ha="center", va="center", transform=ax.transAxes)
    # drawn in the request: in its language (the tick numbers too, nscl.common.charts)
    ax.set_ylabel(gettext("triệu đồng / lao động"))
    ax.set_title(gettext("Năng suất lao động (giá trị tăng thêm / lao động)"), wrap=True)
    return render(fig, "svg")


def dossier_counts(qs):
    return {r["status"]: r["n"] for r in qs.values("status").annotate(n=Count("pk"))}


def with_status(qs, statuses):
    return qs.filter(Q(status__in=statuses))


# A branch counts with its parent (one enterprise, one legal person) unless a target asks for
# branches separately; the statuses that count are dossiers.COUNTED.


def accepted_dossiers(first_year: int, last_year: int, criteria: dict | None = None):
    """Dossiers accepted in the years; `criteria` narrows them like a target's (dossier field
    lookups, e.g. {"content__group": "system"} or {"content__code": "iso-9001"})."""
    return (Dossier.objects.filter(status__in=COUNTED, accepted_on__year__gte=first_year,
                                   accepted_on__year__lte=last_year, **(criteria or {}))
            .select_related("enterprise", "enterprise__parent", "content"))


def support_counting_rows(first_year: int, last_year: int, *, branches_separately: bool = False,
                          criteria: dict | None = None):
    """[(year of acceptance, key)] where key is the enterprise counted: the parent for a branch."""
    rows = accepted_dossiers(first_year, last_year, criteria).values_list("accepted_on", "enterprise_id",
                                                                         "enterprise__parent_id")
    return [(day.year, own if branches_separately else (parent or own)) for day, own, parent in rows]
