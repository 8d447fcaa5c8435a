"""Formatting filters for every template: `{% load nscl %}`."""
from django import template

from nscl.common.formatting import fmt_date, fmt_decimal, fmt_num, fmt_vnd, undefined

register = template.Library()


@register.filter
def vnd(value):
    return fmt_vnd(value)


@register.filter
def num(value):
    return fmt_num(value)


@register.filter
def dmy(value):
    return fmt_date(value)


@register.filter
def pct(v):
    """A percentage with a Vietnamese decimal comma; '—' when undefined."""
    return fmt_decimal(v, 2)


@register.filter
def rate(v):
    """A growth rate stored as a fraction, shown in percent."""
    return "—" if undefined(v) else fmt_decimal(100 * v, 2)


@register.filter
def dec4(v):
    return fmt_decimal(v, 4)


@register.filter
def get(d, key):
    return d.get(key) if hasattr(d, "get") else None
