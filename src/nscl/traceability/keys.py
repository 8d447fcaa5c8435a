"""GS1 keys (GTIN, GLN, SSCC, SGTIN, LGTIN, SGLN, party GLN): parse, check, and convert between
EPC URNs (GS1 Tag Data Standard) and GS1 Digital Link URIs.

An EPC URN splits a GS1 key at the company prefix (``urn:epc:id:sgtin:0614141.107346.2017``); a
Digital Link carries the whole key with its check digit (``https://id.gs1.org/01/00614141073467/21/2017``).
GS1 gives no way to derive the company prefix length from the number alone (it depends on what the
GS1 Member Organisation allocated), so Digital Link → EPC URN takes it as a parameter and uses
``DEFAULT_COMPANY_PREFIX_LENGTH`` (7) when the caller does not know it.

``normalise`` is the storage and match key. It always re-splits at 7 digits, whatever split the
input URN used, so that the same object captured as a URN by one partner and as a Digital Link by
another gets one key (a URN's own split is kept by ``parse(...).epc_urn``, not by ``normalise``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from urllib.parse import quote, unquote, urlsplit

from biip.gs1_application_identifiers import GS1ApplicationIdentifier
from stdnum import ean

DEFAULT_COMPANY_PREFIX_LENGTH = 7
DIGITAL_LINK_BASE = "https://id.gs1.org"
KINDS = ("sgtin", "lgtin", "gtin", "sscc", "sgln", "gln", "pgln")

# GS1 Digital Link short names (DL 1.0) for the keys we read, mapped to their AIs.
_SHORT_NAMES = {"gtin": "01", "sscc": "00", "gln": "414", "party": "417", "lot": "10", "ser": "21",
                "cpv": "22"}
_PRIMARY_AIS = {"01": 14, "00": 18, "414": 13, "417": 13}
# Characters the Tag Data Standard requires to be %-escaped inside an EPC URN component.
_URN_ESCAPES = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}


class InvalidKey(ValueError):
    """An identifier that is not a valid GS1 key; ``message_vi`` is the Vietnamese message."""

    def __init__(self, message: str, message_vi: str | None = None, identifier: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_vi = message_vi or message
        self.identifier = identifier


@dataclass(frozen=True)
class Key:
    """One parsed GS1 key. ``kind`` is one of KINDS: 'sgtin' (GTIN + serial), 'lgtin' (GTIN + lot),
    'gtin' (the product class, urn:epc:idpat:sgtin:...*), 'sscc', 'sgln' (GLN + extension), 'gln'
    (a location GLN without extension) or 'pgln' (a party GLN). Numbers are full GS1 keys with their
    check digit (GTIN-14, GLN-13, SSCC-18); serial, lot and extension are raw (not %-encoded)."""

    kind: str
    gtin: str | None = None
    serial: str | None = None
    lot: str | None = None
    gln: str | None = None
    extension: str | None = None
    sscc: str | None = None
    company_prefix_length: int = DEFAULT_COMPANY_PREFIX_LENGTH

    @property
    def epc_urn(self) -> str:
        """The EPC URN (urn:epc:id:..., urn:epc:class:lgtin:..., urn:epc:idpat:sgtin:...*)."""
        cp = self.company_prefix_length
        if self.kind in ("sgtin", "lgtin", "gtin"):
            g = self.gtin
            head = f"{g[1:1 + cp]}.{g[0]}{g[1 + cp:13]}"
            if self.kind == "sgtin":
                return f"urn:epc:id:sgtin:{head}.{_urn_escape(self.serial)}"
            if self.kind == "lgtin":
                return f"urn:epc:class:lgtin:{head}.{_urn_escape(self.lot)}"
            return f"urn:epc:idpat:sgtin:{head}.*"
        if self.kind == "sscc":
            s = self.sscc
            return f"urn:epc:id:sscc:{s[1:1 + cp]}.{s[0]}{s[1 + cp:17]}"
        g = self.gln
        head = f"{g[:cp]}.{g[cp:12]}"
        if self.kind == "pgln":
            return f"urn:epc:id:pgln:{head}"
        return f"urn:epc:id:sgln:{head}.{_urn_escape(self.extension or '0')}"

    def digital_link(self, base: str = DIGITAL_LINK_BASE) -> str:
        """The GS1 Digital Link URI on ``base`` (a trailing slash is dropped)."""
        base = base.rstrip("/")
        if self.kind in ("sgtin", "lgtin", "gtin"):
            uri = f"{base}/01/{self.gtin}"
            if self.lot is not None:
                uri += f"/10/{_dl_escape(self.lot)}"
            if self.serial is not None:
                uri += f"/21/{_dl_escape(self.serial)}"
            return uri
        if self.kind == "sscc":
            return f"{base}/00/{self.sscc}"
        if self.kind == "pgln":
            return f"{base}/417/{self.gln}"
        uri = f"{base}/414/{self.gln}"
        if self.extension is not None:
            uri += f"/254/{_dl_escape(self.extension)}"
        return uri

    def with_company_prefix_length(self, length: int) -> Key:
        """The same key split at another company prefix length (6 to 12 digits)."""
        _check_prefix_length(length)
        return replace(self, company_prefix_length=length)


def _fail(message: str, message_vi: str, identifier: str | None = None):
    raise InvalidKey(message, message_vi, identifier)


def _check_prefix_length(length: int) -> None:
    if not isinstance(length, int) or not 6 <= length <= 12:
        _fail(f"GS1 company prefix length must be 6 to 12 digits, not {length!r}",
              f"Độ dài mã doanh nghiệp GS1 phải từ 6 đến 12 chữ số, không phải {length!r}")


def _urn_escape(raw: str) -> str:
    return "".join(_URN_ESCAPES.get(ch, ch) for ch in raw)


def _dl_escape(raw: str) -> str:
    return quote(raw, safe="")


@cache
def _ai_pattern(ai: str) -> re.Pattern:
    return re.compile(GS1ApplicationIdentifier.extract(ai).pattern)


def _check_value(ai: str, raw: str, label: str, label_vi: str, identifier: str) -> str:
    """Check a serial, lot or GLN extension against its GS1 application identifier's pattern."""
    if not _ai_pattern(ai).match(ai + raw):
        _fail(f"Invalid {label} {raw!r} in {identifier}: 1 to 20 characters of the GS1 set "
              f"(letters, digits and !\"%&'()*+,-./:;<=>?_) expected",
              f"{label_vi} {raw!r} trong {identifier} không hợp lệ: phải gồm 1 đến 20 ký tự thuộc "
              f"bộ ký tự GS1 (chữ, số và !\"%&'()*+,-./:;<=>?_)", identifier)
    return raw


