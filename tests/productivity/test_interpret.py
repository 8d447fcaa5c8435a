"""Results in words: hand-built results, each warning triggered by exactly the implausible part."""
import pytest

from nscl.productivity import interpret

ROLES = {"output": "va", "free": ["lao_dong"], "state": ["von"], "controls": []}


def firm_result(method="lp", l=0.25, k=0.6, se=(0.05, 0.04), optimizer=None, diagnostics=None, converged=True,
                boot=(50, 0)):
    names = ["lao_dong", "von"]
    ses = None if se is None else dict(zip(names, se))
    lower = {n: b - 1.96 * s for n, b, s in zip(names, (l, k), se or (None, None)) if s is not None}
    upper = {n: b + 1.96 * s for n, b, s in zip(names, (l, k), se or (None, None)) if s is not None}
    return {"method": method, "names": names, "coefficients": {"lao_dong": l, "von": k}, "std_errors": ses,
            "conf_int": {"level": 0.95, "lower": lower, "upper": upper}, "converged": converged,
            "bootstrap": {"reps": boot[0], "failed": boot[1]}, "optimizer": optimizer or {},
            "diagnostics": diagnostics or {},
            "tfp_distribution": {"p10": -0.5, "p50": 0.0, "p90": 0.5, "mean": 0, "sd": 0.4, "counts": [], "edges": []}}


def kinds(notes, kind):
    return [n["text"] for n in notes if n["kind"] == kind]


def test_a_plausible_fit_is_explained_without_warnings():
    notes = interpret.firm_notes(firm_result(), ROLES)
    info = kinds(notes, "info")
    assert "Tăng 1% lao_dong (lao động) làm sản lượng (va) tăng khoảng 0,25%" in info[0]
    assert "Tăng 1% von (vốn) làm sản lượng (va) tăng khoảng 0,60%" in info[1]
    assert any("Hiệu suất theo quy mô = tổng các hệ số co giãn = 0,85" in t and "giảm theo quy mô" in t for t in info)
    assert any("gấp khoảng 2,7 lần" in t for t in info)  # exp(0.5 - (-0.5)) = 2.718
    assert kinds(notes, "warning") == [] and kinds(notes, "suggestion") == []


def test_elasticity_outside_zero_one_and_returns_to_scale_far_from_one():
    notes = interpret.firm_notes(firm_result(l=1.2, k=0.5), ROLES)
    warnings = kinds(notes, "warning")
    assert len(warnings) == 2
    assert "Hệ số của lao_dong = 1,200 nằm ngoài khoảng (0; 1)" in warnings[1]
    assert "Hiệu suất theo quy mô 1,70 rất xa 1" in warnings[0]
    notes = interpret.firm_notes(firm_result(l=-0.1, k=0.9), ROLES)  # RTS 0.8: inside [0.7, 1.3]
    assert [w[:29] for w in kinds(notes, "warning")] == ["Hệ số của lao_dong = −0,100 n"]
    assert any("làm sản lượng (va) giảm khoảng 0,10%" in t for t in kinds(notes, "info"))


def test_controls_are_not_inputs():
    r = firm_result()
    r["names"].append("tuoi")
    r["coefficients"]["tuoi"] = 3.0
    notes = interpret.firm_notes(r, {**ROLES, "controls": ["tuoi"]})
    assert kinds(notes, "warning") == [] and not any("tuoi" in t for t in kinds(notes, "info"))


def test_lp_when_labour_is_explained_by_capital_and_materials_suggests_acf():
    notes = interpret.firm_notes(firm_result(diagnostics={"free_r2_on_proxy": [0.97]}), ROLES)
    assert "R² = 0,97" in kinds(notes, "warning")[0] and "không được xác định" in kinds(notes, "warning")[0]
    assert kinds(notes, "suggestion") == ["ACF thay cho LP khi lao động được chọn cùng lúc với năng suất "
                                          "(ACF ước lượng hệ số lao động ở giai đoạn hai)."]
    # the same R² does not concern ACF, and a modest one not LP
    assert kinds(interpret.firm_notes(firm_result("acf", diagnostics={"free_r2_on_proxy": [0.97]}), ROLES), "warning") == []
    assert kinds(interpret.firm_notes(firm_result(diagnostics={"free_r2_on_proxy": [0.5]}), ROLES), "warning") == []


