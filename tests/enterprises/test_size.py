"""Decree 80/2021/NĐ-CP art. 5 at every boundary: limits are inclusive ("không quá"); employees AND
(revenue OR capital); production sectors 10/100/200 employees, 3/50/200 bn revenue, 3/20/100 bn
capital; trade and services 10/50/100, 10/100/300, 3/50/100."""
import pytest

from nscl.enterprises import size

B = size.BILLION
AG, IND, TR = size.AGRICULTURE, size.INDUSTRY, size.TRADE


@pytest.mark.parametrize("sector", [AG, IND])
@pytest.mark.parametrize("employees, revenue, capital, expected", [
    # employee limits, money well inside micro
    (10, 1 * B, 1 * B, "micro"), (11, 1 * B, 1 * B, "small"),
    (100, 1 * B, 1 * B, "small"), (101, 1 * B, 1 * B, "medium"),
    (200, 1 * B, 1 * B, "medium"), (201, 1 * B, 1 * B, "large"),
    # revenue limits (capital above every limit, so revenue decides)
    (5, 3 * B, 500 * B, "micro"), (5, 3 * B + 1, 500 * B, "small"),
    (5, 50 * B, 500 * B, "small"), (5, 50 * B + 1, 500 * B, "medium"),
    (5, 200 * B, 500 * B, "medium"), (5, 200 * B + 1, 500 * B, "large"),
    # capital limits (revenue above every limit, so capital decides)
    (5, 900 * B, 3 * B, "micro"), (5, 900 * B, 3 * B + 1, "small"),
    (5, 900 * B, 20 * B, "small"), (5, 900 * B, 20 * B + 1, "medium"),
    (5, 900 * B, 100 * B, "medium"), (5, 900 * B, 100 * B + 1, "large"),
    # "or": one amount within the limit is enough
    (50, 60 * B, 20 * B, "small"), (50, 50 * B, 90 * B, "small"),
    # only one amount known
    (10, 3 * B, None, "micro"), (10, None, 3 * B, "micro"), (10, None, 3 * B + 1, "small"),
    (0, 0, 0, "micro"),
])
def test_production_sectors(sector, employees, revenue, capital, expected):
    assert size.classify(sector, employees, revenue, capital).size_class == expected


@pytest.mark.parametrize("employees, revenue, capital, expected", [
    (10, 1 * B, 1 * B, "micro"), (11, 1 * B, 1 * B, "small"),
    (50, 1 * B, 1 * B, "small"), (51, 1 * B, 1 * B, "medium"),
    (100, 1 * B, 1 * B, "medium"), (101, 1 * B, 1 * B, "large"),
    (5, 10 * B, 500 * B, "micro"), (5, 10 * B + 1, 500 * B, "small"),
    (5, 100 * B, 500 * B, "small"), (5, 100 * B + 1, 500 * B, "medium"),
    (5, 300 * B, 500 * B, "medium"), (5, 300 * B + 1, 500 * B, "large"),
    (5, 900 * B, 3 * B, "micro"), (5, 900 * B, 3 * B + 1, "small"),
    (5, 900 * B, 50 * B, "small"), (5, 900 * B, 50 * B + 1, "medium"),
    (5, 900 * B, 100 * B, "medium"), (5, 900 * B, 100 * B + 1, "large"),
    # 10 bn revenue is micro in trade but small in industry
    (10, 10 * B, 10 * B, "micro"),
])
def test_trade_and_services(employees, revenue, capital, expected):
    assert size.classify(TR, employees, revenue, capital).size_class == expected


def test_same_firm_differs_by_sector():
    assert size.classify(IND, 10, 10 * B, 10 * B).size_class == "small"
    assert size.classify(TR, 60, 10 * B, 10 * B).size_class == "medium"
    assert size.classify(IND, 60, 10 * B, 10 * B).size_class == "small"


def test_fractional_average_employees_above_a_limit():
    assert size.classify(IND, "10.5", 1 * B, 1 * B).size_class == "small"


def test_the_rule_says_what_decided():
    r = size.classify(IND, 10, 3 * B, None)
    assert r.rule == ("Siêu nhỏ (công nghiệp, xây dựng): lao động 10 ≤ 10 và doanh thu 3 tỷ đồng ≤ 3 tỷ đồng"
                      " — Nghị định 80/2021/NĐ-CP, Điều 5")
    r = size.classify(TR, 11, 900 * B, 40 * B)
    assert r.size_class == "small"
    assert r.rule.startswith("Nhỏ (thương mại, dịch vụ): lao động 11 ≤ 50 và tổng nguồn vốn 40 tỷ đồng ≤ 50 tỷ đồng")
    assert r.rule.endswith("không đạt siêu nhỏ: lao động 11 > 10")
    r = size.classify(IND, 150, 250 * B, 150 * B)
    assert r.size_class == "large"
    assert "vừa: doanh thu 250 tỷ đồng > 200 tỷ đồng và tổng nguồn vốn 150 tỷ đồng > 100 tỷ đồng" in r.rule
    assert r.as_dict() == {"size_class": "large", "rule": r.rule}


@pytest.mark.parametrize("args, message", [
    ((IND, -1, 1, 1), "Số lao động không được âm."),
    ((IND, 1, -1, 1), "Doanh thu không được âm."),
    ((IND, 1, 1, -5), "Tổng nguồn vốn không được âm."),
    ((IND, 1, None, None), "Cần doanh thu hoặc tổng nguồn vốn"),
    ((IND, None, 1, 1), "Cần số lao động"),
    (("mining", 1, 1, 1), "Nhóm lĩnh vực “mining” không hợp lệ"),
    ((IND, "x", 1, 1), "không phải là số"),
    ((IND, 1, "NaN", 1), "không phải là số hữu hạn"),
])
def test_bad_input(args, message):
    with pytest.raises(size.SizeInputError, match=message):
        size.classify(*args)


@pytest.mark.parametrize("section, group", [("A", AG), ("B", IND), ("C", IND), ("F", IND), ("G", TR), ("V", TR)])
def test_sector_of_section(section, group):
    assert size.sector_of_section(section) == group