def _check_digits(name: str, digits: str, lengths: tuple[int, ...]) -> str:
    """Validate length and GS1 mod-10 check digit (python-stdnum's EAN algorithm)."""
    if not digits.isdigit() or not digits.isascii():
        _fail(f"{name} must contain only digits: {digits!r}",
              f"{name} chỉ được gồm chữ số: {digits!r}", digits)
    if len(digits) not in lengths:
        want = ", ".join(str(n) for n in lengths[:-1]) + (" or " if len(lengths) > 1 else "") + str(lengths[-1])
        want_vi = want.replace(" or ", " hoặc ")
        _fail(f"{name} must have {want} digits, not {len(digits)}: {digits}",
              f"{name} phải có {want_vi} chữ số, không phải {len(digits)}: {digits}", digits)
    expected = ean.calc_check_digit(digits[:-1])
    if digits[-1] != expected:
        _fail(f"Wrong check digit in {name} {digits}: the last digit should be {expected}",
              f"Sai số kiểm tra của {name} {digits}: chữ số cuối phải là {expected}", digits)
    return digits


def validate_gtin(s: str) -> str:
    """Return the GTIN as 14 digits (GTIN-8/12/13/14 accepted) or raise InvalidKey."""
    return _check_digits("GTIN", str(s).strip(), (8, 12, 13, 14)).zfill(14)


