"""What the numbers mean, in words (Vietnamese, or English with ``language="en"``) for people who
are not econometricians: the results
of a firm production function and of the impact of support, read from their ``to_dict()`` (stored
results are interpreted without refitting).

Each function returns a list of notes ``{"kind": "info" | "warning" | "suggestion", "text": ...}``:
``info`` says what an estimate means, ``warning`` that it is implausible or that the method is not
identified in these data, ``suggestion`` which estimator fits better. Plain data, no Django.

Thresholds (module constants, held by the tests): an input elasticity outside (0, 1); returns to
scale outside [0.7, 1.3]; OLS and within-firm (FE) coefficients of a free input apart by more than
0.1 and more than two standard errors of the difference; the R² of a free input on the first
stage's polynomial in (state, proxy) above 0.9 for OP/LP; pre-support effects whose confidence
interval excludes 0; a TFP ratio of the 90th to the 10th percentile above 100.

Every number is checked before it is used (results are stored as JSON: a NaN or an infinity comes
back as None) and none is computed that could overflow: what cannot be a number is said in words.
"""
from __future__ import annotations

import math

from . import methods

RTS_RANGE = (0.7, 1.3)
RTS_CONSTANT = 0.1          # |RTS − 1| within this: roughly constant returns
OLS_FE_GAP = 0.1
FREE_R2_LIMIT = 0.9
BOOT_FAILED_SHARE = 0.1
TFP_RATIO_LIMIT = 100       # p90/p10 TFP ratio beyond belief (real firms: about 2 to 10)
LARGE = 1e6                 # from here a number is written as mantissa × 10^k


_LANG = {"language": "vi"}  # set by the public functions for the helpers below (one call at a time)


def _en() -> bool:
    return _LANG["language"].lower().startswith("en")


def _t(vi: str, en: str) -> str:
    return en if _en() else vi


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _n(v, digits=2) -> str:
    """A number in the notes' language: decimal comma in Vietnamese, point in English; true minus;
    a million or more as 1,48×10⁹ (levels instead of logarithms give such numbers); "—" for none."""
    if not _finite(v):
        return "—"
    if abs(v) >= LARGE:
        power = math.floor(math.log10(abs(v)))
        text = f"{v / 10 ** power:.2f}×10" + str(power).translate(_SUPERSCRIPT)
    else:
        text = f"{v:.{digits}f}"
    if not _en():
        text = text.replace(".", ",")
    return text.replace("-", "−")


def _ci(lo, hi, digits=2) -> str:
    sep = ", " if _en() else "; "
    return f"[{_n(lo, digits)}{sep}{_n(hi, digits)}]"


