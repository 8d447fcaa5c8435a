"""Numbers typed the Vietnamese way (common.fields): the parser's rule, the fields' messages, and
how stored values are shown back."""
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from nscl.common.fields import (DecimalField, FloatField, IntegerField, MoneyField, NumberTypingError, format_number,
                                number_formfield, parse_number)


@pytest.mark.parametrize("typed", ["18.500.000", "18 500 000", "18500000", "18\u00a0500\u00a0000", "18\u202f500\u202f000",
                                   " 18.500.000 ", "18,500,000", "18.500.000,00"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_money_typed_any_usual_way(typed, lang):
    assert parse_number(typed, fraction=False, lang=lang) == Decimal("18500000")


@pytest.mark.parametrize("typed,vi,en", [
    ("0,38", "0.38", "0.38"), ("0.38", "0.38", "0.38"), (",5", "0.5", "0.5"),
    ("1.234,5", "1234.5", "1234.5"), ("1,234.5", "1234.5", "1234.5"), ("12 345,6", "12345.6", "12345.6"),
    ("1.234", "1234", "1.234"),  # one mark, three digits after it: the language's thousands separator
    ("1,234", "1.234", "1234"), ("0.380", "0.38", "0.38"), ("0,380", "0.38", "0.38"),
    ("−2,5", "-2.5", "-2.5"), ("-1.000.000", "-1000000", "-1000000"), ("+7", "7", "7"),
])
def test_decimals_with_the_comma(typed, vi, en):
    assert parse_number(typed, lang="vi") == Decimal(vi)
    assert parse_number(typed, lang="en") == Decimal(en)


@pytest.mark.parametrize("typed", ["", "abc", "18,5 đ", "1e5", "5,", "1.2.3", "18.500 000", "1.000.000.5", "12.34.567",
                                   "1,2,3.4,5", "--5", "²", "１２"])
def test_not_a_number(typed):
    with pytest.raises(NumberTypingError) as e:
        parse_number(typed, lang="vi")
    assert e.value.code == "invalid"


def test_money_has_no_fraction():
    assert parse_number("18.500", fraction=False, lang="en") == 18500  # a group of three is thousands there
    for typed in ("18,5", "18.5", "18 500,5"):
        with pytest.raises(NumberTypingError) as e:
            parse_number(typed, fraction=False, lang="vi")
        assert e.value.code == "fraction"


def test_fields_clean_and_say_what_is_wrong_in_vietnamese():
    with translation.override("vi"):
        money = MoneyField(max_digits=18, min_value=0)
        assert money.clean("18.500.000") == Decimal("18500000") and money.clean("18 500 000") == 18500000
        with pytest.raises(forms.ValidationError) as e:
            money.clean("18.500.000,5")
        assert e.value.messages == ["“18.500.000,5”: số tiền tính bằng đồng, không có phần lẻ (vd. 18.500.000)."]
        with pytest.raises(forms.ValidationError) as e:
            money.clean("mười triệu")
        assert e.value.messages == ["“mười triệu” không phải là số tiền: nhập số đồng bằng chữ số, có thể phân cách hàng "
                                    "nghìn bằng dấu chấm hoặc khoảng trắng (vd. 18.500.000)."]
        with pytest.raises(forms.ValidationError) as e:
            money.clean("1" + "000" * 7)
        assert e.value.messages == ["Số quá lớn: tối đa 18 chữ số."]
        hours = DecimalField(max_digits=6, decimal_places=1)
        assert hours.clean("7,5") == Decimal("7.5")
        with pytest.raises(forms.ValidationError) as e:
            hours.clean("7,25")
        assert e.value.messages == ["Chỉ được nhập tối đa 1 chữ số sau dấu phẩy."]
        with pytest.raises(forms.ValidationError) as e:
            hours.clean("7;5")
        assert "dùng dấu phẩy cho phần thập phân (vd. 0,38)" in e.value.messages[0]
        assert IntegerField().clean("1.250") == 1250
        with pytest.raises(forms.ValidationError) as e:
            IntegerField().clean("12,5")
        assert e.value.messages == ["“12,5”: cần một số nguyên, không có phần lẻ."]
        alpha = FloatField(min_value=0.01, max_value=0.99)
        assert alpha.clean("0,38") == 0.38 and isinstance(alpha.clean("0,38"), float)
    with translation.override("en"):
        with pytest.raises(forms.ValidationError) as e:
            MoneyField(max_digits=18).clean("abc")
        assert e.value.messages == ["“abc” is not an amount: type whole VND in digits, thousands may be separated by "
                                    "commas, points or spaces (e.g. 18,500,000)."]


def test_stored_values_are_shown_with_separators_and_typed_text_as_typed():
    assert format_number(Decimal("18500000"), "vi") == "18.500.000" and format_number(18500000, "en") == "18,500,000"
    assert format_number(0.38, "vi") == "0,38" and format_number(Decimal("1.00"), "vi") == "1"
    assert format_number(Decimal("1234.50"), "vi") == "1.234,5" and format_number(-1234.5, "en") == "-1,234.5"

    class F(forms.Form):
        amount = MoneyField(max_digits=18)
        share = DecimalField(max_digits=5, decimal_places=2)

    with translation.override("vi"):
        html = str(F(initial={"amount": Decimal("18500000"), "share": Decimal("12.50")}))
        assert 'value="18.500.000"' in html and 'value="12,5"' in html and 'inputmode="numeric"' in html
        assert 'type="number"' not in html  # a browser's number box refuses "18.500.000"
        assert 'value="18 500 000"' in str(F({"amount": "18 500 000", "share": "x"}))
    with translation.override("en"):
        assert 'value="18,500,000"' in str(F(initial={"amount": 18500000}))


def test_model_number_fields_get_these_fields_but_years_stay_plain():
    from nscl.enterprises.models import YearlyFigures

    get = YearlyFigures._meta.get_field
    assert type(number_formfield(get("revenue"))) is MoneyField
    assert type(number_formfield(get("employees"))) is DecimalField
    year = number_formfield(get("year"))
    assert type(year) is forms.IntegerField  # "2025", never "2.025"


def test_money_is_declared_on_the_model_and_migrates_as_a_decimal():
    """Issue 21 item 3: pages and exports guessed money from a field's name ("budget", "amount")."""
    from nscl.common.fields import Money, is_money
    from nscl.programme.models import Activity, TestingCapacityInvestment

    money = {f.name for f in Activity._meta.fields if is_money(f)} | {f.name for f in TestingCapacityInvestment._meta.fields if is_money(f)}
    assert money == {"budget_planned", "budget_spent", "amount"}
    name, path, _args, kwargs = Money("x").deconstruct()
    assert path == "django.db.models.DecimalField" and (kwargs["max_digits"], kwargs["decimal_places"]) == (18, 0)
