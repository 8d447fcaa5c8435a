"""Every GS1 key URI (EPC URN of any Tag Data Standard scheme, or a Digital Link on any host) as
the constrained canonical GS1 Digital Link the Event Hash ID uses: on id.gs1.org, AIs rather than
short names, GTIN-14, no query string or CPV, only the finest level (the serial, not the lot)."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from nscl.traceability.keys import with_check_digit

_DL_ESCAPES = {"!": "%21", "(": "%28", ")": "%29", "*": "%2A", "+": "%2B", ",": "%2C", ":": "%3A"}
_X = r"(?:%[0-9A-Fa-f]{2}|[!'()*+,.0-9:;=A-Za-z_-])"  # one character of an EPC URN component


def _dl_escape(component: str) -> str:
    return "".join(_DL_ESCAPES.get(ch, ch) for ch in component)


def _split(cp: str, ref: str) -> str:
    """Indicator/extension digit first, then the company prefix and the rest of the reference."""
    return ref[:1] + cp + ref[1:]


def _urn_to_dl(uri: str) -> str | None:
    """The canonical Digital Link of an EPC URN (pure identity, LGTIN class or ID pattern)."""
    base = "https://id.gs1.org"
    m = re.match(r"^urn:epc:(id|class|idpat):([a-z]+):(\d{6,12})\.(.*)$", uri)
    if not m:
        return None
    form, scheme, cp, rest = m.groups()
    n = len(cp)

    def parts(pattern: str):
        return re.fullmatch(pattern, rest)

    if (form, scheme) in (("id", "sgtin"), ("id", "upui"), ("class", "lgtin")):
        limit = 28 if scheme == "upui" else 20
        p = parts(rf"(\d{{{13 - n}}})\.({_X}{{1,{limit}}})")
        if p:
            ai = {"sgtin": "21", "upui": "235", "lgtin": "10"}[scheme]
            return f"{base}/01/{with_check_digit(_split(cp, p[1]))}/{ai}/{_dl_escape(p[2])}"
    elif (form, scheme) in (("idpat", "sgtin"), ("idpat", "upui")):
        p = parts(rf"(\d{{{13 - n}}})\.\*")
        if p:
            return f"{base}/01/{with_check_digit(_split(cp, p[1]))}"
    elif (form, scheme) == ("id", "sscc"):
        p = parts(rf"(\d{{{17 - n}}})")
        if p:
            return f"{base}/00/{with_check_digit(_split(cp, p[1]))}"
    elif (form, scheme) == ("id", "sgln"):
        p = parts(rf"(\d{{{12 - n}}})\.({_X}{{1,20}})")
        if p:
            gln = with_check_digit(cp + p[1])
            return f"{base}/414/{gln}" + ("" if p[2] == "0" else f"/254/{_dl_escape(p[2])}")
    elif (form, scheme) == ("id", "pgln"):
        p = parts(rf"(\d{{{12 - n}}})")
        if p:
            return f"{base}/417/{with_check_digit(cp + p[1])}"
    elif scheme in ("grai", "gdti", "sgcn"):
        ai, lead = {"grai": ("8003", "0"), "gdti": ("253", ""), "sgcn": ("255", "")}[scheme]
        serial = {"grai": f"{_X}{{1,16}}", "gdti": f"{_X}{{1,17}}", "sgcn": r"\d{1,12}"}[scheme]
        p = parts(rf"(\d{{{12 - n}}})\.(\*|{serial})")
        if p and (p[2] == "*") == (form == "idpat") and form != "class":
            key = with_check_digit(lead + cp + p[1])
            return f"{base}/{ai}/{key}" + ("" if p[2] == "*" else _dl_escape(p[2]))
    elif form == "id" and scheme in ("giai", "ginc"):
        p = parts(rf"({_X}{{1,{30 - n}}})")
        if p:
            return f"{base}/{'8004' if scheme == 'giai' else '401'}/{cp}{_dl_escape(p[1])}"
    elif form == "id" and scheme in ("gsrn", "gsrnp", "gsin"):
        total = 16 if scheme == "gsin" else 17
        p = parts(rf"(\d{{{total - n}}})")
        if p:
            ai = {"gsrn": "8018", "gsrnp": "8017", "gsin": "402"}[scheme]
            return f"{base}/{ai}/{with_check_digit(cp + p[1])}"
    elif scheme == "cpi" and form in ("id", "idpat"):
        p = parts(r"((?:%2[3dfDF]|%3[0-9]|%4[1-9A-Fa-f]|%5[0-9Aa]|[0-9A-Z-])+)\.(\*|\d{1,12})")
        if p and (p[2] == "*") == (form == "idpat"):
            return f"{base}/8010/{_dl_escape(cp + p[1])}" + ("" if p[2] == "*" else f"/8011/{p[2]}")
    elif scheme == "itip" and form in ("id", "idpat"):
        p = parts(rf"(\d{{{13 - n}}})\.(\d\d)\.(\d\d)\.(\*|{_X}{{1,20}})")
        if p and (p[4] == "*") == (form == "idpat"):
            head = f"{base}/8006/{with_check_digit(_split(cp, p[1]))}{p[2]}{p[3]}"
            return head + ("" if p[4] == "*" else f"/21/{_dl_escape(p[4])}")
    return None


_DL_AIS = {"01", "8006", "8010", "414", "417", "8017", "8018", "255", "00", "253", "401", "402",
           "8003", "8004"}
_DL_SHORT = {"gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417",
             "gsrnp": "8017", "gsrn": "8018", "gcn": "255", "sscc": "00", "gdti": "253",
             "ginc": "401", "gsin": "402", "grai": "8003", "giai": "8004", "cpv": "22", "lot": "10",
             "ser": "21"}
_C = r"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]"
_VALID_DL = [re.compile(p) for p in (
    r"00/\d{18}", rf"01/\d{{14}}(/21/{_C}{{0,20}}|/10/{_C}{{0,20}}|/235/{_C}{{0,28}})?",
    rf"253/\d{{13}}{_C}{{0,17}}", r"255/\d{13}\d{0,12}", rf"401/{_C}{{0,30}}", r"402/\d{17}",
    rf"414/\d{{13}}(/254/{_C}{{0,20}})?", r"417/\d{13}", rf"8003/\d{{14}}{_C}{{0,16}}",
    rf"8004/{_C}{{0,30}}", rf"8006/\d{{18}}(/21/{_C}{{0,20}}|/10/{_C}{{0,20}})?",
    r"8010/[\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30}(/8011/\d{0,12})?", r"8017/\d{18}", r"8018/\d{18}")]


def _dl_to_canonical(uri: str) -> str | None:
    """A Digital Link on any host rewritten to id.gs1.org, AIs for short names, GTIN padded to 14,
    no query string or CPV, and only the finest level (serial rather than lot)."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https"):
        return None
    segments = parts.path.split("/")
    start = next((i for i, s in enumerate(segments[:-1])
                  if _DL_SHORT.get(s, s) in _DL_AIS and re.match(r"\d{4}", segments[i + 1])
                  and len(segments[i + 1]) >= 5), None)
    if start is None:
        return None
    path = [_DL_SHORT.get(s, s) if i % 2 == 0 else s
            for i, s in enumerate(segments[start:]) if not (s == "" and i == len(segments) - start - 1)]
    if path[0] == "01" and len(path[1]) in (8, 12, 13):
        path[1] = path[1].zfill(14)
    pairs = list(zip(path[2::2], path[3::2]))
    if path[0] in ("01", "8006"):
        pairs = [(ai, v) for ai, v in pairs if ai != "22"]
        if {"10", "21"} <= {ai for ai, _ in pairs}:
            pairs = [(ai, v) for ai, v in pairs if ai != "10"]
    canonical = "/".join(path[:2] + [x for pair in pairs for x in pair])
    if any(p.fullmatch(canonical) for p in _VALID_DL):
        return "https://id.gs1.org/" + canonical
    return None


def canonical_digital_link(text: str) -> str | None:
    """The constrained canonical Digital Link of any GS1 key URI, or None if ``text`` is none.
    Identifiers are remembered (a capture hashes each one after validation has read it); other
    text (descriptions, extensions, up to a whole document's worth) is never kept."""
    if len(text) <= 1024 and text.startswith(("urn:epc:", "http://", "https://")):
        return _canonical_remembered(text)
    return _canonical(text)


@lru_cache(maxsize=65536)
def _canonical_remembered(text: str) -> str | None:
    return _canonical(text)


def _canonical(text: str) -> str | None:
    if text.startswith("urn:epc:"):
        return _urn_to_dl(text)
    if text.startswith(("http://", "https://")):
        return _dl_to_canonical(text)
    return None
