"""Outcome indicators beside the plan's output targets, measured by the system, each with its goal
and the document that sets it.

The programme measures one itself (growth of the number of enterprises supported). Apps above it
add theirs through `register(provider)` in their AppConfig.ready() (stats: the TFP share of growth
and labour productivity growth), so the dashboard shows them without importing those apps.
A provider is a function `years -> Indicator`.

A year not over yet (today is in it, or later) is incomplete: no goal is judged on it (no red or
green), and a yearly count is not compared with the whole previous year (the dashboard and its
export say "chưa hết năm" instead of a growth of -75% in early December). A provider may also mark
years whose data it knows to be incomplete (`Indicator.incomplete`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import datetime

from django.utils import timezone
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
    incomplete: set = field(default_factory=set)  # years whose data the provider knows to be incomplete

    def name_for(self, lang):
        return self.name_en if lang == "en" else self.name

    def cells(self, years):
        """(year, value, met, incomplete) per year: met is True/False against the goals for that
        year, None when nothing is measured, no goal applies or the year is incomplete."""
        out = []
        for y in years:
            v = self.values.get(y)
            partial = y in self.incomplete or not year_is_over(y)
            goals = [g for g in self.goals if g.applies(y)]
            met = None if v is None or not goals or partial else all(v >= g.low for g in goals)
            out.append((y, v, met, partial))
        return out


def today() -> datetime.date:
    return timezone.localdate()


def year_is_over(year: int) -> bool:
    return year < today().year


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
    running = {y for y in years if not year_is_over(y)}  # part of a year against a whole one: not computed
    values = {y: (100 * (counts[y] / counts[y - 1] - 1) if counts.get(y - 1) and y not in running else None)
              for y in years}
    return Indicator(
        "DN", "Tăng trưởng số doanh nghiệp được hỗ trợ trong năm", "Growth of the number of enterprises supported",
        "%", values,
        [Goal(_("Quốc gia: tăng 10-15%/năm"), 10, 15, 2021, 2030, _("Quyết định 1322/QĐ-TTg"))],
        source=_("Hồ sơ hỗ trợ doanh nghiệp đã nghiệm thu"),
        note="; ".join(f"{y}: {counts[y]} DN" + (" (chưa hết năm)" if y in running else "") for y in span if counts[y]),
        incomplete=running)


def indicators(years) -> list[Indicator]:
    return [supported_enterprises_growth(years)] + [p(years) for p in _PROVIDERS]
