"""What a repository can store of an EPCIS document, checked before anything is written: JSON itself
allows values that no database column, JSON store or Python datetime can hold, and once stored
they break every later read (a year-10000 eventTime makes each query touching it fail).

- times (eventTime, recordTime, errorDeclaration.declarationTime, sensor times) that Python can
  hold both as written and in UTC, within a sane range of years (EARLIEST_YEAR..LATEST_YEAR);
- numbers: finite (no NaN, Infinity, nor 1e400 which JSON reads as infinity) and at most
  MAX_NUMBER_CHARS characters as written (a 5,001-digit integer is past Python's int limit);
- text, names included: valid Unicode (no lone surrogate such as "\\ud800", which UTF-8 cannot
  encode) and no NUL character (PostgreSQL refuses it in text and jsonb);
- identifiers (eventID, EPCs, classes, locations, CBV values, business transactions, sources,
  destinations): at most MAX_IDENTIFIER_CHARS characters and MAX_IDENTIFIER_BYTES UTF-8 bytes (what
  the indexed columns hold).

Pure: no Django. `parse_json_hooks()` gives json.loads the number hooks that keep an over-long number
as a marker instead of failing without a position; `problems(node)` walks a parsed document or event
and yields (path parts, English, Vietnamese) for each value it cannot store."""
from __future__ import annotations

import datetime
import math
import re

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
MAX_NUMBER_CHARS = 100
MAX_IDENTIFIER_CHARS = 1024
MAX_IDENTIFIER_BYTES = 2048  # a btree index entry holds about 2,700 bytes on PostgreSQL

_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_INT_BITS = int(MAX_NUMBER_CHARS * math.log2(10)) + 1  # an int of about MAX_NUMBER_CHARS digits
_UTC = datetime.timezone.utc

# identifier fields of an event: (field, item key) — item key None for a string or a list of strings
_IDENTIFIERS = (
    ("eventID", None), ("parentID", None), ("transformationID", None), ("bizStep", None),
    ("disposition", None), ("epcList", None), ("childEPCs", None), ("inputEPCList", None),
    ("outputEPCList", None), ("readPoint", "id"), ("bizLocation", "id"),
    ("quantityList", "epcClass"), ("childQuantityList", "epcClass"), ("inputQuantityList", "epcClass"),
    ("outputQuantityList", "epcClass"), ("bizTransactionList", "type"), ("bizTransactionList", "bizTransaction"),
    ("sourceList", "type"), ("sourceList", "source"), ("destinationList", "type"),
    ("destinationList", "destination"),
)


class OverlongNumber(float):
    """A number written with more than MAX_NUMBER_CHARS characters, kept as NaN with its length so the
    document can still be parsed and the problem reported at its path."""

    chars: int = 0


def _overlong(text: str) -> OverlongNumber:
    marker = OverlongNumber("nan")
    marker.chars = len(text)
    return marker


def _parse_int(text: str):
    return _overlong(text) if len(text) > MAX_NUMBER_CHARS else int(text)


def _parse_float(text: str):
    return _overlong(text) if len(text) > MAX_NUMBER_CHARS else float(text)


def parse_json_hooks() -> dict:
    """Keyword arguments for json.loads: over-long numbers become OverlongNumber markers."""
    return {"parse_int": _parse_int, "parse_float": _parse_float}


class TimeOutOfRange(ValueError):
    """A date-time the repository cannot store; ``message_vi`` says why in Vietnamese."""

    def __init__(self, message: str, message_vi: str):
        super().__init__(message)
        self.message, self.message_vi = message, message_vi


