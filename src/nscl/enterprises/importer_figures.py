"""Rows of a yearly-figures import: (tax code, year) of a registered enterprise, non-negative numbers,
and no value added without employees (labour productivity, the impact page's outcome, would be
undefined). Blank cells are allowed except the tax code and the year."""
from __future__ import annotations

from nscl.audit.api import record_bulk
from nscl.audit.models import AuditEntry
from nscl.audit.signals import snapshot
from nscl.common.bulk import create_objects

from . import mst, periods, size
from .models import Enterprise, YearlyFigures


def start_row(n, row, mapping, result, text):
    """What every history row begins with: its cell reader, its error list, and the check of its
    tax code (the key that names the enterprise), the row keyed by the code as given."""
    def cell(key):
        i = mapping.get(key)
        return row[i] if i is not None and i < len(row) else None
    given = text(cell("tax_code"))
    result.row_keys[n] = given
    check = mst.check(given)
    errors = [] if check.valid else [f"Mã số thuế “{given}”: {check.reason}"]
    return cell, errors, check


MONEY_FIELDS = ["revenue", "value_added", "intermediate_costs", "wage_bill", "total_capital", "fixed_assets",
                "materials", "energy", "investment", "exports"]
FIRST_YEAR = 2000


def check_figure_rows(rows, mapping, today, result, text, number):
    codes = set()
    pre = []
    for n, row in rows:
        cell, errors, check = start_row(n, row, mapping, result, text)
        year = number(cell("year"), "Năm", errors)
        if year is not None and not (FIRST_YEAR <= year <= today.year):
            errors.append(f"Năm {year} ngoài khoảng {FIRST_YEAR}-{today.year}.")
            year = None
        values = {"employees": number(cell("employees"), "Lao động bình quân", errors, integer=False)}
        for f in MONEY_FIELDS:
            values[f] = number(cell(f), label_of(f), errors)
        _check_productivity(values, errors)
        pre.append((n, check.normalized, int(year) if year is not None else None, values, errors))
        if check.valid:
            codes.add(check.normalized)
    known = {}
    codes = list(codes)
    for i in range(0, len(codes), 900):
        known.update({e.tax_code: e for e in Enterprise.objects.filter(tax_code__in=codes[i:i + 900])})
    parsed, seen = [], {}
    for n, code, year, values, errors in pre:
        if code and code not in known:
            errors.append(f"Chưa có doanh nghiệp với mã số thuế {code}: nhập danh sách doanh nghiệp trước.")
        if code and year and (code, year) in seen:
            errors.append(f"Số liệu năm {year} của {code} trùng với dòng {seen[(code, year)]}.")
        elif code and year:
            seen[(code, year)] = n
        if errors:
            result.errors[n] = errors
        else:
            parsed.append((n, known[code], year, values))
    return _open_years_only(parsed, today, result)


def _open_years_only(rows, today, result):
    """A row that would add or change figures of a closed reporting year (nscl.enterprises.periods)
    is an error; one that repeats the stored figures is not (a whole history re-sent is fine)."""
    closed = periods.closed_years({e.pk for _n, e, _y, _v in rows}, {y for _n, _e, y, _v in rows}, today)
    stored = {}
    if closed:
        for f in YearlyFigures.objects.filter(enterprise_id__in={e for e, _y in closed}, year__in={y for _e, y in closed}):
            stored[(f.enterprise_id, f.year)] = f
    out = []
    for n, e, year, values in rows:
        if (e.pk, year) in closed:
            f = stored.get((e.pk, year))
            if f is None or any(getattr(f, k) != v for k, v in values.items()):
                result.errors[n] = [periods.closed_message(year)]
                continue
        out.append((e, year, values))
    return out


def label_of(field: str) -> str:
    """The column's Vietnamese header (the template's)."""
    return str(YearlyFigures._meta.get_field(field).verbose_name).capitalize()


def _check_productivity(values, errors):
    """Value added (entered, or revenue − intermediate costs) with zero employees: refused."""
    if values["employees"] != 0:
        return
    va = values["value_added"]
    if va is None and values["revenue"] is not None and values["intermediate_costs"] is not None:
        va = values["revenue"] - values["intermediate_costs"]
    if va:
        errors.append(f"Cột “{label_of('value_added')}”: có giá trị tăng thêm nhưng cột “Lao động bình quân” bằng 0 "
                      "(năng suất lao động không xác định); nhập số lao động bình quân hoặc để trống giá trị tăng thêm.")


def apply_figures(parsed, result, in_chunks):
    ids = list({e.pk for e, _y, _v in parsed})
    existing = {}
    for chunk in in_chunks(ids):
        existing.update({(f.enterprise_id, f.year): f for f in YearlyFigures.objects.filter(enterprise_id__in=chunk)})
    new, changed, audit = [], [], []
    for e, year, values in parsed:
        f = existing.get((e.pk, year))
        if f is None:
            f = YearlyFigures(enterprise=e, year=year, **values)  # the object: the audit's str() needs no query
            new.append(f)
            existing[(e.pk, year)] = f
            continue
        diff = {k: v for k, v in values.items() if getattr(f, k) != v}
        if diff:
            before = snapshot(f)
            for k, v in diff.items():
                setattr(f, k, v)
            f.enterprise = e
            changed.append(f)
            audit.append((AuditEntry.Action.UPDATE, f, before))
    create_objects(YearlyFigures, new, "enterprise_id", "year")
    YearlyFigures.objects.bulk_update(changed, ["employees", *MONEY_FIELDS], batch_size=1000)
    record_bulk(audit + [(AuditEntry.Action.CREATE, f, None) for f in new])
    # each enterprise's size class from its latest year with enough figures
    enterprises = {e.pk: e for e, _y, _v in parsed}
    latest = {}
    for (eid, year), f in existing.items():
        if eid in enterprises and f.employees is not None and (f.revenue is not None or f.total_capital is not None):
            if eid not in latest or year > latest[eid].year:
                latest[eid] = f
    updated = []
    for eid, f in latest.items():
        e = enterprises[eid]
        r = size.classify(e.sector_group, f.employees, f.revenue, f.total_capital)
        if (e.size_class, e.size_year, e.size_rule) != (r.size_class, f.year, r.rule[:400]):
            e.size_class, e.size_year, e.size_rule = r.size_class, f.year, r.rule[:400]
            updated.append(e)
    Enterprise.objects.bulk_update(updated, ["size_class", "size_year", "size_rule"], batch_size=1000)
    result.created, result.updated = len(new), len(changed)
    result.unchanged = len(parsed) - len(new) - len(changed)
