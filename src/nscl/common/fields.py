"""Numbers typed the way officers type them: "18.500.000", "18 500 000" and "18500000" are the same
amount, "0,38" is 0.38 (and "0.38" too); what they type is shown back as typed, a stored value with
the page language's separators (18.500.000 and 0,38; in English 18,500,000 and 0.38).

One parser (`parse_number`) behind every form field of money, counts and decimals: `MoneyField`
(whole đồng), `IntegerField` (counts), `DecimalField`, `FloatField`; `number_formfield` is the
`formfield_callback` that gives a ModelForm these fields for its model's number fields. The
refusals are Vietnamese sentences naming what was typed (English on English pages).

The rule, whatever the page's language:

- spaces (also no-break and thin spaces) only separate thousands;
- "." and "," both: the last one is the decimal mark, the other separates thousands;
- one of them, several times: thousands ("18.500.000", "1,250,000");
- one of them, once: the decimal mark, except that a group of exactly three digits after it, after
  one to three digits not starting with 0, is a thousands group when the mark is the language's
  thousands separator ("1.250" in Vietnamese, "1,250" in English) or the field takes no fraction
  (money, counts: "18.500" is 18500 there);
- groups of thousands are 3 digits, after a first group of 1 to 3.
"""
from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _l

from .formatting import english

# Dates a record may carry (activities, dossier steps): the plan's years (2021-2030) with a margin
# for work begun before it and reports after it; a date outside (01/01/0001, 9999) is a typing
# error, not an activity. The one definition: programme and enterprises import it from here.
EARLIEST_DATE = datetime.date(2015, 1, 1)
LATEST_DATE = datetime.date(2035, 12, 31)

SPACES = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break space, thin space
_SPACE_RUN = re.compile(f"[{SPACES}]+")
_ALLOWED = re.compile(r"[0-9., ]*")


