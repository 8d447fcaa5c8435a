"""An illustrative registry for the impact page ("Dữ liệu minh họa"): simulated enterprises with
figures 2016-2025 and support accepted in 2017-2020 (the province's previous programme, so nothing
counts toward the 2021-2025 targets), some never supported, with a known effect: labour
productivity 8% higher from the year of acceptance on.

The simulation: value added = Cobb-Douglas in employees and fixed assets (elasticities BETA_L,
BETA_K) times productivity ω = firm level + common year effect + EFFECT·(supported) + noise.
Employees and fixed assets follow their own paths (the support does not move them), so the effect
on ln(value added / employees) is exactly EFFECT, parallel trends hold by construction, and
supported firms may start more productive (a level, which the estimate differences out).
Materials follow productivity and assets, so firm TFP can be estimated (Levinsohn-Petrin) too.

Tax codes are valid MSTs (check digit included) from the 0991… range; one that is already in the
registry is skipped. Everything is flagged is_demo and `remove()` deletes exactly that; written in
bulk (a few seconds), with its audit entries as the demo officer."""
from __future__ import annotations

import datetime
import math
from decimal import Decimal

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from stdnum.vn import mst

from nscl.audit.api import acting_as, record_bulk
from nscl.audit.models import AuditEntry
from nscl.audit.signals import snapshot
from nscl.enterprises import size, vsic
from nscl.enterprises.dossiers import Dossier, DossierStep, Status
from nscl.enterprises.models import Enterprise, IndustryCode, SupportContent, YearlyFigures, fold
from nscl.geo.models import AdministrativeUnit, units_valid_on
from nscl.programme.demo import DEMO_OFFICER
from nscl.stats.deflators import DeflatorSeries, DeflatorValue

N_FIRMS = 400
SEED = 15  # seeds 1-60: the estimate averages 0.0773 (effect 0.0770), sd 0.0069; 54 of 60 intervals cover it
YEARS = range(2016, 2026)
COHORTS = (2017, 2018, 2019, 2020)
TREATED_SHARE = 0.55
EFFECT = math.log(1.08)  # +8% labour productivity from the year of acceptance
BETA_L, BETA_K = 0.6, 0.3  # elasticities of value added to employees and fixed assets
CONTENTS = (("iso-9001", 0.40), ("5s", 0.30), ("kaizen", 0.15), ("lean", 0.10), ("haccp", 0.05))
PREFIX = "0991"
TRADES = ["Cơ khí", "Dệt may", "Thực phẩm", "Nhựa", "Bao bì", "Điện tử", "Gốm sứ", "Đồ gỗ", "Vật liệu", "Linh kiện"]
PLACES = ["Phố Hiến", "Mỹ Hào", "Văn Lâm", "Yên Mỹ", "Khoái Châu", "Kim Động", "Ân Thi", "Tiên Lữ", "Phù Cừ",
          "Văn Giang", "Như Quỳnh", "Thái Thụy", "Vũ Thư", "Kiến Xương", "Tiền Hải", "Quỳnh Phụ", "Đông Hưng"]
VSIC = ["25920", "14100", "10790", "27900", "28190", "16230", "23950", "10500", "25110"]
DEFLATOR = {2016: 88.9, 2017: 92.4, 2018: 95.3, 2019: 97.8, 2020: 100.0, 2021: 102.9, 2022: 106.5, 2023: 109.2,
            2024: 113.1, 2025: 116.6}


def demo_tax_codes(n: int, taken=()) -> list[str]:
    """n valid 10-digit MSTs 0991xxxxx + check digit, skipping those in `taken`."""
    out, k = [], 0
    while len(out) < n:
        base = f"{PREFIX}{k:05d}"
        k += 1
        check = mst.calc_check_digit(base)
        if len(check) == 1 and base + check not in taken:
            out.append(base + check)
    return out


