"""What the numbers mean, in Vietnamese words for people who are not econometricians: the results
of a firm production function and of the impact of support, read from their ``to_dict()`` (stored
results are interpreted without refitting).

Each function returns a list of notes ``{"kind": "info" | "warning" | "suggestion", "text": ...}``:
``info`` says what an estimate means, ``warning`` that it is implausible or that the method is not
identified in these data, ``suggestion`` which estimator fits better. Plain data, no Django.

Thresholds (module constants, held by the tests): an input elasticity outside (0, 1); returns to
scale outside [0.7, 1.3]; OLS and within-firm (FE) coefficients of a free input apart by more than
0.1 and more than two standard errors of the difference; the R² of a free input on the first
stage's polynomial in (state, proxy) above 0.9 for OP/LP; pre-support effects whose confidence
interval excludes 0.
"""
from __future__ import annotations

import math

from . import registry

RTS_RANGE = (0.7, 1.3)
RTS_CONSTANT = 0.1          # |RTS − 1| within this: roughly constant returns
OLS_FE_GAP = 0.1
FREE_R2_LIMIT = 0.9
BOOT_FAILED_SHARE = 0.1


def _n(v, digits=2) -> str:
    """A number the Vietnamese way: decimal comma, true minus sign."""
    text = f"{v:.{digits}f}".replace(".", ",")
    return text.replace("-", "−")


def _ci(lo, hi, digits=2) -> str:
    return f"[{_n(lo, digits)}; {_n(hi, digits)}]"