def test_acf_with_tied_minima_is_not_identified():
    notes = interpret.firm_notes(firm_result("acf", optimizer={"tied_minima": 2}), ROLES)
    assert "nhiều cực tiểu bằng nhau" in kinds(notes, "warning")[0]
    assert "Wooldridge (GMM)" in kinds(notes, "suggestion")[0]


def test_ols_against_fixed_effects():
    far = {"ols": {"params": [0.6, 0.3], "std_errors": [0.01, 0.01]}, "fe": {"params": [0.2, 0.1], "std_errors": [0.02, 0.02]}}
    notes = interpret.firm_notes(firm_result("ols", l=0.6, k=0.3, diagnostics=far), ROLES)
    assert "lao_dong: OLS 0,60, FE 0,20" in kinds(notes, "warning")[0]
    assert "Levinsohn-Petrin hoặc ACF" in kinds(notes, "suggestion")[0]
    # within two standard errors of each other: no warning
    close = {"ols": {"params": [0.6, 0.3], "std_errors": [0.1, 0.1]}, "fe": {"params": [0.45, 0.3], "std_errors": [0.1, 0.1]}}
    notes = interpret.firm_notes(firm_result("ols", l=0.6, k=0.3, diagnostics=close), ROLES)
    assert kinds(notes, "warning") == []


def test_no_standard_errors_convergence_and_failed_draws():
    notes = interpret.firm_notes(firm_result(se=None, boot=(0, 0), converged=False), ROLES)
    assert "không báo hội tụ" in kinds(notes, "warning")[0]
    assert "bootstrap từ 50" in kinds(notes, "suggestion")[0]
    notes = interpret.firm_notes(firm_result(boot=(50, 12)), ROLES)
    assert kinds(notes, "warning") == ["12/50 lần bootstrap không ước lượng được: sai số chuẩn kém tin cậy."]


def impact_result(att=0.05, se=0.01, pre=((-2, 0.001, 0.01), (-1, -0.002, 0.01))):
    def row(e, a, s):
        return {"e": e, "att": a, "se": s, "lower": a - 1.96 * s, "upper": a + 1.96 * s}
    by = [row(*p) for p in pre] + [row(0, att, se), row(2, 2 * att, se)]
    return {"level": 0.95, "aggregations": {"simple": {"att": att, "se": se, "lower": att - 1.96 * se,
                                                       "upper": att + 1.96 * se}, "dynamic": {"by": by}}}


def test_impact_in_words():
    notes = interpret.impact_notes(impact_result(), "log_nang_suat")
    info = kinds(notes, "info")
    assert info[0].startswith("Hỗ trợ làm log_nang_suat tăng trung bình 0,0500 (KTC 95% [0,0304; 0,0696])")
    assert "khoảng 5,0%" in info[0] and "có ý nghĩa thống kê" in info[1]
    assert any("gần bằng 0" in t for t in info) and kinds(notes, "warning") == []
    notes = interpret.impact_notes(impact_result(att=-0.01, se=0.02), "tfp")
    assert "tfp giảm trung bình 0,0100" in kinds(notes, "info")[0] and "chưa đủ bằng chứng" in kinds(notes, "info")[1]


def test_pre_trends_away_from_zero_are_a_warning():
    notes = interpret.impact_notes(impact_result(pre=((-3, 0.08, 0.01), (-1, 0.0, 0.01))), "y")
    w = kinds(notes, "warning")
    assert len(w) == 1 and "năm −3: 0,0800" in w[0] and "năm −1" not in w[0]
    assert "biến kiểm soát" in kinds(notes, "suggestion")[0]
    notes = interpret.impact_notes(impact_result(pre=()), "y")
    assert "Không có năm nào trước" in kinds(notes, "warning")[0]