def simulate(n_firms: int = N_FIRMS, seed: int = SEED):
    """Plain simulated rows: [(i, first year or 0, content index)], {(i, year): figures}."""
    rng = np.random.default_rng(seed)
    years = np.array(list(YEARS))
    treated = rng.random(n_firms) < TREATED_SHARE
    first = np.where(treated, rng.choice(COHORTS, n_firms), 0)
    shares = np.array([s for _c, s in CONTENTS])
    content = rng.choice(len(CONTENTS), n_firms, p=shares / shares.sum())
    level = rng.normal(0, 0.35, n_firms) + 0.1 * treated   # supported firms start a little ahead
    year_effect = 0.035 * (years - years[0]) + rng.normal(0, 0.02, len(years))
    log_emp0 = rng.normal(3.8, 0.8, n_firms)
    emp_growth = rng.normal(0.02, 0.03, n_firms)
    capital_intensity = rng.normal(math.log(350e6), 0.3, n_firms)
    # the constant that puts the typical firm (45 employees, 350 million đồng of assets each) at 250 million
    # đồng of value added per employee
    typical_k = 3.8 + math.log(350e6)
    constant = math.log(250e6) - (BETA_L - 1) * 3.8 - BETA_K * typical_k
    typical_va = math.log(250e6) + 3.8
    exporter = rng.random(n_firms) < 0.3
    figures = {}
    for j, year in enumerate(years):
        supported = (first > 0) & (year >= first)
        emp = np.maximum(1.0, np.round(np.exp(log_emp0 + emp_growth * j + rng.normal(0, 0.05, n_firms)), 1))
        fixed = emp * np.exp(capital_intensity + rng.normal(0, 0.05, n_firms))
        omega = level + year_effect[j] + EFFECT * supported + rng.normal(0, 0.07, n_firms)
        va = np.exp(constant + BETA_L * np.log(emp) + BETA_K * np.log(fixed) + omega)
        # materials chosen on productivity and assets, not on this year's employees (so Levinsohn-Petrin
        # separates labour from the proxy): about 1.5 times value added for the typical firm
        materials = 1.5 * np.exp(typical_va + omega + 0.9 * (np.log(fixed) - typical_k) + rng.normal(0, 0.02, n_firms))
        energy = va * 0.1 * np.exp(rng.normal(0, 0.1, n_firms))
        revenue = va + materials + energy + va * 0.2
        for i in range(n_firms):
            va_i, revenue_i = _vnd(va[i]), _vnd(revenue[i])
            figures[(i, int(year))] = {
                "employees": Decimal(f"{emp[i]:.1f}"), "value_added": va_i, "revenue": revenue_i,
                "intermediate_costs": revenue_i - va_i, "materials": _vnd(materials[i]),
                "energy": _vnd(energy[i]), "fixed_assets": _vnd(fixed[i]), "total_capital": _vnd(fixed[i] * 1.3),
                "wage_bill": _vnd(emp[i] * 96e6 * math.exp(rng.normal(0, 0.1))),
                "investment": _vnd(fixed[i] * 0.1 * math.exp(rng.normal(0, 0.2))),
                "exports": _vnd(revenue[i] * 0.3) if exporter[i] else Decimal(0)}
    firms = [(i, int(first[i]), int(content[i])) for i in range(n_firms)]
    return firms, figures


def _vnd(x) -> Decimal:
    return Decimal(int(round(float(x))))


def loaded() -> bool:
    return Enterprise.objects.filter(is_demo=True, tax_code__startswith=PREFIX).exists()


@transaction.atomic
def load(n_firms: int = N_FIRMS, seed: int = SEED) -> dict:
    if loaded():
        return {"registry_skipped": "already loaded"}
    user = get_user_model().objects.filter(username=DEMO_OFFICER).first()
    firms, figures = simulate(n_firms, seed)
    rng = np.random.default_rng(seed + 1)
    taken = set(Enterprise.objects.filter(tax_code__startswith=PREFIX).values_list("tax_code", flat=True))
    codes = demo_tax_codes(n_firms, taken)
    communes = list(units_valid_on(datetime.date(2025, 7, 1), AdministrativeUnit.Level.COMMUNE)
                    .order_by("code").values_list("pk", flat=True)[:300])
    industries = [c for c in VSIC if vsic.exists(vsic.V2025, c)]
    contents = {c.code: c for c in SupportContent.objects.filter(code__in=[c for c, _s in CONTENTS])}
    last = YEARS[-1]
    enterprises = []
    for (i, _g, _c), code in zip(firms, codes):
        f = figures[(i, last)]
        r = size.classify(size.INDUSTRY, f["employees"], f["revenue"], f["total_capital"])
        e = Enterprise(tax_code=code, name=f"Công ty TNHH {TRADES[i % len(TRADES)]} {PLACES[i % len(PLACES)]} "
                                          f"{i + 1:03d} (minh họa)",
                       ownership="private", sector_group=size.INDUSTRY, is_demo=True,
                       commune_id=communes[int(rng.integers(len(communes)))] if communes else None,
                       registered_on=datetime.date(2005 + i % 10, 1 + i % 12, 1 + i % 28),
                       size_class=r.size_class, size_year=last, size_rule=r.rule[:400])
        e.search_text = fold(e.name)[:520]
        enterprises.append(e)
    with acting_as(user):
        Enterprise.objects.bulk_create(enterprises, batch_size=1000)
        if any(e.pk is None for e in enterprises):
            pks = dict(Enterprise.objects.filter(tax_code__in=codes).values_list("tax_code", "pk"))
            for e in enterprises:
                e.pk = pks[e.tax_code]
        rows = [YearlyFigures(enterprise=enterprises[i], year=year, **values)  # the object: str() needs no query
                for (i, year), values in figures.items()]
        YearlyFigures.objects.bulk_create(rows, batch_size=2000)
        codes_ = [IndustryCode(enterprise_id=e.pk, version=vsic.V2025, code=industries[k % len(industries)],
                               is_primary=True) for k, e in enumerate(enterprises)] if industries else []
        IndustryCode.objects.bulk_create(codes_, batch_size=1000)
        dossiers = _dossiers(firms, enterprises, contents, user, rng)
        deflator = DeflatorSeries.objects.create(
            name="Chỉ số giảm phát giá trị tăng thêm công nghiệp (minh họa)", base_year=2020, is_demo=True,
            source="Dữ liệu minh họa, không phải số liệu thống kê", created_by=user)
        DeflatorValue.objects.bulk_create([DeflatorValue(series=deflator, year=y, index=v) for y, v in DEFLATOR.items()])
        record_bulk([(AuditEntry.Action.CREATE, o, None) for o in [*enterprises, *rows, *codes_, *dossiers]])
    return {"registry_enterprises": len(enterprises), "registry_figures": len(rows), "registry_dossiers": len(dossiers),
            "registry_treated": sum(1 for _i, g, _c in firms if g)}


