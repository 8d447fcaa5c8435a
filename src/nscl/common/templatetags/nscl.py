"""Formatting filters for every template: `{% load nscl %}`. Numbers follow the active language
(1.234.567,5 in Vietnamese, 1,234,567.5 in English)."""
from django import template
from django.utils.translation import get_language

from nscl.common.formatting import fmt_date, fmt_decimal, fmt_num, fmt_vnd, undefined

register = template.Library()


@register.filter
def vnd(value):
    return fmt_vnd(value, get_language())


@register.filter
def num(value):
    return fmt_num(value, get_language())


@register.filter
def dmy(value):
    return fmt_date(value)


@register.filter
def pct(v):
    """A percentage with a decimal comma (point in English); '—' when undefined."""
    return fmt_decimal(v, 2, get_language())


@register.filter
def rate(v):
    """A growth rate stored as a fraction, shown in percent."""
    return "—" if undefined(v) else fmt_decimal(100 * v, 2, get_language())


@register.filter
def dec4(v):
    return fmt_decimal(v, 4, get_language())


@register.filter
def get(d, key):
    return d.get(key) if hasattr(d, "get") else None


@register.simple_tag
def demo_badge(obj):
    """The mark of an illustrative record ("Dữ liệu minh họa"), the one markup every list and page
    uses; nothing for real data. `obj` is a record or a row dict with "is_demo"."""
    from django.utils.html import format_html
    from django.utils.translation import gettext

    flagged = obj.get("is_demo") if isinstance(obj, dict) else getattr(obj, "is_demo", False)
    if not flagged:
        return ""
    return format_html(' <span class="badge demo">{}</span>', gettext("Dữ liệu minh họa"))
