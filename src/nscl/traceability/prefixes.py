"""GS1 company prefixes: which digits of a GS1 key hold the company prefix, and the longest
registered prefix a key falls under.

A GS1 Member Organisation (GS1 Vietnam: numbers starting 893) allocates each member a company
prefix of 6 to 12 digits, country code included; every GTIN, GLN and SSCC the member issues starts
with it (a GTIN-14 and an SSCC after their first digit, the indicator or extension). Prefixes of
different lengths can be nested (a short one allocated to one company, a longer one under it to
another, as when a range is re-allocated), so a key belongs to the holder of the longest prefix it
starts with."""

from __future__ import annotations

from .keys import InvalidKey, Key

MIN_DIGITS, MAX_DIGITS = 6, 12


def validate_prefix(text: str) -> str:
    """A company prefix as stored (its digits); InvalidKey with the reason otherwise."""
    value = (text or "").strip().replace(" ", "")
    if not value.isascii() or not value.isdigit():
        raise InvalidKey(f"A GS1 company prefix is digits only, not {value!r}",
                         f"Tiền tố mã doanh nghiệp GS1 chỉ gồm chữ số, không phải “{value}”.", value)
    if not MIN_DIGITS <= len(value) <= MAX_DIGITS:
        raise InvalidKey(f"A GS1 company prefix has {MIN_DIGITS} to {MAX_DIGITS} digits, not {len(value)}",
                         f"Tiền tố mã doanh nghiệp GS1 có từ {MIN_DIGITS} đến {MAX_DIGITS} chữ số "
                         f"(gồm mã quốc gia, ví dụ 893 của Việt Nam), không phải {len(value)}.", value)
    return value


def key_digits(key: Key) -> str | None:
    """The digits of a parsed key that start with its company prefix (None: no GS1 number)."""
    if key.gtin:
        return key.gtin[1:13]
    if key.sscc:
        return key.sscc[1:17]
    if key.gln:
        return key.gln[:12]
    return None


def number_digits(number: str) -> str:
    """The same for a bare number: a GTIN (8, 12, 13 or 14 digits), a GLN (13) or an SSCC (18)."""
    if len(number) == 18:
        return number[1:17]
    return number.zfill(14)[1:13]  # a GLN-13 or GTIN-13: its first 12 digits


def candidates(digits: str) -> list[str]:
    """Every prefix these digits could fall under, longest first."""
    return [digits[:n] for n in range(min(MAX_DIGITS, len(digits)), MIN_DIGITS - 1, -1)]


def longest(holders: dict, digits: str | None):
    """(prefix, holder) of the longest prefix in `holders` (prefix → anything) that `digits` starts
    with, else (None, None)."""
    if digits:
        for prefix in candidates(digits):
            if prefix in holders:
                return prefix, holders[prefix]
    return None, None