def _finite(v) -> bool:
    """A number to use: not None (a stored NaN or ±inf), not a bool; an int (jsonb's form of an
    integral float) within the floats' range."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _all_finite(*values) -> bool:
    return all(_finite(v) for v in values)


def _note(kind, text):
    return {"kind": kind, "text": text}


def firm_notes(result: dict, roles: dict | None = None, language: str = "vi") -> list[dict]:
    """Notes on a production-function fit (``ProductivityResults.to_dict()``). `roles`: the
    columns by role ({"output": "va", "free": [...], "state": [...], "controls": [...]}, as the
    analysis form stores them); without it every coefficient is taken as an input elasticity."""
    _LANG["language"] = language or "vi"
    roles = roles or {}
    method = result["method"]
    label = methods.firm_method(method).label(language or "vi")
    names = result.get("names") or list(result["coefficients"])
    coef = result["coefficients"]
    controls = set(roles.get("controls") or [])
    free = set(roles.get("free") or [])
    inputs = [n for n in names if n not in controls]
    output = roles.get("output")
    y = (_t("sản lượng", "output") + f" ({output})") if output else _t("sản lượng", "output")
    notes = []
    # what each elasticity means
    for n in inputs:
        b = coef.get(n)
        if not _finite(b):
            continue
        role = (_t("lao động", "labour") if n in free else
                (_t("vốn", "capital") if roles.get("state") and n in roles["state"] else _t("đầu vào", "input")))
        way = _t("tăng", "rises") if b >= 0 else _t("giảm", "falls")
        notes.append(_note("info", _t(f"Tăng 1% {n} ({role}) làm {y} {way} khoảng {_n(abs(b))}%, "
                                      "các đầu vào khác giữ nguyên (hệ số co giãn).",
                                      f"With 1% more {n} ({role}), {y} {way} by about {_n(abs(b))}%, other inputs "
                                      "unchanged (the elasticity).")))
    ci = result.get("conf_int") or {}
    lower, upper = ci.get("lower") or {}, ci.get("upper") or {}
    insignificant = [n for n in inputs if _finite(lower.get(n)) and _finite(upper.get(n)) and lower[n] <= 0 <= upper[n]]
    if insignificant:
        notes.append(_note("info", _t(f"Khoảng tin cậy 95% của {', '.join(insignificant)} chứa 0: số liệu chưa đủ để "
                                      "khẳng định đầu vào này làm tăng sản lượng.",
                                      f"The 95% confidence interval of {', '.join(insignificant)} contains 0: the data "
                                      "do not show that this input raises output.")))
    # returns to scale
    values = [coef[n] for n in inputs if _finite(coef.get(n))]
    rts = sum(values) if len(values) == len(inputs) and values else None  # inf when it overflows
    if _finite(rts):
        if abs(rts - 1) <= RTS_CONSTANT:
            kind = _t("gần như không đổi theo quy mô", "roughly constant returns to scale")
        elif rts > 1:
            kind = _t("tăng theo quy mô: doanh nghiệp lớn hơn thì hiệu quả hơn",
                      "increasing returns: larger firms are more efficient")
        else:
            kind = _t("giảm theo quy mô", "decreasing returns to scale")
        notes.append(_note("info", _t(f"Hiệu suất theo quy mô = tổng các hệ số co giãn = {_n(rts)}: tăng mọi đầu vào 1% "
                                      f"làm {y} tăng khoảng {_n(rts)}% ({kind}).",
                                      f"Returns to scale = the sum of the elasticities = {_n(rts)}: 1% more of every "
                                      f"input gives about {_n(rts)}% more {y} ({kind}).")))
        if not RTS_RANGE[0] <= rts <= RTS_RANGE[1]:
            notes.append(_note("warning", _t(f"Hiệu suất theo quy mô {_n(rts)} rất xa 1 (ngoài {_ci(*RTS_RANGE, 1)}): "
                                             "khó tin với doanh nghiệp thực tế. Kiểm tra đơn vị và "
                                             "dạng logarit của số liệu, biến đại diện, và so sánh với phương pháp khác.",
                                             f"Returns to scale of {_n(rts)} are far from 1 (outside {_ci(*RTS_RANGE, 1)}): "
                                             "hard to believe for real firms. Check the units and logarithms of the data "
                                             "and the proxy, and compare with another method.")))
    # implausible elasticities
    for n in inputs:
        b = coef.get(n)
        if _finite(b) and not 0 < b < 1:
            notes.append(_note("warning", _t(f"Hệ số của {n} = {_n(b, 3)} nằm ngoài khoảng (0; 1): khó tin về kinh tế "
                                             "(hệ số co giãn của một đầu vào thường dương và nhỏ hơn 1). Kiểm tra đơn vị, "
                                             "dạng logarit (đánh dấu “Lấy logarit” nếu số liệu ở dạng mức) và biến đại diện.",
                                             f"The coefficient of {n} = {_n(b, 3)} lies outside (0, 1): hard to believe "
                                             "economically (an input's elasticity is usually positive and below 1). Check "
                                             "the units, the logarithms (tick “Take logarithms” if the data are levels) "
                                             "and the proxy.")))
    # the TFP distribution
    notes += _tfp_spread(result.get("tfp_distribution") or {}, roles)
    # the optimiser and the bootstrap
    opt = result.get("optimizer") or {}
    if not result.get("converged", True):
        notes.append(_note("warning", _t("Thuật toán tối ưu không báo hội tụ: hệ số có thể chưa phải nghiệm; "
                                         "thử phương pháp khác hoặc kiểm tra số liệu.",
                                         "The optimiser did not report convergence: the coefficients may not be a "
                                         "solution; try another method or check the data.")))
    if opt.get("tied_minima", 1) > 1:
        notes.append(_note("warning", _t(f"Hàm mục tiêu {label} có nhiều cực tiểu bằng nhau: các hệ số không được xác "
                                         "định trong số liệu này (đã giữ nghiệm có mọi hệ số co giãn trong (0; 1), "
                                         "nhưng số liệu không phân biệt được các nghiệm).",
                                         f"The {label} criterion has several equal minima: the coefficients are not "
                                         "identified in these data (the solution with every elasticity in (0, 1) was "
                                         "kept, but the data cannot tell the solutions apart).")))
        notes.append(_note("suggestion", _t("Thử Wooldridge (GMM) hoặc Levinsohn-Petrin, và so sánh: nếu các phương "
                                            "pháp cho hệ số gần nhau thì kết quả đáng tin hơn.",
                                            "Try Wooldridge (GMM) or Levinsohn-Petrin and compare: if the methods give "
                                            "close coefficients the result is more credible.")))
    boot = result.get("bootstrap") or {}
    if boot.get("reps") and boot.get("failed", 0) > BOOT_FAILED_SHARE * boot["reps"]:
        notes.append(_note("warning", _t(f"{boot['failed']}/{boot['reps']} lần bootstrap không ước lượng được: sai "
                                         "số chuẩn kém tin cậy.",
                                         f"{boot['failed']}/{boot['reps']} bootstrap draws could not be estimated: the "
                                         "standard errors are less reliable.")))
    if result.get("std_errors") is None or all(not _finite(v) for v in (result.get("std_errors") or {}).values()):
        notes.append(_note("suggestion", _t("Chưa có sai số chuẩn: chọn số lần bootstrap từ 50 trở lên để biết độ "
                                            "chính xác của các hệ số (khoảng tin cậy 95%).",
                                            "No standard errors yet: choose 50 or more bootstrap draws to know how "
                                            "precise the coefficients are (95% confidence intervals).")))
    notes += _identification(method, names, free, result.get("diagnostics") or {})
    return notes


def _tfp_spread(dist: dict, roles: dict) -> list[dict]:
    """What the histogram shows, and how many times more a firm at the 90th percentile makes than one
    at the 10th with the same inputs: exp(p90 − p10), computed only when it is believable (at most
    TFP_RATIO_LIMIT, so it never overflows); beyond, a warning in words, usually levels taken for logs."""
    chart = _t("TFP là phần sản lượng không giải thích được bằng các đầu vào. Biểu đồ là phân bố log TFP của các "
               "doanh nghiệp-năm (đường đứt: trung vị; đường chấm: phân vị 10 và 90)",
               "TFP is the part of output the inputs do not explain. The chart is the distribution of log TFP over "
               "firm-years (dashed: median; dotted: 10th and 90th percentiles)")
    p10, p90 = dist.get("p10"), dist.get("p90")
    if not _all_finite(p10, p90):
        return []
    spread = p90 - p10
    if _finite(spread) and spread <= math.log(TFP_RATIO_LIMIT):
        ratio = math.exp(spread)
        return [_note("info", chart + _t(f": doanh nghiệp ở phân vị 90 làm ra sản lượng gấp khoảng {_n(ratio, 1)} lần "
                                         "doanh nghiệp ở phân vị 10 với cùng lượng đầu vào.",
                                         f": a firm at the 90th percentile makes about {_n(ratio, 1)} times the output "
                                         "of one at the 10th with the same inputs."))]
    notes = [_note("info", chart + "."),
             _note("warning", _t(f"Phân vị 90 và phân vị 10 của log TFP cách nhau {_n(spread)}: doanh nghiệp ở phân vị 90 "
                                 f"sẽ làm ra sản lượng gấp hơn {TFP_RATIO_LIMIT} lần doanh nghiệp ở phân vị 10 với cùng "
                                 "lượng đầu vào, điều không thể có thật. Thường là do số liệu ở dạng mức (đồng, người) "
                                 "mà chưa lấy logarit, hoặc do đơn vị của các cột không thống nhất.",
                                 f"The 90th and 10th percentiles of log TFP are {_n(spread)} apart: a firm at the 90th "
                                 f"percentile would make more than {TFP_RATIO_LIMIT} times the output of one at the "
                                 "10th with the same inputs, which cannot be real. Usually the data are levels (VND, "
                                 "persons) whose logarithms were not taken, or the columns' units do not agree."))]
    if not roles.get("log_inputs"):
        notes.append(_note("suggestion", _t("Nếu các cột là số liệu dạng mức: chọn “Chạy lại với tham số khác”, đánh "
                                            "dấu “Lấy logarit (số liệu ở dạng mức)” rồi chạy lại.",
                                            "If the columns are levels: choose “Re-run with other parameters”, tick "
                                            "“Take logarithms (data in levels)” and run again.")))
    return notes


def _identification(method, names, free, diag) -> list[dict]:
    notes = []
    free_names = [n for n in names if n in free] or names[:1]
    # labour explained by (state, proxy): the OP/LP first stage cannot tell its coefficient apart
    r2 = diag.get("free_r2_on_proxy") or []
    finite_r2 = [j for j in range(len(r2)) if _finite(r2[j])]
    if method in ("op", "lp") and finite_r2:
        worst = max(finite_r2, key=lambda j: r2[j])
        if r2[worst] > FREE_R2_LIMIT:
            name = free_names[worst] if worst < len(free_names) else free_names[0]
            label = methods.firm_method(method).label(_LANG["language"])
            notes.append(_note("warning", _t(f"{name} gần như được quyết định bởi vốn và biến đại diện (R² = "
                                             f"{_n(r2[worst])}): lao động được chọn cùng lúc với năng suất nên hệ số lao "
                                             f"động của {label} không được xác định trong số liệu này.",
                                             f"{name} is almost determined by capital and the proxy (R² = "
                                             f"{_n(r2[worst])}): labour is chosen together with productivity, so "
                                             f"{label}'s labour coefficient is not identified in these data.")))
            short = "LP" if method == "lp" else "OP"
            notes.append(_note("suggestion", _t(f"ACF thay cho {short} khi lao động được chọn cùng lúc với năng suất "
                                                "(ACF ước lượng hệ số lao động ở giai đoạn hai).",
                                                f"ACF instead of {short} when labour is chosen together with "
                                                "productivity (ACF estimates the labour coefficient in its second "
                                                "stage).")))
    ols, fe = diag.get("ols"), diag.get("fe")
    if ols and fe:
        gaps = []
        for j, n in enumerate(names):
            if n not in free_names or j >= min(len(ols.get("params") or []), len(fe.get("params") or []),
                                               len(ols.get("std_errors") or []), len(fe.get("std_errors") or [])):
                continue
            a, b = ols["params"][j], fe["params"][j]
            sa, sb = ols["std_errors"][j], fe["std_errors"][j]
            if not _all_finite(a, b, sa, sb):
                continue
            se = math.hypot(sa, sb)
            if _finite(a - b) and abs(a - b) > OLS_FE_GAP and abs(a - b) > 2 * se:
                gaps.append(f"{n}: OLS {_n(a)}, FE {_n(b)}")
        if gaps:
            proxy = methods.firm_method(method).needs_proxy
            text = _t("OLS và tác động cố định (FE) cho hệ số lao động rất khác nhau (" + "; ".join(gaps) + "): năng "
                      "suất riêng của doanh nghiệp đi cùng với lượng đầu vào nó chọn, nên OLS bị chệch.",
                      "OLS and fixed effects (FE) give very different labour coefficients (" + "; ".join(gaps) + "): a "
                      "firm's own productivity goes with the inputs it chooses, so OLS is biased.")
            if proxy:
                label = methods.firm_method(method).label(_LANG["language"])
                text += _t(f" {label} dùng biến đại diện chính để xử lý điều này.",
                           f" {label} uses its proxy precisely to deal with this.")
            notes.append(_note("info" if proxy else "warning", text))
            if method == "ols":
                notes.append(_note("suggestion", _t("Dùng Levinsohn-Petrin hoặc ACF (biến đại diện nguyên vật liệu) thay "
                                                    "cho OLS; FE chỉ xử lý phần năng suất cố định theo thời gian.",
                                                    "Use Levinsohn-Petrin or ACF (materials as the proxy) instead of "
                                                    "OLS; FE only deals with productivity that is fixed over time.")))
            elif method == "fe":
                notes.append(_note("suggestion", _t("FE chỉ dùng biến động trong từng doanh nghiệp, thường làm hệ số vốn "
                                                    "quá nhỏ; ACF hoặc Levinsohn-Petrin xử lý năng suất thay đổi theo "
                                                    "thời gian.",
                                                    "FE uses only the variation within each firm, which often makes the "
                                                    "capital coefficient too small; ACF or Levinsohn-Petrin handle "
                                                    "productivity that changes over time.")))
    elif method == "ols":
        notes.append(_note("suggestion", _t("OLS bỏ qua việc doanh nghiệp chọn đầu vào theo năng suất mà họ biết: dùng "
                                            "Levinsohn-Petrin hoặc ACF khi có cột nguyên vật liệu.",
                                            "OLS ignores that firms choose inputs knowing their productivity: use "
                                            "Levinsohn-Petrin or ACF when there is a materials column.")))
    return notes


def _int(n) -> str:
    """A count with the language's thousands separator: 2.800 / 2,800."""
    text = f"{int(n):,}"
    return text.replace(",", ".") if _LANG["language"] == "vi" else text


