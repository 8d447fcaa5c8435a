"""Tax codes: valid parents and branches, wrong check digit, wrong length and format, branch 000."""
import pytest

from nscl.enterprises import mst


# 0100109106: 0·31+1·29+0·23+0·19+1·17+0·13+9·7+1·5+0·3 = 114, 114 mod 11 = 4, 10-4 = 6
# 0314409058: 3·29+1·23+4·19+4·17+9·7+5·3 = 332, 332 mod 11 = 2, 10-2 = 8
@pytest.mark.parametrize("given, normalized", [
    ("0100109106", "0100109106"),
    ("0314409058", "0314409058"),
    ("0314409058-002", "0314409058-002"),
    ("0314409058002", "0314409058-002"),
    (" 0100109106-999 ", "0100109106-999"),
])
def test_valid_codes_are_normalized(given, normalized):
    r = mst.check(given)
    assert (r.valid, r.normalized, r.reason) == (True, normalized, None)


@pytest.mark.parametrize("given, expected, found", [("0100109107", "6", "7"), ("0314409059", "8", "9"),
                                                    ("0100109100-001", "6", "0")])
def test_wrong_check_digit_names_the_right_one(given, expected, found):
    r = mst.check(given)
    assert not r.valid and r.normalized is None
    assert r.reason == f"Sai chữ số kiểm tra của mã số thuế (chữ số thứ 10 phải là {expected}, không phải {found})."


def test_nine_digits_with_no_possible_check_digit():
    # 1·31 + 8·3 = 55 ≡ 0 (mod 11): the check digit would be 10
    r = mst.check("1000000080")
    assert not r.valid and "không có chữ số kiểm tra nào hợp lệ" in r.reason


@pytest.mark.parametrize("given", ["010010910", "01001091066", "0100109106-01", "0100109106-0011", "123"])
def test_wrong_length(given):
    r = mst.check(given)
    assert (r.valid, r.reason) == (False, mst.LENGTH)


@pytest.mark.parametrize("given", ["010010910A", "01-00109106", "0100109106--001", "0100109106/001", "O100109106"])
def test_wrong_format(given):
    assert mst.check(given).reason == mst.FORMAT


def test_branch_000_is_refused_with_its_own_message():
    r = mst.check("0100109106-000")
    assert (r.valid, r.reason) == (False, mst.BRANCH_000)
    assert mst.check("0100109106000").reason == mst.BRANCH_000


def test_empty_and_zero_body():
    assert mst.check("").reason == mst.EMPTY and mst.check(None).reason == mst.EMPTY
    assert mst.check("0100000006").reason == mst.ZERO_BODY


def test_normalize_and_parent():
    assert mst.normalize("0314409058002") == "0314409058-002"
    assert mst.parent_code("0314409058-002") == "0314409058" and mst.parent_code("0314409058") is None
    with pytest.raises(ValueError, match="chữ số thứ 10 phải là 8"):
        mst.normalize("0314409057")


def test_as_dict_shape():
    assert mst.check("0314409058002").as_dict() == {"mst": "0314409058002", "valid": True,
                                                     "normalized": "0314409058-002", "reason": None}
