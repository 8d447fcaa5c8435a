"""Vietnamese number and date formatting: `1.234.567 đ`, `12,5`, `dd/mm/yyyy`, one way everywhere
(pages, exports, documents)."""
from __future__ import annotations

import datetime
import math


def undefined(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def fmt_date(d: datetime.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def fmt_vnd(value) -> str:
    if value is None:
        return ""
    return f"{int(round(value)):,}".replace(",", ".") + " đ"


def fmt_num(value) -> str:
    if value is None:
        return ""
    v = float(value)
    if v.is_integer():
        return f"{int(v):,}".replace(",", ".")
    return f"{v:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")


def fmt_decimal(v, places: int) -> str:
    """A number with a decimal comma and `places` decimals; '—' when undefined."""
    return "—" if undefined(v) else f"{v:.{places}f}".replace(".", ",")
