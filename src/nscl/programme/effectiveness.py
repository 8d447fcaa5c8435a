"""Cost-effectiveness from the records: what the programme spent in a year or a phase and what it
bought (enterprises supported, trainees trained, certificates obtained), with the latest measured
effect per billion đồng. The arithmetic is costs.py; this module only gathers the numbers.

What counts, and why:
- spending = the spent budget of confirmed, not cancelled programme activities paid from public
  funds (central, provincial, other; an enterprise's own counterpart money is not the programme's
  cost), by the activity's counting year; plus the support paid on accepted or closed dossiers
  (paid amount, else the approved amount), by the year of acceptance. Support to enterprises is
  counted from dossiers only: they replaced the old support register;
- enterprises supported = distinct enterprises with a dossier accepted in the period, a branch
  with its parent (the MT5 rule: enterprises.services.support_counting_rows);
- trainees = participants of completed, confirmed training classes;
- certificates = certificates issued in the period that the programme supported: attached to a
  dossier, or of a standard the enterprise had an accepted dossier for. A certificate an
  enterprise obtained on its own was not bought with the programme's money.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext

from nscl.enterprises.dossiers import COUNTED, Certificate, Dossier
from nscl.enterprises.services import accepted_dossiers, support_counting_rows

from . import costs
from .models import Activity, ActivityKind, TrainingClass

PUBLIC_SOURCES = (Activity.FundSource.CENTRAL, Activity.FundSource.PROVINCIAL, Activity.FundSource.OTHER)


@dataclass
class PeriodCosts:
    label: str
    first: int
    last: int
    activities_spent: float = 0.0
    support_paid: float = 0.0
    enterprises: int = 0
    trainees: int = 0
    certificates: int = 0

    @property
    def budget(self) -> float:
        return self.activities_spent + self.support_paid

    @property
    def units(self) -> dict:
        return costs.unit_costs(self.budget, self.enterprises, self.trainees, self.certificates)


def _activities(first, last):
    return (Activity.objects.filter(confirmed_at__isnull=False, count_year__gte=first, count_year__lte=last)
            .exclude(status=Activity.Status.CANCELLED).exclude(kind=ActivityKind.SUPPORT))


def _certificates(first, last):
    # a certificate the programme helped to obtain: the enterprise's accepted dossier for that standard,
    # applied for before the certificate was issued (not an older certificate of a later dossier)
    supported = Dossier.objects.filter(status__in=COUNTED, enterprise_id=OuterRef("enterprise_id"),
                                       content_id=OuterRef("standard_id"), applied_on__lte=OuterRef("issued_on"))
    return (Certificate.objects.filter(issued_on__year__gte=first, issued_on__year__lte=last)
            .filter(Q(dossier__isnull=False) | Q(Exists(supported))))


def _per_year(first: int, last: int) -> dict[int, dict]:
    """{year: {spent, support, trainees, certificates}} in a handful of grouped queries."""
    out = {y: {"spent": 0.0, "support": 0.0, "trainees": 0, "certificates": 0} for y in range(first, last + 1)}
    for r in (_activities(first, last).filter(fund_source__in=PUBLIC_SOURCES)
              .values("count_year").annotate(v=Sum("budget_spent"))):
        out[r["count_year"]]["spent"] = float(r["v"] or 0)
    for r in (accepted_dossiers(first, last).annotate(y=ExtractYear("accepted_on")).values("y")
              .annotate(v=Sum(Coalesce("paid_amount", "approved_amount")))):
        out[r["y"]]["support"] = float(r["v"] or 0)
    for r in (TrainingClass.objects.filter(pk__in=_activities(first, last).filter(status=Activity.Status.COMPLETED)
                                           .values("pk")).values("count_year").annotate(v=Sum("participants"))):
        out[r["count_year"]]["trainees"] = int(r["v"] or 0)
    for r in (_certificates(first, last).annotate(y=ExtractYear("issued_on")).values("y")
              .annotate(v=Count("pk", distinct=True))):
        out[r["y"]]["certificates"] = int(r["v"] or 0)
    return out


def _period(label, first, last, per_year, rows) -> PeriodCosts:
    years = [y for y in range(first, last + 1)]
    return PeriodCosts(
        label=label, first=first, last=last,
        activities_spent=sum(per_year[y]["spent"] for y in years),
        support_paid=sum(per_year[y]["support"] for y in years),
        enterprises=len({key for year, key in rows if first <= year <= last}),
        trainees=sum(per_year[y]["trainees"] for y in years),
        certificates=sum(per_year[y]["certificates"] for y in years),
    )


def period_costs(first: int, last: int, label: str | None = None) -> PeriodCosts:
    """Spending and results from the start of `first` to the end of `last` (years)."""
    per_year = _per_year(first, last)
    rows = support_counting_rows(first, last)
    return _period(label or (str(first) if first == last else f"{first}-{last}"), first, last, per_year, rows)


def latest_effect_per_billion() -> tuple[dict | None, dict | None]:
    """(the latest impact estimate, its effect per billion đồng) — (None, None) when none exists."""
    effect = costs.latest_effect()
    if not effect:
        return None, None
    outcome = str(effect.get("outcome") or "")
    effect = {**effect, **{k: costs.number(effect.get(k)) for k in ("att", "ci_low", "ci_high", "n_treated")},
              "outcome_label": gettext(costs.OUTCOME_LABELS[outcome]) if outcome in costs.OUTCOME_LABELS else outcome}
    return effect, costs.effect_per_billion(effect.get("att"), effect.get("ci_low"), effect.get("ci_high"),
                                            effect.get("support_total_vnd"), effect.get("n_treated"))


def phase_costs(phase, as_of: int) -> dict:
    """Each year of `phase` up to `as_of`, the phase to date, and the latest effect per billion."""
    last = min(max(as_of, phase.start_year), phase.end_year)
    per_year = _per_year(phase.start_year, last)
    rows = support_counting_rows(phase.start_year, last)
    years = [_period(str(y), y, y, per_year, rows) for y in range(phase.start_year, last + 1)]
    label = str(last) if last == phase.start_year else f"{phase.start_year}-{last}"
    total = _period(label, phase.start_year, last, per_year, rows)
    effect, per_billion = latest_effect_per_billion()
    return {"years": years, "phase": total, "effect": effect, "per_billion": per_billion}