@pytest.mark.parametrize("method", ["ols", "fe", "op", "lp", "acf", "wrdg", "wrdg-gmm"])
def test_real_fits_are_interpreted(method):
    import pandas as pd

    from pathlib import Path

    from nscl.productivity import firm

    d = pd.read_csv(Path(__file__).parent.parent / "data" / "prodest" / "chilean.csv")
    proxy = "pX"
    res = firm.estimate(d, method, id="idvar", time="timevar", output="Y", free=["fX1", "fX2"], state="sX",
                        proxy=proxy).fit()
    d = res.to_dict()
    assert "ols" in d["diagnostics"] and "fe" in d["diagnostics"]
    assert ("free_r2_on_proxy" in d["diagnostics"]) == (method not in ("ols", "fe"))
    notes = interpret.firm_notes(d, {"output": "Y", "free": ["fX1", "fX2"], "state": ["sX"]})
    assert notes[0]["text"].startswith("Tăng 1% fX1 (lao động) làm sản lượng (Y)")


def test_vietnamese_summary_from_the_stored_results():
    from nscl.productivity.firm.results import summary_text

    r = firm_result("acf", optimizer={"tied_minima": 2, "local_minima": [{"params": [0.9, -0.2], "criterion": 1e-5}]})
    r["criterion"], r["n_obs"], r["n_firms"] = 1.5e-9, 120, 30
    vi = summary_text(r, "vi")
    assert vi.splitlines()[0] == "Ackerberg-Caves-Frazer    quan sát: 120   doanh nghiệp: 30   hàm mục tiêu: 1,5e−09"
    assert "lao_dong              0,2500        0,0500     5,00" in vi
    assert "bootstrap theo doanh nghiệp: 50 lần, 0 lần lỗi" in vi and "cực tiểu địa phương khác: [0,9000; −0,2000]" in vi
    assert "LƯU Ý: nhiều cực tiểu" in vi
    assert not any(w in vi for w in ("obs", "criterion", "NOTE", "firms", "draws"))
    en = summary_text(r, "en")
    assert "obs: 120" in en and "NOTE: several minima" in en and "other local minimum: [0.9, -0.2] criterion 1e-05" in en


def test_the_notes_in_english():
    """The same reading in English for English pages (numbers with a decimal point)."""
    from nscl.productivity import interpret

    result = {"method": "lp", "names": ["l", "k"], "coefficients": {"l": 0.25, "k": 1.4},
              "std_errors": {"l": 0.01, "k": 0.02}, "converged": True, "bootstrap": {"reps": 0, "failed": 0}}
    en = [n["text"] for n in interpret.firm_notes(result, {"free": ["l"], "state": ["k"], "output": "va"}, "en")]
    vi = [n["text"] for n in interpret.firm_notes(result, {"free": ["l"], "state": ["k"], "output": "va"})]
    assert en[0] == "With 1% more l (labour), output (va) rises by about 0.25%, other inputs unchanged (the elasticity)."
    assert vi[0].startswith("Tăng 1% l (lao động) làm sản lượng (va) tăng khoảng 0,25%")
    assert any("Returns to scale = the sum of the elasticities = 1.65" in t for t in en)
    assert any("outside [0.7, 1.3]" in t for t in en) and any("(ngoài [0,7; 1,3])" in t for t in vi)
    assert len(en) == len(vi)


# ---------------------------------------------------------------------------------------------
# Every number computed safely: levels taken for logarithms, and what JSON storage leaves of NaN/inf

