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
# the rule's words in English (the Vietnamese ones are the labels above and the sentences in `classify`)
SECTOR_LABELS_EN = {AGRICULTURE: "Agriculture, forestry, fishery", INDUSTRY: "Industry, construction",
                    TRADE: "Trade, services"}
CLASS_LABELS_EN = {MICRO: "Micro", SMALL: "Small", MEDIUM: "Medium", LARGE: "Large"}

_PRODUCTION = ((MICRO, 10, 3 * BILLION, 3 * BILLION), (SMALL, 100, 50 * BILLION, 20 * BILLION),
               (MEDIUM, 200, 200 * BILLION, 100 * BILLION))
LIMITS = {
    AGRICULTURE: _PRODUCTION,
    INDUSTRY: _PRODUCTION,
    TRADE: ((MICRO, 10, 10 * BILLION, 3 * BILLION), (SMALL, 50, 100 * BILLION, 50 * BILLION),
            (MEDIUM, 100, 300 * BILLION, 100 * BILLION)),
}
LEGAL_BASIS = "Nghị định 80/2021/NĐ-CP, Điều 5"
LEGAL_BASIS_EN = "Decree 80/2021/ND-CP, Article 5"
# the words of a rule, {language: {key: text}}; "vi" as stored on the enterprise, "en" when shown in English
WORDS = {
    "vi": {"emp": "lao động", "rev": "doanh thu", "cap": "tổng nguồn vốn", "and": "và", "not": "không đạt",
           "large": "vượt giới hạn doanh nghiệp vừa", "bn": "tỷ đồng", "basis": LEGAL_BASIS},
    "en": {"emp": "employees", "rev": "revenue", "cap": "total capital", "and": "and", "not": "not",
           "large": "above the limits of a medium enterprise", "bn": "billion VND", "basis": LEGAL_BASIS_EN},
}


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


def _bn(v, lang="vi", limit=None) -> str:
    """An amount in billions, at most two decimals (3 tỷ đồng, 2,5 tỷ đồng, 21,04 tỷ đồng; in English
    21.04 billion VND). Against a `limit`, enough decimals that a value just over or under it does
    not read as equal to it (3,000001 tỷ đồng > 3 tỷ đồng)."""
    x = Decimal(v) / BILLION
    lim = None if limit is None else Decimal(limit) / BILLION
    for places in (2, 4, 6, 9):
        shown = round(x, places)
        if lim is None or x == lim or shown != lim:
            break
    text = f"{shown:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang != "en":
        text = text.replace(".", ",")
    return f"{text} {WORDS[lang]['bn']}"


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
    return SizeResult(*_decide(sector_group, emp, rev, cap, "vi"))


def rule_text(sector_group: str, employees, revenue=None, capital=None, lang="vi") -> str:
    """The sentence `classify` gives, in `lang` ("vi" or "en"): an enterprise stores it in Vietnamese,
    a page in English says it again in English from the same figures."""
    lang = "en" if str(lang or "").lower().startswith("en") else "vi"
    return _decide(sector_group, _num(employees), _num(revenue), _num(capital), lang)[1]


def _decide(sector_group, emp, rev, cap, lang):
    w = WORDS[lang]
    classes = CLASS_LABELS_EN if lang == "en" else CLASS_LABELS
    sector = (SECTOR_LABELS_EN if lang == "en" else SECTOR_LABELS)[sector_group].lower()
    e = _fmt_emp(emp, lang)
    failures = []
    for size_class, max_emp, max_rev, max_cap in LIMITS[sector_group]:
        label = classes[size_class].lower()
        emp_ok = emp <= max_emp
        rev_ok = rev is not None and rev <= max_rev
        cap_ok = cap is not None and cap <= max_cap
        if emp_ok and (rev_ok or cap_ok):
            money = (f"{w['rev']} {_bn(rev, lang, max_rev)} ≤ {_bn(max_rev, lang)}" if rev_ok
                     else f"{w['cap']} {_bn(cap, lang, max_cap)} ≤ {_bn(max_cap, lang)}")
            rule = f"{classes[size_class]} ({sector}): {w['emp']} {e} ≤ {max_emp} {w['and']} {money} — {w['basis']}"
            if failures:
                rule += f"; {w['not']} " + "; ".join(failures)
            return size_class, rule
        if not emp_ok:
            failures.append(f"{label}: {w['emp']} {e} > {max_emp}")
        else:
            parts = []
            if rev is not None:
                parts.append(f"{w['rev']} {_bn(rev, lang, max_rev)} > {_bn(max_rev, lang)}")
            if cap is not None:
                parts.append(f"{w['cap']} {_bn(cap, lang, max_cap)} > {_bn(max_cap, lang)}")
            failures.append(f"{label}: " + f" {w['and']} ".join(parts))
    return LARGE, (f"{classes[LARGE]} ({sector}): {w['large']} — " + "; ".join(failures[-1:]) + f" — {w['basis']}")


def _fmt_emp(emp: Decimal, lang="vi") -> str:
    text = f"{emp:f}".rstrip("0").rstrip(".") if "." in f"{emp:f}" else f"{emp:f}"
    return text if lang == "en" else text.replace(".", ",")


def sector_of_section(section: str) -> str:
    """Sector group of a VSIC section letter (main registered line): A agriculture, forestry and
    fishery; B-F industry and construction; G onwards trade and services."""
    s = (section or "").upper()
    if s == "A":
        return AGRICULTURE
    if s in ("B", "C", "D", "E", "F"):
        return INDUSTRY
    return TRADE