def validate_gln(s: str) -> str:
    """Return the 13-digit GLN or raise InvalidKey."""
    return _check_digits("GLN", str(s).strip(), (13,))


def validate_sscc(s: str) -> str:
    """Return the 18-digit SSCC or raise InvalidKey."""
    return _check_digits("SSCC", str(s).strip(), (18,))


@lru_cache(maxsize=65536)
def with_check_digit(digits: str) -> str:
    """Append the GS1 mod-10 check digit (the EPC URN carries keys without it). Cached: the same
    GTIN, SSCC prefix or GLN recurs across thousands of serials."""
    return digits + ean.calc_check_digit(digits)


# --- EPC URNs ---------------------------------------------------------------------------------

_URN_RE = re.compile(r"^urn:epc:(id|class|idpat):([a-z]+):(.*)$", re.IGNORECASE)


def _unescape_urn(component: str, identifier: str) -> str:
    if re.search(r"%(?![0-9A-Fa-f]{2})", component):
        _fail(f"Malformed %-escape in {identifier}", f"Mã thoát % sai trong {identifier}", identifier)
    return unquote(component)


def _split_parts(rest: str, n: int, identifier: str) -> list[str]:
    parts = rest.split(".", n - 1)
    if len(parts) != n:
        _fail(f"{identifier} should have {n} parts separated by '.'",
              f"{identifier} phải có {n} phần ngăn cách bởi dấu '.'", identifier)
    return parts


def _prefix_and_ref(cp: str, ref: str, total: int, identifier: str) -> None:
    if not (cp.isdigit() and (ref.isdigit() or ref == "")) or not 6 <= len(cp) <= 12 \
            or len(cp) + len(ref) != total:
        _fail(f"Bad company prefix / reference in {identifier}: digits totalling {total} expected "
              f"(company prefix of 6 to 12 digits)",
              f"Mã doanh nghiệp / mã tham chiếu trong {identifier} sai: phải là {total} chữ số "
              f"(mã doanh nghiệp dài 6 đến 12 chữ số)", identifier)


def _parse_urn(identifier: str, m: re.Match, split: int | None) -> Key:
    """``split``: the company prefix length of the returned key (None: the URN's own)."""
    form, scheme, rest = m.group(1).lower(), m.group(2).lower(), m.group(3)
    if (form, scheme) in (("id", "sgtin"), ("class", "lgtin"), ("idpat", "sgtin")):
        cp, ref, last = _split_parts(rest, 3, identifier)
        _prefix_and_ref(cp, ref, 13, identifier)
        gtin = with_check_digit(ref[0] + cp + ref[1:])
        if form == "idpat":
            if last != "*":
                _fail(f"Only the pattern '*' over serials is supported: {identifier}",
                      f"Chỉ hỗ trợ mẫu '*' cho số sê-ri: {identifier}", identifier)
            return Key("gtin", gtin=gtin, company_prefix_length=split or len(cp))
        raw = _unescape_urn(last, identifier)
        if form == "id":
            _check_value("21", raw, "serial", "Số sê-ri", identifier)
            return Key("sgtin", gtin=gtin, serial=raw, company_prefix_length=split or len(cp))
        _check_value("10", raw, "lot", "Số lô", identifier)
        return Key("lgtin", gtin=gtin, lot=raw, company_prefix_length=split or len(cp))
    if (form, scheme) == ("id", "sscc"):
        cp, ref = _split_parts(rest, 2, identifier)
        _prefix_and_ref(cp, ref, 17, identifier)
        return Key("sscc", sscc=with_check_digit(ref[0] + cp + ref[1:]), company_prefix_length=split or len(cp))
    if (form, scheme) == ("id", "sgln"):
        cp, ref, ext = _split_parts(rest, 3, identifier)
        _prefix_and_ref(cp, ref, 12, identifier)
        gln = with_check_digit(cp + ref)
        raw = _unescape_urn(ext, identifier)
        if raw == "0":
            return Key("gln", gln=gln, company_prefix_length=split or len(cp))
        _check_value("254", raw, "GLN extension", "Phần mở rộng GLN", identifier)
        return Key("sgln", gln=gln, extension=raw, company_prefix_length=split or len(cp))
    if (form, scheme) == ("id", "pgln"):
        cp, ref = _split_parts(rest, 2, identifier)
        _prefix_and_ref(cp, ref, 12, identifier)
        return Key("pgln", gln=with_check_digit(cp + ref), company_prefix_length=split or len(cp))
    _fail(f"Unsupported EPC scheme {form}:{scheme} in {identifier} (supported: sgtin, lgtin, "
          f"idpat sgtin, sscc, sgln, pgln)",
          f"Không hỗ trợ loại EPC {form}:{scheme} trong {identifier} (hỗ trợ: sgtin, lgtin, "
          f"idpat sgtin, sscc, sgln, pgln)", identifier)