def test_a_huge_tfp_spread_is_said_in_words_not_computed():
    """exp(p90 − p10) overflowed (OverflowError: a 500 on the result page) for a panel in levels."""
    r = firm_result(l=38034.3, k=1.07)
    r["tfp_distribution"].update(p10=-1115857815.18, p50=-215717214.07, p90=362578119.77)
    notes = interpret.firm_notes(r, {**ROLES, "log_inputs": False})
    warning = next(t for t in kinds(notes, "warning") if "log TFP cách nhau" in t)
    assert warning.startswith("Phân vị 90 và phân vị 10 của log TFP cách nhau 1,48×10⁹: doanh nghiệp ở phân vị 90 "
                              "sẽ làm ra sản lượng gấp hơn 100 lần")
    assert not any("gấp khoảng" in t for t in kinds(notes, "info"))
    assert "Lấy logarit (số liệu ở dạng mức)" in kinds(notes, "suggestion")[-1]
    assert any("Hệ số của lao_dong = 38034,300 nằm ngoài khoảng (0; 1)" in t for t in kinds(notes, "warning"))
    # logarithms already taken: the same warning, no suggestion to take them
    notes = interpret.firm_notes(r, {**ROLES, "log_inputs": True})
    assert not any("Lấy logarit (số liệu ở dạng mức)" in t for t in kinds(notes, "suggestion"))
    en = interpret.firm_notes(r, {**ROLES, "log_inputs": False}, language="en")
    assert any("are 1.48×10⁹ apart" in t and "more than 100 times" in t for t in kinds(en, "warning"))


def test_the_ratio_is_shown_up_to_the_limit():
    r = firm_result()
    r["tfp_distribution"].update(p10=0.0, p90=4.5)  # e^4.5 = 90.0: believable enough to be said
    assert any("gấp khoảng 90,0 lần" in t for t in kinds(interpret.firm_notes(r, ROLES), "info"))
    r["tfp_distribution"].update(p90=4.7)  # e^4.7 = 110
    notes = interpret.firm_notes(r, ROLES)
    assert not any("gấp khoảng" in t for t in notes) and any("gấp hơn 100 lần" in t for t in kinds(notes, "warning"))


def test_stored_nan_and_infinity_come_back_as_none_and_are_skipped():
    r = firm_result()
    r["coefficients"]["von"] = None
    r["tfp_distribution"].update(p10=None, p90=None)
    r["diagnostics"] = {"free_r2_on_proxy": [None],
                        "ols": {"params": [None, 0.3], "std_errors": [0.01, None]},
                        "fe": {"params": [0.2, 0.1], "std_errors": [None, 0.02]}}
    notes = interpret.firm_notes(r, ROLES)
    texts = " ".join(n["text"] for n in notes)
    assert "Tăng 1% lao_dong" in texts and "von (vốn)" not in texts
    assert "Hiệu suất theo quy mô" not in texts and "TFP là phần" not in texts and "OLS và tác động" not in texts
    assert not any("von (vốn)" in n["text"] for n in interpret.firm_notes(firm_result(k=10 ** 400, se=None), ROLES))
    # the sum of finite elasticities can still overflow
    big = firm_result(l=1.7e308, k=1.7e308)
    assert not any("Hiệu suất theo quy mô =" in n["text"] for n in interpret.firm_notes(big, ROLES))
    imp = impact_result(pre=((-1, 0.7, 0.1),))
    imp["aggregations"]["dynamic"]["by"][0].update(att=None, lower=0.5, upper=0.9)  # an interval without an estimate
    assert "năm −1: — [0,5000; 0,9000]" in " ".join(n["text"] for n in interpret.impact_notes(imp))


def test_summary_of_stored_results_with_missing_numbers():
    from nscl.productivity.firm.results import summary_text

    d = {"method": "lp", "names": ["l", "k"], "coefficients": {"l": None, "k": 0.3}, "std_errors": {"l": None, "k": 0.0},
         "n_obs": 10, "n_firms": 2, "criterion": None, "converged": True, "bootstrap": {"reps": 0, "failed": 0},
         "optimizer": {"local_minima": [{"params": [None, 0.3], "criterion": None}]}}
    text = summary_text(d, "vi")
    assert "l                          —" in text and "nan" not in text and "None" not in text
    # PostgreSQL's jsonb gives back a float of integral value as an int (levels taken for logs: 1.2e20)
    d.update(criterion=120000000000000000000, coefficients={"l": 38034, "k": 10 ** 400}, std_errors={"l": 2, "k": 1})
    text = summary_text(d, "en")
    assert "criterion: 1.2e+20" in text and "38034.0000" in text and "19017.00" in text
