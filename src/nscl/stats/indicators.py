"""The TFP section's outcome indicators for the programme dashboard (registered in apps.ready):
the TFP share of GRDP growth and labour productivity growth, from the published TFP figures."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from nscl.programme.indicators import Goal, Indicator

from .models import TfpPublication


def _published(years):
    return {p.year: p for p in TfpPublication.objects.filter(year__in=list(years)).select_related("run")}


def tfp_share(years) -> Indicator:
    pubs = _published(years)
    values = {}
    for y in years:
        r = pubs[y].run.year_result(y) if y in pubs else None
        values[y] = r.get("contribution_tfp_pct") if r else None
    return Indicator(
        "TFP", "Tỷ trọng đóng góp của TFP vào tăng trưởng GRDP", "TFP share of GRDP growth", "%", values,
        [Goal(_("Quốc gia đến 2025: khoảng 45%"), 45, None, 2021, 2025, _("Quyết định 36/QĐ-TTg")),
         Goal(_("Quốc gia đến 2030: khoảng 50%"), 50, None, 2026, 2030, _("Quyết định 36/QĐ-TTg")),
         Goal(_("Tỉnh 2021-2030: bình quân 50-55%"), 50, 55, 2021, 2030, _("Quyết định 489/QĐ-TTg (quy hoạch tỉnh)"))],
        source=_("Số liệu TFP đã công bố (trang TFP)"))


def labour_productivity_growth(years) -> Indicator:
    """(GRDP / employed persons) growth of each published year, from the inputs of its run."""
    pubs = _published(years)
    values = {}
    for y in years:
        values[y] = None
        if y in pubs:
            rows = {r["year"]: r for r in pubs[y].run.inputs}
            now, before = rows.get(y), rows.get(y - 1)
            if now and before and now.get("labour") and before.get("labour") and before.get("output"):
                values[y] = 100 * ((now["output"] / now["labour"]) / (before["output"] / before["labour"]) - 1)
    return Indicator(
        "NSLĐ", "Tốc độ tăng năng suất lao động", "Labour productivity growth", "%", values,
        [Goal(_("Quốc gia đến 2025: trên 7%/năm"), 7, None, 2021, 2025, _("Quyết định 36/QĐ-TTg")),
         Goal(_("Quốc gia 2026-2030: trên 7,5%/năm"), 7.5, None, 2026, 2030, _("Quyết định 36/QĐ-TTg"))],
        source=_("GRDP giá so sánh / lao động có việc làm của lần tính TFP đã công bố"))
