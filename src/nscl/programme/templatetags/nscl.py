from django import template
from django.utils.translation import gettext_lazy as _l

from nscl.programme import services

register = template.Library()

STATUS_LABELS = {
    "not_started": _l("Chưa bắt đầu"), "on_track": _l("Đúng tiến độ"), "at_risk": _l("Có nguy cơ"),
    "met": _l("Đạt"), "exceeded": _l("Vượt"), "not_met": _l("Không đạt"),
}


@register.filter
def vnd(value):
    return services.fmt_vnd(value)


@register.filter
def num(value):
    return services.fmt_num(value)


@register.filter
def dmy(value):
    return services.fmt_date(value)


@register.filter
def status_label(code):
    return STATUS_LABELS.get(code, code)


@register.filter
def target_plan(t):
    n = services.fmt_num
    if t.kind == "range":
        return f"{n(t.min_value)}–{n(t.max_value)}"
    if t.kind == "at_least":
        return f"≥ {n(t.min_value)}"
    if t.kind == "about":
        return f"≈ {n(t.min_value)} (±{n(t.tolerance_pct)}%)"
    return n(t.min_value)


@register.simple_tag
def describe(target, lang):
    return target.description_for(lang)


@register.simple_tag
def unit_of(target, lang):
    return target.unit_for(lang)