# --- GS1 Digital Link -------------------------------------------------------------------------


def _dl_path(identifier: str) -> list[str] | None:
    """The path segments from the primary key on, or None if this is not a GS1 Digital Link."""
    try:
        parts = urlsplit(identifier)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    segments = [s for s in parts.path.split("/") if s != ""]
    for i, seg in enumerate(segments[:-1]):
        ai = _SHORT_NAMES.get(seg, seg)
        if ai in _PRIMARY_AIS and segments[i + 1].isdigit():
            return [ai] + segments[i + 1:]
    return None


def _parse_dl(identifier: str, segments: list[str], cp_length: int) -> Key:
    ai, value, rest = segments[0], segments[1], segments[2:]
    if len(rest) % 2:
        _fail(f"Digital Link path must alternate AI/value pairs: {identifier}",
              f"Đường dẫn Digital Link phải gồm các cặp AI/giá trị: {identifier}", identifier)
    qualifiers: dict[str, str] = {}
    for q_ai, q_value in zip(rest[::2], rest[1::2]):
        qualifiers[_SHORT_NAMES.get(q_ai, q_ai)] = unquote(q_value)
    allowed = {"01": {"22", "10", "21"}, "414": {"254"}, "00": set(), "417": set()}[ai]
    unknown = set(qualifiers) - allowed
    if unknown:
        _fail(f"Unsupported key qualifier {sorted(unknown)[0]} after AI {ai} in {identifier}",
              f"Không hỗ trợ thuộc tính {sorted(unknown)[0]} sau AI {ai} trong {identifier}",
              identifier)
    if ai == "01":
        gtin = validate_gtin(value)
        lot = qualifiers.get("10")
        serial = qualifiers.get("21")
        if lot is not None:
            _check_value("10", lot, "lot", "Số lô", identifier)
        if serial is not None:
            _check_value("21", serial, "serial", "Số sê-ri", identifier)
        kind = "sgtin" if serial is not None else "lgtin" if lot is not None else "gtin"
        return Key(kind, gtin=gtin, serial=serial, lot=lot, company_prefix_length=cp_length)
    if ai == "00":
        return Key("sscc", sscc=validate_sscc(value), company_prefix_length=cp_length)
    gln = validate_gln(value)
    if ai == "417":
        return Key("pgln", gln=gln, company_prefix_length=cp_length)
    ext = qualifiers.get("254")
    if ext is None or ext == "0":
        return Key("gln", gln=gln, company_prefix_length=cp_length)
    _check_value("254", ext, "GLN extension", "Phần mở rộng GLN", identifier)
    return Key("sgln", gln=gln, extension=ext, company_prefix_length=cp_length)


