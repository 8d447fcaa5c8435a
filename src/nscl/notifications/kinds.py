"""The kinds of notification and how one is written in a language.

A notification stores its kind and parameters, never a sentence: the sentence is the kind's
catalogue message (gettext) in the reader's language at display time, so the inbox follows the
page's language and an e-mail carries Vietnamese then English. A parameter is stored as
- plain text or a number: data (a dossier's title, an enterprise's name), shown as it is;
- {"t": msgid}: an interface label (a status, a move), translated when shown; `store()` turns a
  lazy translation (gettext_lazy) into this;
- {"vi": ..., "en": ...}: data with an English name (units, enterprises), picked by language;
- {"d": "YYYY-MM-DD"}: a date, written in the language's format;
- a list of any of these, joined with commas.
"""
from __future__ import annotations

import datetime
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _l

from nscl.accounts.models import Role

DOSSIER_MOVED = "dossier_moved"
ACTIVITY_AWAITING = "activity_awaiting"
RECALL_DECLARED = "recall_declared"
REPORTING_DUE = "reporting_due"


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise     # on the preferences page
    subject: Promise   # the e-mail's subject
    text: Promise      # one sentence with %(name)s parameters
    audience: frozenset  # the roles offered this kind on the preferences page


STAFF = frozenset({Role.ADMIN, Role.OFFICER})
KINDS = {k.code: k for k in [
    Kind(DOSSIER_MOVED, _l("Hồ sơ hỗ trợ chuyển bước"), _l("Hồ sơ hỗ trợ chuyển bước"),
         _l("Hồ sơ “%(title)s” của %(enterprise)s: %(move)s; trạng thái mới: %(status)s."),
         STAFF | {Role.ENTERPRISE}),
    Kind(ACTIVITY_AWAITING, _l("Hoạt động chờ xác nhận"), _l("Hoạt động chờ xác nhận"),
         _l("%(unit)s ghi nhận hoạt động “%(title)s” (%(activity_kind)s, %(status)s): đang chờ cán bộ xác nhận."),
         STAFF),
    Kind(RECALL_DECLARED, _l("Thu hồi sản phẩm"), _l("Thông báo thu hồi sản phẩm"),
         _l("%(enterprise)s thu hồi %(product)s, lô %(lots)s. Lý do: %(reason)s."),
         STAFF | {Role.ENTERPRISE}),
    Kind(REPORTING_DUE, _l("Đến hạn báo cáo"), _l("Nhắc hạn báo cáo"),
         _l("%(enterprise)s: “%(duty)s”, hạn gửi %(due)s."),
         STAFF | {Role.ENTERPRISE}),
]}


def offered_to(role) -> list[Kind]:
    """The kinds a user of this role may receive (all for an administrator)."""
    return [k for k in KINDS.values() if role == Role.ADMIN or role in k.audience]


def source(lazy) -> str:
    """The catalogue message id of a lazy translation: the text in the source language (Vietnamese,
    which has no catalogue of its own)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(lazy)


def store(value):
    """A parameter as it is kept in the database (see the module docstring)."""
    if isinstance(value, Promise):
        return {"t": source(value)}
    if isinstance(value, datetime.datetime):
        return {"d": value.date().isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [store(v) for v in value]
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items() if k in ("t", "d", "vi", "en")}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _shown(value, lang, html) -> str:
    data = True
    if isinstance(value, list):
        return ", ".join(_shown(v, lang, html) for v in value)
    if isinstance(value, dict) and "t" in value:
        text, data = gettext(value["t"]), False
    elif isinstance(value, dict) and "d" in value:
        try:
            text, data = date_format(datetime.date.fromisoformat(value["d"]), "SHORT_DATE_FORMAT"), False
        except ValueError:
            text = value["d"]
    elif isinstance(value, dict):
        english = (lang or translation.get_language() or "").startswith("en")
        text = (english and value.get("en")) or value.get("vi") or ""
    else:
        text = "" if value is None else str(value)
    if not html:
        return text
    # data keeps its own language: marked so that translators (and the bilingual test) leave it
    return f'<span translate="no">{escape(text)}</span>' if data and text else escape(text)


class _Params(dict):
    def __missing__(self, key):
        return "…"


def render(kind: str, params: dict, lang: str | None = None, html: bool = False) -> str:
    """The notification's sentence in `lang` (default: the active language); `html`: escaped, data marked."""
    with translation.override(lang) if lang else nullcontext():
        spec = KINDS.get(kind)
        if spec is None:
            return gettext("Thông báo của hệ thống")
        values = _Params({k: _shown(v, lang, html) for k, v in (params or {}).items()})
        template = str(spec.text)
        try:
            text = (conditional_escape(template) if html else template) % values
        except (TypeError, ValueError):  # a faulty translation: the source sentence rather than nothing
            src = source(spec.text)
            text = (conditional_escape(src) if html else src) % values
        return mark_safe(text) if html else text


def subject(kind: str, lang: str | None = None) -> str:
    with translation.override(lang) if lang else nullcontext():
        spec = KINDS.get(kind)
        return str(spec.subject) if spec else gettext("Thông báo của hệ thống")
