from django import template
from django.utils.translation import gettext

from nscl.programme import services
from nscl.programme.progress import STATUS_LABELS

register = template.Library()

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
    return gettext(STATUS_LABELS[code]) if code in STATUS_LABELS else code


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


def _nan(v):
    return v is None or (isinstance(v, float) and v != v)


@register.filter
def pct(v):
    """A percentage with a Vietnamese decimal comma; '—' when undefined."""
    return "—" if _nan(v) else f"{v:.2f}".replace(".", ",")


@register.filter
def rate(v):
    """A growth rate stored as a fraction, shown in percent."""
    return "—" if _nan(v) else f"{100 * v:.2f}".replace(".", ",")


@register.filter
def dec4(v):
    return "—" if _nan(v) else f"{v:.4f}".replace(".", ",")


@register.filter
def get(d, key):
    return d.get(key) if hasattr(d, "get") else None
