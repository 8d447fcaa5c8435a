"""The one list of estimation methods and their labels: the CLI's ``--method`` choices, the analysis
form's choices and the documentation table all come from here.

Plain data (no numpy import): the estimator classes are named and imported only when asked for
(:meth:`Method.model`), so building the command line parser stays cheap.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    code: str            # what users type / what is stored (never changes)
    target: str          # "module:Class" inside nscl.productivity
    label_en: str
    label_vi: str
    proxy: str | None = None   # the proxy variable the method needs: None, "investment" or "materials"
    help: str = ""       # one line, Vietnamese

    @property
    def needs_proxy(self) -> bool:
        return self.proxy is not None

    def label(self, language: str = "vi") -> str:
        return self.label_en if language.lower().startswith("en") else self.label_vi

    def model(self):
        """The model class (imported on first use)."""
        module, name = self.target.split(":")
        return getattr(importlib.import_module(f"nscl.productivity.{module}"), name)


@dataclass(frozen=True)
class Option:
    """A choice of an estimator that is not a class of its own (control group, aggregation...)."""
    code: str
    label_en: str
    label_vi: str
    help: str = ""

    def label(self, language: str = "vi") -> str:
        return self.label_en if language.lower().startswith("en") else self.label_vi


FIRM_METHODS: tuple[Method, ...] = (
    Method("ols", "firm:OLS", "OLS", "OLS", None, "hồi quy bình phương nhỏ nhất gộp, không xử lý nội sinh"),
    Method("fe", "firm:FixedEffects", "Fixed effects (within)", "Tác động cố định (trong doanh nghiệp)", None,
           "khử trung bình theo doanh nghiệp: năng suất cố định theo thời gian"),
    Method("op", "firm:OlleyPakes", "Olley-Pakes", "Olley-Pakes", "investment",
           "hai giai đoạn, biến đại diện là đầu tư"),
    Method("lp", "firm:LevinsohnPetrin", "Levinsohn-Petrin", "Levinsohn-Petrin", "materials",
           "hai giai đoạn, biến đại diện là nguyên vật liệu (đầu vào trung gian)"),
    Method("acf", "firm:ACF", "Ackerberg-Caves-Frazer", "Ackerberg-Caves-Frazer", "materials",
           "GMM hai giai đoạn, sửa vấn đề đồng tuyến của OP/LP; biến đại diện là nguyên vật liệu"),
    Method("wrdg", "firm:Wooldridge", "Wooldridge (IV)", "Wooldridge (biến công cụ)", "materials",
           "một bước bằng biến công cụ (như prodestWRDG của prodest)"),
    Method("wrdg-gmm", "firm:WooldridgeGMM", "Wooldridge (GMM)", "Wooldridge (GMM)", "materials",
           "hệ hai phương trình Wooldridge (2009) bằng GMM hai bước, sai số chuẩn giải tích"),
)

GROWTH_METHODS: tuple[Method, ...] = (
    Method("gso", "growth:GrowthAccounting", "GSO (fixed capital share)", "Tổng cục Thống kê (tỷ trọng vốn cố định)",
           None, "g_A = g_Y − α·g_K − (1 − α)·g_L, chỉ tiêu chính thức"),
    Method("tornqvist", "growth:GrowthAccounting", "Törnqvist (PWT, APO)", "Törnqvist (PWT, APO)", None,
           "chỉ số Törnqvist theo logarit, tỷ trọng lao động trung bình hai năm"),
)

IMPACT_METHODS: tuple[Method, ...] = (
    Method("cs", "impact:CallawaySantAnna", "Callaway & Sant'Anna (2021)", "Callaway & Sant'Anna (2021)", None,
           "DiD so le: ATT(g, t) và các cách tổng hợp"),
)

CONTROL_GROUPS: tuple[Option, ...] = (
    Option("never", "Never treated", "Chưa bao giờ được hỗ trợ", "đơn vị chưa từng được hỗ trợ"),
    Option("notyet", "Not yet treated", "Chưa được hỗ trợ tính đến năm đó",
           "đơn vị chưa được hỗ trợ tính đến năm đang xét (kể cả sẽ được hỗ trợ sau)"),
)
IMPACT_ESTIMATORS: tuple[Option, ...] = (
    Option("dr", "Doubly robust", "Kép vững (doubly robust)"),
    Option("reg", "Outcome regression", "Hồi quy kết quả"),
    Option("ipw", "Inverse probability weighting", "Trọng số xác suất nghịch đảo"),
)
AGGREGATIONS: tuple[Option, ...] = (
    Option("simple", "Simple (overall)", "Đơn giản (toàn bộ)"),
    Option("group", "By group (first support year)", "Theo nhóm (năm hỗ trợ đầu)"),
    Option("dynamic", "Event study (years since support)", "Nghiên cứu sự kiện (năm so với hỗ trợ)"),
    Option("calendar", "By calendar year", "Theo năm"),
)


# firm-years a group needs to be estimated by itself (``--by``; the analysis form's default)
FIRM_MIN_GROUP = 100


def codes(options) -> tuple[str, ...]:
    return tuple(o.code for o in options)


def get(options, code: str):
    for o in options:
        if o.code == code:
            return o
    raise KeyError(code)


def firm_method(code: str) -> Method:
    return get(FIRM_METHODS, code)


def choices(options, language: str = "vi") -> list[tuple[str, str]]:
    """(code, label) pairs for a form or a command line."""
    return [(o.code, o.label(language)) for o in options]


def methods_table(language: str = "en") -> str:
    """The firm production-function methods as a Markdown table (for the documentation)."""
    proxy = {None: "—", "investment": "investment" if language == "en" else "đầu tư",
             "materials": "materials" if language == "en" else "nguyên vật liệu"}
    lines = ["| `--method` | method | proxy | |", "|---|---|---|---|"]
    lines += [f"| `{m.code}` | {m.label(language)} | {proxy[m.proxy]} | {m.help} |" for m in FIRM_METHODS]
    return "\n".join(lines)
