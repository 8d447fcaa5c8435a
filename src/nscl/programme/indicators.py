"""Outcome indicators beside the plan's output targets, measured by the system, each with its goal
and the document that sets it.

The programme measures one itself (growth of the number of enterprises supported). Apps above it
add theirs through `register(provider)` in their AppConfig.ready() (stats: the TFP share of growth
and labour productivity growth), so the dashboard shows them without importing those apps.
A provider is a function `years -> Indicator`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from nscl.enterprises.services import support_counting_rows


@dataclass
class Goal:
    label: str            # "Quốc gia 2025: khoảng 45%"
    low: float            # the value to reach (percent)
    high: float | None    # upper end of a range goal, if any
    first_year: int
    last_year: int
    source: str           # the document: "Quyết định 36/QĐ-TTg"

    def applies(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


@dataclass
class Indicator:
    code: str
    name: str
    name_en: str
    unit: str
    values: dict                      # year -> value (None: not measured)
    goals: list = field(default_factory=list)
    source: str = ""                  # where the measured values come from
    note: str = ""

    def name_for(self, lang):
        return self.name_en if lang == "en" else self.name

    def cells(self, years):
        """(year, value, met) per year: met is True/False against the goals for that year, None
        when nothing is measured or no goal applies."""
        out = []
        for y in years:
            v = self.values.get(y)
            goals = [g for g in self.goals if g.applies(y)]
            met = None if v is None or not goals else all(v >= g.low for g in goals)
            out.append((y, v, met))
        return out


_PROVIDERS = []


def register(provider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def supported_enterprises_growth(years) -> Indicator:
    """Yearly growth of the number of distinct enterprises whose support dossier was accepted in
    the year, a branch with its parent (Decision 1322/QĐ-TTg: 10-15% a year)."""
    span = range(min(years) - 1, max(years) + 1)
    counts = dict.fromkeys(span, 0)
    for y, key in set(support_counting_rows(span[0], span[-1])):
        counts[y] += 1
    values = {y: (100 * (counts[y] / counts[y - 1] - 1) if counts.get(y - 1) else None) for y in years}
    return Indicator(
        "DN", "Tăng trưởng số doanh nghiệp được hỗ trợ trong năm", "Growth of the number of enterprises supported",
        "%", values,
        [Goal(_("Quốc gia: tăng 10-15%/năm"), 10, 15, 2021, 2030, _("Quyết định 1322/QĐ-TTg"))],
        source=_("Hồ sơ hỗ trợ doanh nghiệp đã nghiệm thu"),
        note="; ".join(f"{y}: {counts[y]} DN" for y in span if counts[y]))


def indicators(years) -> list[Indicator]:
    return [supported_enterprises_growth(years)] + [p(years) for p in _PROVIDERS]
