"""Tax codes (mã số thuế, MST): 10 digits, or 13 for a dependent unit (branch) written
`0123456789-001`. Checked with python-stdnum's `stdnum.vn.mst` (length, digits, check digit =
10 − (Σ wᵢ·dᵢ mod 11), weights 31 29 23 19 17 13 7 5 3; branch 000 refused); the reason a code is
refused is said in Vietnamese. No Django: the command line checks codes without a database."""
from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import exceptions
from stdnum.vn import mst as _mst


@dataclass(frozen=True)
class MstCheck:
    given: str
    valid: bool
    normalized: str | None
    reason: str | None

    def as_dict(self):
        return {"mst": self.given, "valid": self.valid, "normalized": self.normalized, "reason": self.reason}


LENGTH = "Mã số thuế phải có 10 chữ số, hoặc 13 chữ số với đơn vị phụ thuộc (dạng 0123456789-001)."
FORMAT = "Mã số thuế chỉ gồm chữ số (và một dấu gạch ngang trước 3 số của đơn vị phụ thuộc)."
BRANCH_000 = "Số thứ tự đơn vị phụ thuộc (3 số cuối) phải từ 001 đến 999, không được là 000."
ZERO_BODY = "Mã số thuế không hợp lệ: 7 chữ số từ thứ 3 đến thứ 9 không được đều bằng 0."
EMPTY = "Chưa nhập mã số thuế."
_WRITTEN = re.compile(r"[0-9]{10}(?:-?[0-9]{3})?")


def _valid_written(text: str) -> str | None:
    """The stored form of a code written as digits (and one dash) that stdnum would accept, else
    None: python-stdnum's cleaning costs 60 µs a code, a 50,000-row import checks 50,000."""
    if not _WRITTEN.fullmatch(text):
        return None
    digits = text.replace("-", "")
    if digits[2:9] == "0000000" or (len(digits) == 13 and digits.endswith("000")):
        return None
    if digits[9] != _mst.calc_check_digit(digits):
        return None
    return digits if len(digits) == 10 else f"{digits[:10]}-{digits[10:]}"


def check(code) -> MstCheck:
    given = "" if code is None else str(code)
    text = given.strip()
    if not text:
        return MstCheck(given, False, None, EMPTY)
    fast = _valid_written(text)
    if fast is not None:
        return MstCheck(given, True, fast, None)
    compact = _mst.compact(text)
    if len(compact) not in (10, 13):
        return MstCheck(given, False, None, LENGTH if compact.isdigit() or not compact else FORMAT)
    if not _WRITTEN.fullmatch(text):
        return MstCheck(given, False, None, FORMAT)
    try:
        number = _mst.validate(text)
    except exceptions.InvalidLength:
        return MstCheck(given, False, None, LENGTH)
    except exceptions.InvalidFormat:
        return MstCheck(given, False, None, FORMAT)
    except exceptions.InvalidComponent:
        reason = BRANCH_000 if len(compact) == 13 and compact.endswith("000") else ZERO_BODY
        return MstCheck(given, False, None, reason)
    except exceptions.InvalidChecksum:
        expected = _mst.calc_check_digit(compact)
        detail = (f"chữ số thứ 10 phải là {expected}, không phải {compact[9]}" if len(expected) == 1
                  else "không có chữ số kiểm tra nào hợp lệ cho 9 chữ số đầu này")
        return MstCheck(given, False, None, f"Sai chữ số kiểm tra của mã số thuế ({detail}).")
    return MstCheck(given, True, _mst.format(number), None)


def normalize(code) -> str:
    """The code as stored (`0123456789` or `0123456789-001`); ValueError with the reason otherwise."""
    result = check(code)
    if not result.valid:
        raise ValueError(result.reason)
    return result.normalized


def parent_code(normalized: str) -> str | None:
    """The parent enterprise's code of a branch's code, None for a 10-digit code."""
    return normalized[:10] if len(normalized) == 14 else None
