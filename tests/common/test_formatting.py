"""Vietnamese formatting, computed by hand."""
import datetime

from nscl.common.formatting import fmt_date, fmt_decimal, fmt_num, fmt_vnd


def test_formats():
    assert fmt_vnd(1234567) == "1.234.567 đ"
    assert fmt_vnd(None) == ""
    assert fmt_num(1234567) == "1.234.567" and fmt_num(1234.56) == "1.234,6"
    assert fmt_date(datetime.date(2026, 1, 5)) == "05/01/2026"
    assert fmt_decimal(45.678, 2) == "45,68" and fmt_decimal(float("nan"), 2) == "—" and fmt_decimal(None, 1) == "—"
