"""One mark for illustrative records: {% demo_badge obj %} (issue 21 item 3: the badge's markup was
copied into 17 templates, two of them without its class)."""
from pathlib import Path
from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "nscl" / "templates"


def render(obj, language="vi"):
    with translation.override(language):
        return Template("{% load nscl %}<b>x</b>{% demo_badge obj %}").render(Context({"obj": obj}))


def test_an_illustrative_record_is_marked_in_the_pages_language():
    assert render(SimpleNamespace(is_demo=True)) == '<b>x</b> <span class="badge demo">Dữ liệu minh họa</span>'
    assert render(SimpleNamespace(is_demo=True), "en") == '<b>x</b> <span class="badge demo">Illustrative data</span>'


def test_real_data_and_objects_without_the_flag_are_not():
    assert render(SimpleNamespace(is_demo=False)) == "<b>x</b>"
    assert render(None) == "<b>x</b>"


def test_no_template_writes_the_badge_itself():
    copies = [p.name for p in TEMPLATES.rglob("*.html")
              if '{% trans "Dữ liệu minh họa" %}</span>' in p.read_text("utf-8")]
    assert copies == []


def test_a_row_dict_is_marked_too():
    """The target page lists rows built as dicts; the tag read only attributes, so no row was marked."""
    assert render({"is_demo": True}) == '<b>x</b> <span class="badge demo">Dữ liệu minh họa</span>'
    assert render({"is_demo": False}) == "<b>x</b>"