def _dossiers(firms, enterprises, contents, user, rng) -> list:
    out = []
    for i, first, c in firms:
        content = contents.get(CONTENTS[c][0])
        if not first or content is None:
            continue
        supports = [(first, content)]
        if first <= 2018 and rng.random() < 0.25:  # a second support two years later (still 2020 at the latest)
            other = contents.get(CONTENTS[(c + 1) % len(CONTENTS)][0])
            if other is not None:
                supports.append((first + 2, other))
        for year, what in supports:
            accepted = datetime.date(year, int(rng.integers(3, 12)), int(rng.integers(1, 29)))
            decided = accepted - datetime.timedelta(days=int(rng.integers(120, 240)))
            amount = Decimal(int(rng.integers(20, 51)) * 1_000_000)
            out.append(Dossier(enterprise=enterprises[i], content=what, title=f"{what.name} (minh họa)",
                               status=Status.CLOSED, applied_on=decided - datetime.timedelta(days=30),
                               total_cost=2 * amount, requested_amount=amount, proposed_amount=amount,
                               approved_amount=amount, paid_amount=amount, decision_date=decided,
                               decision_body="Sở Khoa học và Công nghệ tỉnh Hưng Yên",
                               provider="Tổ chức tư vấn (minh họa)", accepted_on=accepted,
                               closed_on=accepted + datetime.timedelta(days=20), created_by=user, is_demo=True))
    Dossier.objects.bulk_create(out, batch_size=1000)
    DossierStep.objects.bulk_create([DossierStep(dossier=d, transition="import", from_status="", to_status=Status.CLOSED,
                                                 by=user, notes="Hồ sơ minh họa của chương trình giai đoạn trước.")
                                     for d in out if d.pk], batch_size=1000)
    return out


@transaction.atomic
def remove() -> dict:
    """Delete exactly the illustrative registry: its dossiers, enterprises (figures and industry
    codes with them) and the illustrative deflator; before the programme's demo (nothing refers to
    it but itself). The yearly figures and industry codes (leaf rows, thousands) are deleted in bulk
    with their audit entries written in bulk too; the rest one by one as any deletion."""
    demo = Enterprise.objects.filter(is_demo=True, tax_code__startswith=PREFIX)
    user = get_user_model().objects.filter(username=DEMO_OFFICER).first()
    with acting_as(user):
        for model in (YearlyFigures, IndustryCode):
            qs = model.objects.filter(enterprise__in=demo)
            record_bulk([(AuditEntry.Action.DELETE, o, snapshot(o)) for o in qs.select_related("enterprise")])
            qs._raw_delete(qs.db)  # leaf tables: nothing refers to these rows
        dossiers = Dossier.objects.filter(enterprise__in=demo, is_demo=True).delete()[1].get("enterprises.Dossier", 0)
        n = demo.count()
        demo.delete()
        DeflatorSeries.objects.filter(is_demo=True).delete()
    return {"registry_enterprises": n, "registry_dossiers": dossiers}