def is_gs1_identifier(identifier: str) -> bool:
    """True for an EPC URN or an http(s) URI shaped like a GS1 Digital Link (it may still be
    invalid: parse() says why)."""
    s = str(identifier).strip()
    return bool(_URN_RE.match(s)) or _dl_path(s) is not None


def parse(identifier: str, company_prefix_length: int | None = None) -> Key:
    """Parse an EPC URN or a GS1 Digital Link URI (any host, short names such as /gtin/ accepted,
    query string ignored); raise InvalidKey on bad check digits, lengths or unknown forms.

    ``company_prefix_length`` sets where the EPC URN splits the key; for a URN input it defaults to
    the URN's own split, for a Digital Link to DEFAULT_COMPANY_PREFIX_LENGTH (7)."""
    if isinstance(identifier, str) and len(identifier) <= 1000:
        return _parse_remembered(identifier, company_prefix_length)
    return _parse(identifier, company_prefix_length)


@lru_cache(maxsize=65536)
def _parse_remembered(identifier: str, company_prefix_length: int | None) -> Key:
    """A capture reads each identifier four times (schema checks, hash, index, ownership): parsed
    once. A Key is immutable; an InvalidKey is raised again each time (never remembered)."""
    return _parse(identifier, company_prefix_length)


def _parse(identifier: str, company_prefix_length: int | None = None) -> Key:
    if company_prefix_length is not None:
        _check_prefix_length(company_prefix_length)
    if not isinstance(identifier, str) or not identifier.strip():
        _fail("Empty identifier", "Mã định danh trống", str(identifier))
    s = identifier.strip()
    m = _URN_RE.match(s)
    if m:
        return _parse_urn(s, m, company_prefix_length)
    segments = _dl_path(s)
    if segments is not None:
        return _parse_dl(s, segments, company_prefix_length or DEFAULT_COMPANY_PREFIX_LENGTH)
    if s.lower().startswith("urn:epc:"):
        _fail(f"Malformed EPC URN: {s}", f"EPC URN sai dạng: {s}", s)
    _fail(f"Not an EPC URN or GS1 Digital Link URI: {s}",
          f"Không phải EPC URN hay GS1 Digital Link: {s}", s)


def to_epc_urn(uri: str, company_prefix_length: int | None = None) -> str:
    """The EPC URN for an EPC URN or GS1 Digital Link URI (see parse for the prefix length)."""
    return parse(uri, company_prefix_length).epc_urn


def to_digital_link(urn: str, base: str = DIGITAL_LINK_BASE) -> str:
    """The GS1 Digital Link URI for an EPC URN or Digital Link."""
    return parse(urn).digital_link(base)


_SUPPORTED_URN = {("id", "sgtin"), ("class", "lgtin"), ("idpat", "sgtin"), ("id", "sscc"),
                  ("id", "sgln"), ("id", "pgln")}


def is_supported_urn(identifier: str) -> bool:
    """True for an EPC URN of a scheme this module models (SGTIN, LGTIN, GTIN pattern, SSCC, SGLN,
    PGLN); other EPC schemes (GRAI, GIAI...) are kept as written."""
    m = _URN_RE.match(str(identifier).strip())
    return bool(m) and (m.group(1).lower(), m.group(2).lower()) in _SUPPORTED_URN


def normalise(identifier: str) -> str:
    """The canonical storage/match key: the EPC URN, split at DEFAULT_COMPANY_PREFIX_LENGTH, for EPC
    URNs and GS1 Digital Links of the supported keys; any other URI unchanged except for surrounding
    whitespace (EPCIS allows any URI as an EPC; other EPC schemes such as GRAI are kept as written).
    Raises InvalidKey for a malformed or wrongly check-digited supported GS1 identifier."""
    s = str(identifier).strip()
    m = _URN_RE.match(s)
    if m and (m.group(1).lower(), m.group(2).lower()) not in _SUPPORTED_URN:
        return s
    if m or _dl_path(s) is not None:
        return parse(s, DEFAULT_COMPANY_PREFIX_LENGTH).epc_urn
    return s