def _finite(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def _note(kind, text):
    return {"kind": kind, "text": text}


def firm_notes(result: dict, roles: dict | None = None) -> list[dict]:
    """Notes on a production-function fit (``ProductivityResults.to_dict()``). `roles`: the
    columns by role ({"output": "va", "free": [...], "state": [...], "controls": [...]}, as the
    analysis form stores them); without it every coefficient is taken as an input elasticity."""
    roles = roles or {}
    method = result["method"]
    label = registry.firm_method(method).label_vi
    names = result.get("names") or list(result["coefficients"])
    coef = result["coefficients"]
    controls = set(roles.get("controls") or [])
    free = set(roles.get("free") or [])
    inputs = [n for n in names if n not in controls]
    output = roles.get("output")
    y = f"sản lượng ({output})" if output else "sản lượng"
    notes = []
    # what each elasticity means
    for n in inputs:
        b = coef[n]
        if not _finite(b):
            continue
        role = "lao động" if n in free else ("vốn" if roles.get("state") and n in roles["state"] else "đầu vào")
        way = "tăng" if b >= 0 else "giảm"
        notes.append(_note("info", f"Tăng 1% {n} ({role}) làm {y} {way} khoảng {_n(abs(b))}%, "
                                   "các đầu vào khác giữ nguyên (hệ số co giãn)."))
    ci = result.get("conf_int") or {}
    lower, upper = ci.get("lower") or {}, ci.get("upper") or {}
    insignificant = [n for n in inputs if _finite(lower.get(n)) and _finite(upper.get(n)) and lower[n] <= 0 <= upper[n]]
    if insignificant:
        notes.append(_note("info", f"Khoảng tin cậy 95% của {', '.join(insignificant)} chứa 0: số liệu chưa đủ để "
                                   "khẳng định đầu vào này làm tăng sản lượng."))
    # returns to scale
    values = [coef[n] for n in inputs if _finite(coef[n])]
    if len(values) == len(inputs) and values:
        rts = sum(values)
        if abs(rts - 1) <= RTS_CONSTANT:
            kind = "gần như không đổi theo quy mô"
        elif rts > 1:
            kind = "tăng theo quy mô: doanh nghiệp lớn hơn thì hiệu quả hơn"
        else:
            kind = "giảm theo quy mô"
        notes.append(_note("info", f"Hiệu suất theo quy mô = tổng các hệ số co giãn = {_n(rts)}: tăng mọi đầu vào 1% "
                                   f"làm {y} tăng khoảng {_n(rts)}% ({kind})."))
        if not RTS_RANGE[0] <= rts <= RTS_RANGE[1]:
            notes.append(_note("warning", f"Hiệu suất theo quy mô {_n(rts)} rất xa 1 (ngoài [{_n(RTS_RANGE[0], 1)}; "
                                          f"{_n(RTS_RANGE[1], 1)}]): khó tin với doanh nghiệp thực tế. Kiểm tra đơn vị và "
                                          "dạng logarit của số liệu, biến đại diện, và so sánh với phương pháp khác."))
    # implausible elasticities
    for n in inputs:
        b = coef[n]
        if _finite(b) and not 0 < b < 1:
            notes.append(_note("warning", f"Hệ số của {n} = {_n(b, 3)} nằm ngoài khoảng (0; 1): khó tin về kinh tế "
                                          "(hệ số co giãn của một đầu vào thường dương và nhỏ hơn 1). Kiểm tra đơn vị, "
                                          "dạng logarit (đánh dấu “Lấy logarit” nếu số liệu ở dạng mức) và biến đại diện."))
    # the TFP distribution
    dist = result.get("tfp_distribution")
    if dist and _finite(dist.get("p10")) and _finite(dist.get("p90")):
        ratio = math.exp(dist["p90"] - dist["p10"])
        notes.append(_note("info", "TFP là phần sản lượng không giải thích được bằng các đầu vào. Biểu đồ là phân bố "
                                   "log TFP của các doanh nghiệp-năm (đường đứt: trung vị; đường chấm: phân vị 10 và 90): "
                                   f"doanh nghiệp ở phân vị 90 làm ra sản lượng gấp khoảng {_n(ratio, 1)} lần doanh "
                                   "nghiệp ở phân vị 10 với cùng lượng đầu vào."))
    # the optimiser and the bootstrap
    opt = result.get("optimizer") or {}
    if not result.get("converged", True):
        notes.append(_note("warning", "Thuật toán tối ưu không báo hội tụ: hệ số có thể chưa phải nghiệm; "
                                      "thử phương pháp khác hoặc kiểm tra số liệu."))
    if opt.get("tied_minima", 1) > 1:
        notes.append(_note("warning", f"Hàm mục tiêu {label} có nhiều cực tiểu bằng nhau: các hệ số không được xác "
                                      "định trong số liệu này (đã giữ nghiệm có mọi hệ số co giãn trong (0; 1), "
                                      "nhưng số liệu không phân biệt được các nghiệm)."))
        notes.append(_note("suggestion", "Thử Wooldridge (GMM) hoặc Levinsohn-Petrin, và so sánh: nếu các phương pháp "
                                         "cho hệ số gần nhau thì kết quả đáng tin hơn."))
    boot = result.get("bootstrap") or {}
    if boot.get("reps") and boot.get("failed", 0) > BOOT_FAILED_SHARE * boot["reps"]:
        notes.append(_note("warning", f"{boot['failed']}/{boot['reps']} lần bootstrap không ước lượng được: sai số "
                                      "chuẩn kém tin cậy."))
    if result.get("std_errors") is None or all(not _finite(v) for v in (result.get("std_errors") or {}).values()):
        notes.append(_note("suggestion", "Chưa có sai số chuẩn: chọn số lần bootstrap từ 50 trở lên để biết độ chính "
                                         "xác của các hệ số (khoảng tin cậy 95%)."))
    notes += _identification(method, names, free, result.get("diagnostics") or {})
    return notes


def _identification(method, names, free, diag) -> list[dict]:
    notes = []
    free_names = [n for n in names if n in free] or names[:1]
    # labour explained by (state, proxy): the OP/LP first stage cannot tell its coefficient apart
    r2 = diag.get("free_r2_on_proxy") or []
    if method in ("op", "lp") and r2:
        worst = max(range(len(r2)), key=lambda j: r2[j])
        if r2[worst] > FREE_R2_LIMIT:
            name = free_names[worst] if worst < len(free_names) else free_names[0]
            label = registry.firm_method(method).label_vi
            notes.append(_note("warning", f"{name} gần như được quyết định bởi vốn và biến đại diện (R² = "
                                          f"{_n(r2[worst])}): lao động được chọn cùng lúc với năng suất nên hệ số lao "
                                          f"động của {label} không được xác định trong số liệu này."))
            notes.append(_note("suggestion", f"ACF thay cho {'LP' if method == 'lp' else 'OP'} khi lao động được chọn "
                                             "cùng lúc với năng suất (ACF ước lượng hệ số lao động ở giai đoạn hai)."))
    ols, fe = diag.get("ols"), diag.get("fe")
    if ols and fe:
        gaps = []
        for j, n in enumerate(names):
            if n not in free_names:
                continue
            a, b = ols["params"][j], fe["params"][j]
            se = math.hypot(ols["std_errors"][j], fe["std_errors"][j])
            if abs(a - b) > OLS_FE_GAP and abs(a - b) > 2 * se:
                gaps.append(f"{n}: OLS {_n(a)}, FE {_n(b)}")
        if gaps:
            proxy = registry.firm_method(method).needs_proxy
            text = ("OLS và tác động cố định (FE) cho hệ số lao động rất khác nhau (" + "; ".join(gaps) + "): năng suất "
                    "riêng của doanh nghiệp đi cùng với lượng đầu vào nó chọn, nên OLS bị chệch.")
            if proxy:
                text += f" {registry.firm_method(method).label_vi} dùng biến đại diện chính để xử lý điều này."
            notes.append(_note("info" if proxy else "warning", text))
            if method == "ols":
                notes.append(_note("suggestion", "Dùng Levinsohn-Petrin hoặc ACF (biến đại diện nguyên vật liệu) thay cho "
                                                 "OLS; FE chỉ xử lý phần năng suất cố định theo thời gian."))
            elif method == "fe":
                notes.append(_note("suggestion", "FE chỉ dùng biến động trong từng doanh nghiệp, thường làm hệ số vốn quá "
                                                 "nhỏ; ACF hoặc Levinsohn-Petrin xử lý năng suất thay đổi theo thời gian."))
    elif method == "ols":
        notes.append(_note("suggestion", "OLS bỏ qua việc doanh nghiệp chọn đầu vào theo năng suất mà họ biết: dùng "
                                         "Levinsohn-Petrin hoặc ACF khi có cột nguyên vật liệu."))
    return notes


def impact_notes(result: dict, outcome: str | None = None) -> list[dict]:
    """Notes on a Callaway & Sant'Anna fit (``ImpactResults.to_dict()``): the overall effect in
    words with its interval, and whether the effects before the support (pre-trends) are near zero."""
    y = outcome or "kết quả"
    level = result.get("level") or 0.95
    pct = f"{level:.0%}"
    notes = []
    simple = result["aggregations"]["simple"]
    att, lo, hi = simple.get("att"), simple.get("lower"), simple.get("upper")
    if _finite(att):
        way = "tăng" if att >= 0 else "giảm"
        text = f"Hỗ trợ làm {y} {way} trung bình {_n(abs(att), 4)}"
        if _finite(lo) and _finite(hi):
            text += f" (KTC {pct} {_ci(lo, hi, 4)})"
        text += " ở các đơn vị được hỗ trợ, so với khi không được hỗ trợ."
        if abs(att) < 1:
            text += f" Nếu {y} là logarit, đó là khoảng {_n(100 * abs(att), 1)}%."
        notes.append(_note("info", text))
        if _finite(lo) and _finite(hi):
            if lo > 0 or hi < 0:
                notes.append(_note("info", "Khoảng tin cậy không chứa 0: tác động có ý nghĩa thống kê."))
            else:
                notes.append(_note("info", "Khoảng tin cậy chứa 0: chưa đủ bằng chứng để khẳng định hỗ trợ có tác động."))
        else:
            notes.append(_note("warning", "Không tính được sai số chuẩn: quá ít đơn vị trong một nhóm?"))
    dynamic = (result["aggregations"].get("dynamic") or {}).get("by") or []
    pre = [r for r in dynamic if r.get("e") is not None and r["e"] < 0]
    if not pre:
        notes.append(_note("warning", "Không có năm nào trước khi hỗ trợ để kiểm tra giả định xu hướng song song."))
    else:
        off = [r for r in pre if _finite(r.get("lower")) and _finite(r.get("upper"))
               and (r["lower"] > 0 or r["upper"] < 0)]
        if off:
            years = "; ".join(f"năm {str(r['e']).replace('-', '−')}: {_n(r['att'], 4)} {_ci(r['lower'], r['upper'], 4)}" for r in off)
            notes.append(_note("warning", f"Trước khi được hỗ trợ đã có chênh lệch khác 0 ({years}): hai nhóm không đi "
                                          "song song trước hỗ trợ, nên kết quả có thể chệch."))
            notes.append(_note("suggestion", "Thêm biến kiểm soát (quy mô, ngành), thử nhóm đối chứng “chưa được hỗ trợ "
                                             "tính đến năm đó” hoặc ước lượng kép vững."))
        else:
            notes.append(_note("info", "Trước khi được hỗ trợ, chênh lệch giữa hai nhóm gần bằng 0 (mọi khoảng tin cậy "
                                       "của các năm trước chứa 0): phù hợp với giả định xu hướng song song."))
    post = [r for r in dynamic if r.get("e") is not None and r["e"] >= 0 and _finite(r.get("att"))]
    if len(post) >= 2:
        first, last = post[0], post[-1]
        notes.append(_note("info", f"Theo thời gian: năm được hỗ trợ {_n(first['att'], 4)}, sau {last['e']} năm "
                                   f"{_n(last['att'], 4)} (bảng “Nghiên cứu sự kiện”)."))
    return notes
