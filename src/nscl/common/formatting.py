"""Vietnamese number and date formatting: `1.234.567 đ`, `12,5`, `dd/mm/yyyy`, one way everywhere
(pages, exports, documents). Pages in English pass `lang="en"`: `1,234,567 VND`, `12.5`; documents
that are always Vietnamese keep the default."""
from __future__ import annotations

import datetime
import math


def undefined(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def fmt_date(d: datetime.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def english(lang) -> bool:
    """Whether `lang` (a language code such as 'en', 'en-us', 'vi'; None for the default) is English."""
    return bool(lang and str(lang).lower().startswith("en"))


def _local(text: str, lang) -> str:
    """A number written with Python's separators (',' thousands, '.' decimals) in `lang`'s."""
    if english(lang):
        return text
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def fmt_vnd(value, lang=None) -> str:
    if value is None:
        return ""
    amount = f"{int(round(value)):,}"
    return f"{amount} VND" if english(lang) else _local(amount, lang) + " đ"


def fmt_num(value, lang=None) -> str:
    if value is None:
        return ""
    v = float(value)
    if v.is_integer():
        return _local(f"{int(v):,}", lang)
    return _local(f"{v:,.1f}", lang)


def fmt_decimal(v, places: int, lang=None) -> str:
    """A number with a decimal comma (a point in English) and `places` decimals; '—' when undefined."""
    return "—" if undefined(v) else _local(f"{v:.{places}f}", lang)