def sample_notes(result: dict, language: str | None = None) -> list[dict]:
    """The sample the estimate used, first (an officer cites it with the effect), and the estimation
    library's warnings."""
    if language:
        _LANG["language"] = language
    sample = result.get("sample") or {}
    notes = []
    if sample:
        years = sample.get("years") or ["?", "?"]
        text = _t(f"Ước lượng trên {_int(sample['n_units'])} đơn vị, {_int(sample['n_obs'])} quan sát "
                  f"(bảng cân bằng {years[0]}-{years[1]}).",
                  f"Estimated on {_int(sample['n_units'])} units, {_int(sample['n_obs'])} observations "
                  f"(a balanced panel, {years[0]}-{years[1]}).")
        dropped = sample.get("n_units_dropped") or 0
        if dropped:
            examples = ", ".join(sample.get("dropped_examples") or [])
            more = "…" if dropped > len(sample.get("dropped_examples") or []) else "."
            text += _t(f" Bỏ ra {_int(dropped)} trong {_int(sample['n_units_input'])} đơn vị của tệp "
                       f"({_int(sample['n_obs_dropped'])} dòng) vì chỉ có số liệu một số năm: {examples}{more}",
                       f" Left out {_int(dropped)} of the file's {_int(sample['n_units_input'])} units "
                       f"({_int(sample['n_obs_dropped'])} rows) observed in only some years: {examples}{more}")
        notes.append(_note("warning" if dropped else "info", text))
    for m in result.get("messages") or []:
        notes.append(_note("warning", _t(m["vi"], m["en"])))
    return notes