class NumberTypingError(ValueError):
    """Typed text that is not a number (`code` "invalid"), or has a fraction where none may be
    ("fraction")."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _separators(lang) -> tuple[str, str]:
    """(decimal mark, thousands separator) of `lang`."""
    return (".", ",") if english(lang) else (",", ".")


def _grouped(text: str, sep: str | None) -> str:
    """The digits of an integer part written with thousands separator `sep` (None: none), or raise."""
    groups = text.split(sep) if sep else [text]
    if not all(g.isdigit() for g in groups):
        raise NumberTypingError("invalid")
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        raise NumberTypingError("invalid")
    return "".join(groups)


def parse_number(text, fraction: bool = True, lang=None) -> Decimal:
    """The number `text` stands for (see the module's rule); `fraction`: whether a decimal part may
    be typed (False for money and counts). Raises NumberTypingError."""
    s = _SPACE_RUN.sub(" ", str(text).strip().replace("−", "-"))
    sign = ""
    if s[:1] in ("-", "+"):
        sign, s = ("-" if s[0] == "-" else ""), s[1:].strip()
    if not s or not _ALLOWED.fullmatch(s) or not any(c.isdigit() for c in s):
        raise NumberTypingError("invalid")
    marks = [c for c in s if c in ".,"]
    decimal_mark, thousands = _separators(lang)
    point = None  # the decimal mark used, if any
    if len(set(marks)) == 2:
        point = marks[-1]
        if marks.count(point) > 1:
            raise NumberTypingError("invalid")
    elif len(marks) == 1:
        mark = marks[0]
        whole, part = s.split(mark)
        looks_grouped = len(part) == 3 and part.isdigit() and re.fullmatch(r"[1-9]\d{0,2}", whole or "") is not None
        if " " in s:  # spaces group the thousands: the mark can only be the decimal one
            point = mark
        elif looks_grouped and (mark == thousands or not fraction):
            point = None
        else:
            point = mark
    if point is None:
        whole, part = s, ""
    else:
        whole, part = s.rsplit(point, 1)
        if not part.isdigit():
            raise NumberTypingError("invalid")
    group_marks = {c for c in whole if c in ". ,"}
    if len(group_marks) > 1:
        raise NumberTypingError("invalid")
    digits = _grouped(whole, group_marks.pop() if group_marks else None) if whole else "0"
    part = part.rstrip("0")  # "0,380" has two decimals, "18.500,00" none
    if part and not fraction:
        raise NumberTypingError("fraction")
    try:
        return Decimal(f"{sign}{digits}" + (f".{part}" if part else ""))
    except InvalidOperation:  # pragma: no cover - digits only by now
        raise NumberTypingError("invalid") from None


def format_number(value, lang=None, group: bool = True) -> str:
    """A stored number as the page shows it in a field: thousands separated, no trailing zeros
    (Decimal("1.00") is "1"), the language's decimal mark."""
    if value is None or value == "":
        return ""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if not d.is_finite():
        return str(value)
    text = format(d.normalize(), "f")
    sign = "-" if text.startswith("-") else ""
    whole, _, part = text.lstrip("-").partition(".")
    point, thousands = _separators(lang)
    if group:
        whole = f"{int(whole):,}".replace(",", thousands)
    return sign + whole + (point + part if part else "")


class NumberInput(forms.TextInput):
    """A text box (a browser's number box refuses "18.500.000"), numeric keyboard on phones;
    a stored value shown with separators, typed text as typed."""

    def __init__(self, attrs=None, fraction: bool = True, group: bool = True):
        super().__init__({"inputmode": "decimal" if fraction else "numeric", **(attrs or {})})
        self.fraction, self.group = fraction, group

    def format_value(self, value):
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return format_number(value, translation.get_language(), self.group)
        return super().format_value(value)


MESSAGES = {
    "money": _l("“%(value)s” không phải là số tiền: nhập số đồng bằng chữ số, có thể phân cách hàng nghìn bằng dấu "
                "chấm hoặc khoảng trắng (vd. 18.500.000)."),
    "money_fraction": _l("“%(value)s”: số tiền tính bằng đồng, không có phần lẻ (vd. 18.500.000)."),
    "count": _l("“%(value)s” không phải là số nguyên: nhập chữ số, có thể phân cách hàng nghìn bằng dấu chấm hoặc "
                "khoảng trắng (vd. 1.250)."),
    "count_fraction": _l("“%(value)s”: cần một số nguyên, không có phần lẻ."),
    "decimal": _l("“%(value)s” không phải là số: dùng dấu phẩy cho phần thập phân (vd. 0,38) và dấu chấm hoặc khoảng "
                  "trắng để phân cách hàng nghìn (vd. 1.250,5)."),
    "max_decimal_places": _l("Chỉ được nhập tối đa %(max)s chữ số sau dấu phẩy."),
    "max_digits": _l("Số quá lớn: tối đa %(max)s chữ số."),
    "max_whole_digits": _l("Số quá lớn: phần nguyên tối đa %(max)s chữ số."),
}


class _TypedNumber:
    """What the number fields share: the parser, the text box and the messages; `kind` is "money",
    "count" or "decimal", `convert` turns the Decimal into the field's type."""

    kind = "decimal"
    fraction = True

    def __init__(self, *args, group: bool = True, **kwargs):
        kwargs.setdefault("widget", NumberInput(fraction=self.fraction, group=group))
        super().__init__(*args, **kwargs)
        self.error_messages = {**self.error_messages, "invalid": MESSAGES[self.kind],
                               **{k: MESSAGES[k] for k in ("max_decimal_places", "max_digits", "max_whole_digits")}}
        if not self.fraction:
            self.error_messages["fraction"] = MESSAGES[f"{self.kind}_fraction"]

    def convert(self, number: Decimal):
        return number

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            number = Decimal(str(value))
        else:
            try:
                number = parse_number(value, self.fraction, translation.get_language())
            except NumberTypingError as e:
                raise ValidationError(self.error_messages[e.code], code=e.code, params={"value": value}) from None
        if not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value})
        return self.convert(number)


class MoneyField(_TypedNumber, forms.DecimalField):
    """An amount in whole đồng (a Decimal without fraction)."""

    kind, fraction = "money", False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


class IntegerField(_TypedNumber, forms.IntegerField):
    """A count: persons, trainees, visits."""

    kind, fraction = "count", False

    def convert(self, number):
        return int(number)


class DecimalField(_TypedNumber, forms.DecimalField):
    """A number with a fraction, kept exact (a Decimal): hours, percentages, averages."""


class FloatField(_TypedNumber, forms.FloatField):
    """A number with a fraction for computations (a float): TFP parameters and series values."""

    def convert(self, number):
        return float(number)


def number_formfield(db_field, **kwargs):
    """`formfield_callback` of a ModelForm: money (a DecimalField without decimals), counts, decimals
    and floats typed the Vietnamese way; years stay plain ("2025", never "2.025"); others as Django
    makes them."""
    if not db_field.choices and "year" not in db_field.name:
        if isinstance(db_field, models.DecimalField):
            cls = MoneyField if db_field.decimal_places == 0 else DecimalField
            return db_field.formfield(form_class=cls, **kwargs)
        if isinstance(db_field, models.IntegerField):
            return db_field.formfield(form_class=IntegerField, **kwargs)
        if isinstance(db_field, models.FloatField):
            return db_field.formfield(form_class=FloatField, **kwargs)
    return db_field.formfield(**kwargs)


class Money(models.DecimalField):
    """A model field of whole đồng: the one declaration that a field holds money, so pages and
    exports show it as 1.234.567 đ (`is_money`) and forms read "18.500.000" (`number_formfield`).
    Stored and migrated exactly as the DecimalField it is (18 digits, no decimals)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


def is_money(field) -> bool:
    return isinstance(field, Money)
