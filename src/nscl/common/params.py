"""Query parameters read safely: odd input (`²`, `１２`, `1e400`, a 30-digit number) is absent, never a 500."""
from __future__ import annotations

import math
import re

_INT = re.compile(r"-?[0-9]{1,9}")


def int_param(value, lo: int | None = None, hi: int | None = None) -> int | None:
    """An ASCII integer within [lo, hi], else None."""
    if not isinstance(value, str) or not _INT.fullmatch(value.strip()):
        return None
    n = int(value)
    if (lo is not None and n < lo) or (hi is not None and n > hi):
        return None
    return n


def float_param(value, lo: float | None = None, hi: float | None = None) -> float | None:
    """A finite decimal (a Vietnamese decimal comma accepted) within [lo, hi], else None."""
    if not isinstance(value, str) or len(value) > 30:
        return None
    try:
        x = float(value.strip().replace(",", "."))
    except ValueError:
        return None
    if not math.isfinite(x) or (lo is not None and x < lo) or (hi is not None and x > hi):
        return None
    return x
