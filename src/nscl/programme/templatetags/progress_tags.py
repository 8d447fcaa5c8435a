"""Template filters for targets and their progress: `{% load progress_tags %}`."""
from django import template
from django.utils.translation import get_language, gettext

from nscl.common.fields import format_number
from nscl.programme.progress import STATUS_LABELS

register = template.Library()


@register.filter
def status_label(code):
    return gettext(STATUS_LABELS[code]) if code in STATUS_LABELS else code


@register.filter
def target_plan(t):
    def n(v):  # as typed and kept: 20, 1,5, 12,25 (1.5 in English), never 20.00 nor a rounded 12,3
        return format_number(v, get_language())
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


@register.filter
def indicator_name(indicator, lang):
    return indicator.name_for(lang)


@register.filter
def activity_title(activity):
    """An activity's title in the page's language (a title the system wrote is made again in it)."""
    from nscl.programme.services import activity_title as title

    return title(activity, get_language())
