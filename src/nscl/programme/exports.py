"""Excel exports: Vietnamese headers, numbers as numbers, dates as dates."""
from __future__ import annotations


from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from nscl.common.downloads import style_header, workbook_bytes
from nscl.common.fields import is_money

from .models import KIND_MODELS, Activity
from .progress import STATUS_LABELS

DEMO_LABEL = "Dữ liệu minh họa"
VND_FORMAT = '#,##0 "đ"'
WHOLE_FORMAT = "#,##0"
YEAR_FORMAT = "0"            # 2024, not 2,024
# a quantity that may have decimals (a target's bounds, a class's hours): chosen per cell, so that a
# whole number shows "45" (Excel's "#,##0.##" writes "45." with a trailing separator) and 22.5 "22.5"
NUMBER = "number"


def number_format(value) -> str:
    """The Excel format of one NUMBER cell: whole (to its shown two decimals) or with its decimals."""
    try:
        whole = float(round(float(value), 2)).is_integer()
    except (TypeError, ValueError):
        whole = True
    return WHOLE_FORMAT if whole else "#,##0.##"


def _sheet(wb, title, headers, rows, formats=None, note=None):
    ws = wb.create_sheet(title[:31])
    start = 1
    if note:
        ws.cell(row=1, column=1, value=note).font = Font(bold=True, color="C00000")
        start = 3
    style_header([ws.cell(row=start, column=c, value=h) for c, h in enumerate(headers, 1)])
    for r, row in enumerate(rows, start + 1):
        for c, value in enumerate(row, 1):
            cell = ws.cell(row=r, column=c, value=value)
            if formats and formats.get(c - 1):
                cell.number_format = number_format(value) if formats[c - 1] == NUMBER else formats[c - 1]
    for c, h in enumerate(headers, 1):
        ws.column_dimensions[get_column_letter(c)].width = max(12, min(45, len(str(h)) + 4))
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
    return ws


def _save(wb) -> bytes:
    if "Sheet" in wb.sheetnames and len(wb.sheetnames) > 1:
        del wb["Sheet"]
    return workbook_bytes(wb)


def _field_value(obj, field):
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    value = getattr(obj, field.name)
    if field.is_relation:
        return str(value) if value is not None else None
    if field.get_internal_type() == "DecimalField" and value is not None:
        return float(value)
    return value


def register_columns(kind):
    model = KIND_MODELS[kind]
    common = ["title", "start_date", "end_date", "status", "responsible_unit", "location",
              "budget_planned", "budget_spent", "fund_source"]
    own = [f.name for f in model._meta.get_fields()
           if f.concrete and getattr(f, "model", None) is model and not f.auto_created]
    return [model._meta.get_field(n) for n in common + own]


def register_xlsx(kind, queryset) -> bytes:
    fields = register_columns(kind)
    headers = ["STT"] + [str(f.verbose_name).capitalize() for f in fields] + [
        "Tỉnh (sau 01/07/2025)", "Đã xác nhận", "Năm tính kết quả", DEMO_LABEL]
    formats = {}
    for i, f in enumerate(fields, 1):
        t = f.get_internal_type()
        if t == "DateField":
            formats[i] = "dd/mm/yyyy"
        elif is_money(f):
            formats[i] = VND_FORMAT
        elif t in ("PositiveIntegerField", "IntegerField", "PositiveSmallIntegerField") and "year" in f.name:
            formats[i] = YEAR_FORMAT
        elif t in ("PositiveIntegerField", "IntegerField", "PositiveSmallIntegerField") or (
                t == "DecimalField" and f.decimal_places == 0):
            formats[i] = WHOLE_FORMAT
        elif t == "DecimalField":
            formats[i] = NUMBER
    rows = []
    for n, obj in enumerate(queryset, 1):
        province = obj.location.current_province().name if obj.location_id else None
        rows.append([n] + [_field_value(obj, f) for f in fields] + [
            province, "Có" if obj.is_confirmed else "Chưa", obj.count_year, "Có" if obj.is_demo else ""])
    wb = Workbook()
    has_demo = any(getattr(o, "is_demo", False) for o in queryset)
    _sheet(wb, str(KIND_MODELS[kind]._meta.verbose_name).capitalize(), headers, rows, formats,
           note=f"Có {DEMO_LABEL.lower()} (cột cuối)" if has_demo else None)
    return _save(wb)


def dashboard_xlsx(phase, progress, as_of, *, indicators=(), indicator_years=()) -> bytes:
    headers = ["Mã", "Mục tiêu", "Nội dung", "Đơn vị tính", "Dạng", "Tối thiểu", "Tối đa", "Thực hiện",
               "Trạng thái", "Đơn vị chủ trì"] + [f"Năm {y}" for y in phase.years]
    rows = []
    for p in progress:
        t = p.target
        lo_out, hi_out = t.plan_bounds()
        rows.append([t.code, t.objective, t.description, t.unit, t.get_kind_display(), lo_out, hi_out, p.actual,
                     STATUS_LABELS[p.status], str(t.responsible_unit or "")] + [p.yearly[y] for y in phase.years])
    wb = Workbook()
    demo = Activity.objects.filter(is_demo=True).exists()
    note = f"Tiến độ giai đoạn {phase.code}, lũy kế đến hết năm {as_of}" + (f" — có {DEMO_LABEL.lower()}" if demo else "")
    _sheet(wb, "Tiến độ", headers, rows, {5: NUMBER, 6: NUMBER, 7: NUMBER}, note=note)
    if indicators:
        _indicator_sheet(wb, indicators, list(indicator_years))
    return _save(wb)


def _indicator_sheet(wb, indicators, years):
    """The dashboard's outcome indicators: a year not over is headed "(chưa hết năm)" and, when
    its value is not computed (a part of the year against a whole one), says so in its cell."""
    from .indicators import year_is_over

    headers = ["Mã", "Chỉ số", "Mục tiêu (văn bản)", "Đơn vị tính"] + [
        f"{y}" if year_is_over(y) else f"{y} (chưa hết năm)" for y in years]
    rows = []
    for ind in indicators:
        goals = "; ".join(f"{g.label} ({g.source})" for g in ind.goals)
        row = [ind.code, ind.name, goals, ind.unit]
        for y, v, _met, partial in ind.cells(years):
            if v is None:
                row.append(("chưa hết năm" if not year_is_over(y) else "chưa đủ số liệu") if partial else None)
            else:
                row.append(round(float(v), 2))
        rows.append(row)
    _sheet(wb, "Chỉ số kết quả", headers, rows, {i: "0.00" for i in range(4, 4 + len(years))},
           note="Năm chưa kết thúc: chưa so với cả năm trước, chưa đánh giá đạt hay chưa đạt")