def impact_notes(result: dict, outcome: str | None = None, language: str = "vi") -> list[dict]:
    """Notes on a Callaway & Sant'Anna fit (``ImpactResults.to_dict()``): the overall effect in
    words with its interval, and whether the effects before the support (pre-trends) are near zero."""
    _LANG["language"] = language or "vi"
    y = outcome or _t("kết quả", "the outcome")
    level = result.get("level") or 0.95
    pct = f"{level:.0%}"
    notes = sample_notes(result)
    simple = result["aggregations"]["simple"]
    att, lo, hi = simple.get("att"), simple.get("lower"), simple.get("upper")
    if _finite(att):
        way = _t("tăng", "raised") if att >= 0 else _t("giảm", "lowered")
        text = _t(f"Hỗ trợ làm {y} {way} trung bình {_n(abs(att), 4)}",
                  f"The support {way} {y} by {_n(abs(att), 4)} on average")
        if _finite(lo) and _finite(hi):
            text += _t(f" (KTC {pct} {_ci(lo, hi, 4)})", f" ({pct} CI {_ci(lo, hi, 4)})")
        text += _t(" ở các đơn vị được hỗ trợ, so với khi không được hỗ trợ.",
                   " in the supported units, compared with no support.")
        if abs(att) < 1:
            text += _t(f" Nếu {y} là logarit, đó là khoảng {_n(100 * abs(att), 1)}%.",
                       f" If {y} is a logarithm, that is about {_n(100 * abs(att), 1)}%.")
        notes.append(_note("info", text))
        if _finite(lo) and _finite(hi):
            if lo > 0 or hi < 0:
                notes.append(_note("info", _t("Khoảng tin cậy không chứa 0: tác động có ý nghĩa thống kê.",
                                              "The confidence interval excludes 0: the effect is statistically "
                                              "significant.")))
            else:
                notes.append(_note("info", _t("Khoảng tin cậy chứa 0: chưa đủ bằng chứng để khẳng định hỗ trợ có tác "
                                              "động.",
                                              "The confidence interval contains 0: not enough evidence that the "
                                              "support had an effect.")))
        else:
            notes.append(_note("warning", _t("Không tính được sai số chuẩn: quá ít đơn vị trong một nhóm?",
                                             "No standard error could be computed: too few units in a group?")))
    dynamic = (result["aggregations"].get("dynamic") or {}).get("by") or []
    pre = [r for r in dynamic if r.get("e") is not None and r["e"] < 0]
    if not pre:
        notes.append(_note("warning", _t("Không có năm nào trước khi hỗ trợ để kiểm tra giả định xu hướng song song.",
                                         "No year before the support to check the parallel-trends assumption.")))
    else:
        off = [r for r in pre if _finite(r.get("lower")) and _finite(r.get("upper"))
               and (r["lower"] > 0 or r["upper"] < 0)]
        if off:
            word = _t("năm", "year")
            years = "; ".join(f"{word} {str(r['e']).replace('-', '−')}: {_n(r['att'], 4)} "
                              f"{_ci(r['lower'], r['upper'], 4)}" for r in off)
            notes.append(_note("warning", _t(f"Trước khi được hỗ trợ đã có chênh lệch khác 0 ({years}): hai nhóm không "
                                             "đi song song trước hỗ trợ, nên kết quả có thể chệch.",
                                             f"Before the support there were differences other than 0 ({years}): the "
                                             "two groups did not move in parallel before, so the result may be "
                                             "biased.")))
            notes.append(_note("suggestion", _t("Thêm biến kiểm soát (quy mô, ngành), thử nhóm đối chứng “chưa được hỗ "
                                                "trợ tính đến năm đó” hoặc ước lượng kép vững.",
                                                "Add controls (size, industry), try the “not yet supported” control "
                                                "group or the doubly robust estimator.")))
        else:
            notes.append(_note("info", _t("Trước khi được hỗ trợ, chênh lệch giữa hai nhóm gần bằng 0 (mọi khoảng tin "
                                          "cậy của các năm trước chứa 0): phù hợp với giả định xu hướng song song.",
                                          "Before the support the difference between the groups is near 0 (every "
                                          "interval of the years before contains 0): consistent with parallel "
                                          "trends.")))
    post = [r for r in dynamic if r.get("e") is not None and r["e"] >= 0 and _finite(r.get("att"))]
    if len(post) >= 2:
        first, last = post[0], post[-1]
        notes.append(_note("info", _t(f"Theo thời gian: năm được hỗ trợ {_n(first['att'], 4)}, sau {last['e']} năm "
                                      f"{_n(last['att'], 4)} (bảng “Nghiên cứu sự kiện”).",
                                      f"Over time: in the year of support {_n(first['att'], 4)}, after {last['e']} "
                                      f"years {_n(last['att'], 4)} (the “Event study” table).")))
    return notes