def parse_time(text: str, earliest: int = EARLIEST_YEAR, latest: int = LATEST_YEAR) -> datetime.datetime | None:
    """An RFC 3339 date-time as an aware datetime; None when the text is not one (the schema's format
    check reports that); TimeOutOfRange when Python cannot hold it in UTC or its year, as written or
    in UTC, is outside earliest..latest."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    try:
        value = datetime.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    bounds = f"{earliest}–{latest}"
    try:
        utc = value.astimezone(_UTC)
    except OverflowError:
        utc = None
    if utc is None or not (earliest <= value.year <= latest and earliest <= utc.year <= latest):
        raise TimeOutOfRange(f"Date-time {text} is outside the years {bounds} the repository stores",
                             f"Thời điểm {text} nằm ngoài khoảng năm {bounds} mà hệ thống lưu được")
    return value


def _times(event: dict):
    """(path parts, value) of each date-time of an event that is stored."""
    for name in ("eventTime", "recordTime"):
        yield [name], event.get(name)
    declaration = event.get("errorDeclaration")
    if isinstance(declaration, dict):
        yield ["errorDeclaration", "declarationTime"], declaration.get("declarationTime")
    sensors = event.get("sensorElementList")
    for i, sensor in enumerate(sensors if isinstance(sensors, list) else []):
        if not isinstance(sensor, dict):
            continue
        meta = sensor.get("sensorMetadata")
        if isinstance(meta, dict):
            for name in ("time", "startTime", "endTime"):
                yield ["sensorElementList", i, "sensorMetadata", name], meta.get(name)
        reports = sensor.get("sensorReport")
        for j, report in enumerate(reports if isinstance(reports, list) else []):
            if isinstance(report, dict):
                yield ["sensorElementList", i, "sensorReport", j, "time"], report.get("time")


def _identifiers(event: dict):
    """(path parts, value) of each identifier string of an event."""
    for name, item in _IDENTIFIERS:
        value = event.get(name)
        if item is None:
            if isinstance(value, list):
                yield from (([name, i], v) for i, v in enumerate(value))
            else:
                yield [name], value
        elif isinstance(value, dict):
            yield [name, item], value.get(item)
        elif isinstance(value, list):
            yield from (([name, i, item], v.get(item)) for i, v in enumerate(value) if isinstance(v, dict))


def _text_problem(text: str) -> tuple[str, str] | None:
    if "\x00" in text:
        return ("Text contains a NUL character (\\u0000), which cannot be stored",
                "Văn bản chứa ký tự NUL (\\u0000), không lưu được")
    if not text.isascii() and _SURROGATE.search(text):
        return ("Text contains a lone surrogate (e.g. \\ud800), which is not valid Unicode",
                "Văn bản chứa nửa cặp thay thế (ví dụ \\ud800), không phải ký tự Unicode hợp lệ")
    return None


def _number_problem(value) -> tuple[str, str] | None:
    if isinstance(value, OverlongNumber):
        return (f"A number of {value.chars} characters is longer than the {MAX_NUMBER_CHARS} allowed",
                f"Số dài {value.chars} ký tự, vượt giới hạn {MAX_NUMBER_CHARS} ký tự")
    if isinstance(value, float) and not math.isfinite(value):
        return ("NaN and Infinity are not numbers JSON allows (nor is a number too large for a double)",
                "NaN, Infinity (hoặc số quá lớn cho kiểu số thực) không phải số hợp lệ trong JSON")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _MAX_INT_BITS:
        return (f"An integer longer than {MAX_NUMBER_CHARS} digits", f"Số nguyên dài hơn {MAX_NUMBER_CHARS} chữ số")
    return None


def _vi(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def visible(text, limit: int = 200) -> str:
    """Text safe to echo in an answer: NUL and lone surrogates written as escapes, cut at ``limit``
    characters (a 10,000-character eventID is not repeated back in full)."""
    if not isinstance(text, str):
        return text
    shown = text if len(text) <= limit else text[:limit] + "…"
    if shown.isascii() and "\x00" not in shown:
        return shown
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", shown).replace("\x00", "\\u0000")


def values(node, parts=()):
    """Every problem of text and numbers anywhere under ``node`` (names included), iteratively (a
    deeply nested document does not exhaust the stack): (path parts, English, Vietnamese)."""
    stack = [(list(parts), node)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                found = _text_problem(key) if isinstance(key, str) else None
                if found:
                    yield [*path, key], *found
                stack.append(([*path, key], item))
        elif isinstance(value, list):
            stack.extend(([*path, i], item) for i, item in enumerate(value))
        elif isinstance(value, str):
            found = _text_problem(value)
            if found:
                yield path, *found
        elif isinstance(value, (int, float)):
            found = _number_problem(value)
            if found:
                yield path, *found


def event_problems(event: dict, earliest: int = EARLIEST_YEAR, latest: int = LATEST_YEAR):
    """Every value of one event the repository cannot store: (path parts within the event, English,
    Vietnamese), text and numbers first, then identifiers and times."""
    found = list(values(event))
    bad_paths = {tuple(p) for p, _, _ in found}
    for parts, value in _identifiers(event):
        if isinstance(value, str) and (len(value) > MAX_IDENTIFIER_CHARS or
                                       len(value.encode("utf-8", "surrogatepass")) > MAX_IDENTIFIER_BYTES):
            found.append((parts, f"Identifier of {len(value):,} characters is longer than the "
                                 f"{MAX_IDENTIFIER_CHARS:,} allowed (or {MAX_IDENTIFIER_BYTES:,} bytes in UTF-8)",
                          f"Mã định danh dài {_vi(len(value))} ký tự, vượt giới hạn {_vi(MAX_IDENTIFIER_CHARS)} ký tự "
                          f"(hoặc {_vi(MAX_IDENTIFIER_BYTES)} byte UTF-8)"))
    for parts, value in _times(event):
        if tuple(parts) in bad_paths:
            continue
        try:
            parse_time(value, earliest, latest)
        except TimeOutOfRange as exc:
            found.append((parts, exc.message, exc.message_vi))
    return found
