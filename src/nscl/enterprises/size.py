"""Enterprise size class by Decree 80/2021/NĐ-CP, Article 5 (pure function, no Django).

A firm is in a class when its yearly average number of insured employees is within the class's
limit AND its yearly revenue OR its total capital is within the class's limit; the limits are
"không quá" (not more than), so a value equal to a limit is inside. Classes are tried from the
smallest: micro, small, medium; a firm within none is large (not an SME). Limits depend on the
sector group of the main registered line:

| class  | agriculture/forestry/fishery; industry/construction | trade and services            |
|--------|------------------------------------------------------|-------------------------------|
| micro  | ≤ 10; revenue ≤ 3 bn or capital ≤ 3 bn                | ≤ 10; ≤ 10 bn or ≤ 3 bn       |
| small  | ≤ 100; revenue ≤ 50 bn or capital ≤ 20 bn             | ≤ 50; ≤ 100 bn or ≤ 50 bn     |
| medium | ≤ 200; revenue ≤ 200 bn or capital ≤ 100 bn           | ≤ 100; ≤ 300 bn or ≤ 100 bn   |

(A secondary source gives 30 bn for small trade/service capital; this follows two others.)
Amounts are in đồng. A missing revenue or capital is not used; at least one is needed.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

BILLION = 1_000_000_000

AGRICULTURE = "agriculture_forestry_fishery"
INDUSTRY = "industry_construction"
TRADE = "trade_services"
SECTOR_GROUPS = (AGRICULTURE, INDUSTRY, TRADE)
SECTOR_LABELS = {AGRICULTURE: "Nông nghiệp, lâm nghiệp, thủy sản", INDUSTRY: "Công nghiệp, xây dựng",
                 TRADE: "Thương mại, dịch vụ"}

MICRO, SMALL, MEDIUM, LARGE = "micro", "small", "medium", "large"
CLASSES = (MICRO, SMALL, MEDIUM, LARGE)
CLASS_LABELS = {MICRO: "Siêu nhỏ", SMALL: "Nhỏ", MEDIUM: "Vừa", LARGE: "Lớn"}

_PRODUCTION = ((MICRO, 10, 3 * BILLION, 3 * BILLION), (SMALL, 100, 50 * BILLION, 20 * BILLION),
               (MEDIUM, 200, 200 * BILLION, 100 * BILLION))
LIMITS = {
    AGRICULTURE: _PRODUCTION,
    INDUSTRY: _PRODUCTION,
    TRADE: ((MICRO, 10, 10 * BILLION, 3 * BILLION), (SMALL, 50, 100 * BILLION, 50 * BILLION),
            (MEDIUM, 100, 300 * BILLION, 100 * BILLION)),
}
LEGAL_BASIS = "Nghị định 80/2021/NĐ-CP, Điều 5"


class SizeInputError(ValueError):
    pass


@dataclass(frozen=True)
class SizeResult:
    size_class: str
    rule: str

    @property
    def label(self):
        return CLASS_LABELS[self.size_class]

    def as_dict(self):
        return {"size_class": self.size_class, "rule": self.rule}


def _bn(v) -> str:
    """An amount in billions with a decimal comma: 3 tỷ, 2,5 tỷ."""
    x = Decimal(v) / BILLION
    text = f"{x:f}".rstrip("0").rstrip(".") if "." in f"{x:f}" else f"{x:f}"
    return text.replace(".", ",") + " tỷ đồng"


def _num(v):
    if v is None:
        return None
    if isinstance(v, bool):
        raise SizeInputError("Giá trị không hợp lệ.")
    try:
        d = Decimal(str(v))
    except Exception:  # noqa: BLE001
        raise SizeInputError(f"Giá trị “{v}” không phải là số.") from None
    if not d.is_finite():
        raise SizeInputError(f"Giá trị “{v}” không phải là số hữu hạn.")
    return d


def classify(sector_group: str, employees, revenue=None, capital=None) -> SizeResult:
    """The class and the limits that decided it (Vietnamese text citing the decree)."""
    if sector_group not in LIMITS:
        raise SizeInputError(f"Nhóm lĩnh vực “{sector_group}” không hợp lệ; chọn một trong: {', '.join(SECTOR_GROUPS)}.")
    emp, rev, cap = _num(employees), _num(revenue), _num(capital)
    if emp is None:
        raise SizeInputError("Cần số lao động tham gia bảo hiểm xã hội bình quân năm.")
    for name, value in (("Số lao động", emp), ("Doanh thu", rev), ("Tổng nguồn vốn", cap)):
        if value is not None and value < 0:
            raise SizeInputError(f"{name} không được âm.")
    if rev is None and cap is None:
        raise SizeInputError("Cần doanh thu hoặc tổng nguồn vốn (ít nhất một trong hai).")
    sector = SECTOR_LABELS[sector_group].lower()
    failures = []
    for size_class, max_emp, max_rev, max_cap in LIMITS[sector_group]:
        label = CLASS_LABELS[size_class].lower()
        emp_ok = emp <= max_emp
        rev_ok = rev is not None and rev <= max_rev
        cap_ok = cap is not None and cap <= max_cap
        if emp_ok and (rev_ok or cap_ok):
            money = (f"doanh thu {_bn(rev)} ≤ {_bn(max_rev)}" if rev_ok
                     else f"tổng nguồn vốn {_bn(cap)} ≤ {_bn(max_cap)}")
            rule = (f"{CLASS_LABELS[size_class]} ({sector}): lao động {_fmt_emp(emp)} ≤ {max_emp} và {money}"
                    f" — {LEGAL_BASIS}")
            if failures:
                rule += "; không đạt " + "; ".join(failures)
            return SizeResult(size_class, rule)
        if not emp_ok:
            failures.append(f"{label}: lao động {_fmt_emp(emp)} > {max_emp}")
        else:
            parts = []
            if rev is not None:
                parts.append(f"doanh thu {_bn(rev)} > {_bn(max_rev)}")
            if cap is not None:
                parts.append(f"tổng nguồn vốn {_bn(cap)} > {_bn(max_cap)}")
            failures.append(f"{label}: " + " và ".join(parts))
    return SizeResult(LARGE, f"Lớn ({sector}): vượt giới hạn doanh nghiệp vừa — " + "; ".join(failures[-1:])
                      + f" — {LEGAL_BASIS}")


def _fmt_emp(emp: Decimal) -> str:
    return f"{emp:f}".rstrip("0").rstrip(".").replace(".", ",") if "." in f"{emp:f}" else f"{emp:f}"


def sector_of_section(section: str) -> str:
    """Sector group of a VSIC section letter (main registered line): A agriculture, forestry and
    fishery; B-F industry and construction; G onwards trade and services."""
    s = (section or "").upper()
    if s == "A":
        return AGRICULTURE
    if s in ("B", "C", "D", "E", "F"):
        return INDUSTRY
    return TRADE
