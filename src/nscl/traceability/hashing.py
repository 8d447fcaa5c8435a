"""The canonical EPCIS Event Hash ID (``ni:///sha-256;<hex>?ver=CBV2.0``, CBV 2.0 §8.9), written to
give the same values as GS1's reference implementation (github.com/RalphTro/epcis-event-hash-generator)
on its test vectors.

The pre-hash string is ``eventType=<type>`` followed by the standard fields in a fixed order
(``_ORDER``), then everything else (business transactions, sources, destinations, ILMD, user
extensions) rendered generically and sorted. Each field is ``name=value``; a structure is its name
followed by its children; repeated elements are sorted. Values are canonicalised: timestamps to UTC
with milliseconds (the 4th decimal rounds), numbers without trailing zeros, CBV URNs and bare CBV
words to their web vocabulary URIs, and every GS1 key (EPC URN or any-host Digital Link) to its
constrained canonical Digital Link on id.gs1.org. Namespace prefixes of extension fields are expanded
to ``{namespace}local`` from the document's @context. Not hashed: eventID, recordTime,
errorDeclaration (declaring an error must not change the event's identity), comments, and the
fields a document names in its ``…:ignoreFields`` header.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from nscl.traceability import _vocab
from nscl.traceability.epcis import iter_events
from nscl.traceability.keys import with_check_digit

_QTY = [("epcClass", None), ("quantity", None), ("uom", None)]
_ORDER: list[tuple[str, list | None]] = [
    ("eventTime", None),
    ("eventTimeZoneOffset", None),
    ("certificationInfo", None),
    ("epcList", [("epc", None)]),
    ("parentID", None),
    ("inputEPCList", [("epc", None)]),
    ("childEPCs", [("epc", None)]),
    ("quantityList", [("quantityElement", _QTY)]),
    ("childQuantityList", [("quantityElement", _QTY)]),
    ("inputQuantityList", [("quantityElement", _QTY)]),
    ("outputEPCList", [("epc", None)]),
    ("outputQuantityList", [("quantityElement", _QTY)]),
    ("action", None),
    ("transformationID", None),
    ("bizStep", None),
    ("disposition", None),
    ("persistentDisposition", [("set", None), ("unset", None)]),
    ("readPoint", [("id", None)]),
    ("bizLocation", [("id", None)]),
    ("sensorElementList", [("sensorElement", [
        ("sensorMetadata", [(n, None) for n in (
            "time", "startTime", "endTime", "deviceID", "deviceMetadata", "rawData",
            "dataProcessingMethod", "bizRules")]),
        ("sensorReport", [(n, None) for n in (
            "type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod",
            "time", "microorganism", "chemicalSubstance", "value", "component", "stringValue",
            "booleanValue", "hexBinaryValue", "uriValue", "minValue", "maxValue", "meanValue", "sDev",
            "percRank", "percValue", "uom", "coordinateReferenceSystem")]),
    ])]),
]
_NOT_HASHED = {"type", "eventID", "recordTime", "errorDeclaration", "@context"}
_COMMENTS = {"comment", "rdfs:comment", "#text"}
_TIMESTAMPS = {"eventTime", "time", "startTime", "endTime", "declarationTime"}
# JSON list names whose elements XML names differently (the hash follows the XML model).
_ELEMENT_NAMES = {"inputEPCList": "epc", "outputEPCList": "epc", "epcList": "epc",
                  "quantityList": "quantityElement", "childQuantityList": "quantityElement",
                  "inputQuantityList": "quantityElement", "outputQuantityList": "quantityElement",
                  "childEPCs": "epc"}
_TYPED_LISTS = {"bizTransactionList": "bizTransaction", "sourceList": "source",
                "destinationList": "destination"}
_OLD_CBV = [("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"),
            ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
            ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
            ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
            ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-")]


class _Context:
    """What canonicalising one event needs from its document."""

    def __init__(self, context, ignore_fields: Iterable[str], event: dict):
        self.namespaces = _vocab.namespaces(context)
        self.ignored = {self.expand_key(f) for f in ignore_fields}
        self.expanded_values = _vocab.expanded_values(event)

    def expand_key(self, key: str) -> str:
        prefix, sep, local = key.partition(":")
        if sep and prefix in self.namespaces and not local.startswith("//"):
            return "{" + self.namespaces[prefix] + "}" + local
        return key

    def canon(self, text: str) -> str:
        text = self.expand_value(text)
        for old, new in _OLD_CBV:
            text = text.replace(old, new)
        text = _numeric(text)
        return canonical_digital_link(text) or text

    def expand_value(self, text: str) -> str:
        """Bare CBV words (``shipping``) and GS1 CURIEs (``cbv:Comp-x``) to their URIs."""
        matches = [v for v in self.expanded_values if v.endswith("-" + text) or v.endswith("/" + text)]
        if len(matches) == 1:
            return matches[0]
        prefix, sep, local = text.partition(":")
        ns = self.namespaces.get(prefix) if sep else None
        if ns and ns.startswith(("https://ref.gs1.org", "https://gs1.org")):
            return ns + local
        return text


def _numeric(text: str) -> str:
    """Numbers without trailing zeros or a leading '+' (as Python's float renders them)."""
    try:
        number = float(text)
        if number == int(number):
            return str(int(number))
        return str(number)
    except (ValueError, OverflowError):
        return text


def canonical_timestamp(text: str) -> str:
    """UTC with millisecond precision and 'Z'; the 3rd decimal rounds up when the 4th is 5-9."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$", text.strip(),
                 re.IGNORECASE)
    if not m:
        return text
    try:
        moment = datetime.fromisoformat(m.group(1))
    except ValueError:
        return text
    fraction = m.group(2) or ""
    millis = int((fraction + "000")[:3])
    if len(fraction) > 3 and fraction[3] in "56789":
        millis += 1
    moment += timedelta(milliseconds=millis)
    zone = (m.group(3) or "Z").upper()
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        hours, minutes = int(zone[1:3]), int(zone[-2:])
        moment -= sign * timedelta(hours=hours, minutes=minutes)
    return moment.replace(tzinfo=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{moment.microsecond // 1000:03d}Z"


# --- GS1 keys to the constrained canonical Digital Link ----------------------------------------

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
    """The constrained canonical Digital Link of any GS1 key URI, or None if ``text`` is none."""
    if text.startswith("urn:epc:"):
        return _urn_to_dl(text)
    if text.startswith(("http://", "https://")):
        return _dl_to_canonical(text)
    return None


# --- the pre-hash string ----------------------------------------------------------------------


def _scalar(value) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _children(obj: dict, ctx: _Context) -> list[tuple[str, object]]:
    """(expanded name, value) pairs of a JSON object, lists flattened to repeated names."""
    out: list[tuple[str, object]] = []
    for key, value in obj.items():
        if key in _COMMENTS or key.startswith("@"):
            continue
        name = ctx.expand_key(key)
        if name in ctx.ignored or name.endswith("}comment") and name.startswith("{http://www.w3.org"):
            continue
        if isinstance(value, list):
            if name.endswith("List") or name == "childEPCs":
                element = _ELEMENT_NAMES.get(name) or _TYPED_LISTS.get(name) or name[:-4]
                out.append((name, [(element, v) for v in value]))
            else:
                out.extend((name, v) for v in value)
        else:
            out.append((name, value))
    return out


def _render(name: str, value, order: list | None, ctx: _Context, ordered: bool) -> str:
    """``name=value`` for a scalar; the name followed by its children for a structure."""
    if isinstance(value, list):  # a list node: its elements are already named
        return name + "".join(sorted(_render_element(n, v, ctx) for n, v in value)) if value else ""
    if isinstance(value, dict):
        children = _children(value, ctx)
        body = _render_children(children, order or [], ctx)
        return name + body if body or not ordered else ""
    text = _scalar(value)
    if text is None or (text == "" and ordered):
        return ""
    if text == "":
        return name
    if ordered and name in _TIMESTAMPS:
        return f"{name}={canonical_timestamp(text)}"
    return f"{name}={ctx.canon(text)}"


def _render_element(name: str, value, ctx: _Context) -> str:
    if name in _TYPED_LISTS.values() and isinstance(value, dict):  # type first, then the ID
        typ = _scalar(value.get("type"))
        ident = _scalar(value.get(name))
        return (f"type={ctx.canon(typ)}" if typ else "") + (f"{name}={ctx.canon(ident)}" if ident else "")
    sub = _SUB_ORDERS.get(name)
    return _render(name, value, sub, ctx, ordered=True)


def _render_children(children: list[tuple[str, object]], order: list, ctx: _Context) -> str:
    """Ordered children first (each name's renderings sorted), then the rest sorted generically."""
    done: list[str] = []
    rest = list(children)
    for name, sub in order:
        values = [v for n, v in rest if n == name]
        rest = [(n, v) for n, v in rest if n != name]
        done.extend(sorted(r for r in (_render(name, v, sub, ctx, True) for v in values) if r))
    done.extend(sorted(_render(n, v, None, ctx, False) for n, v in rest))
    return "".join(done)


_SUB_ORDERS = {"quantityElement": _QTY,
               "sensorElement": dict(_ORDER)["sensorElementList"][0][1]}


def _ignore_fields(node) -> list[str]:
    """The fields a document's header names in ``…:ignoreFields`` (anywhere outside the events)."""
    fields: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key.split(":")[-1] == "ignoreFields" and isinstance(value, list):
                fields.extend(str(v) for v in value)
            elif key != "eventList":
                fields.extend(_ignore_fields(value))
    return fields


def pre_hash(event: dict, context: dict | list | str | None = None,
             ignore_fields: Iterable[str] = ()) -> str:
    """The canonical pre-hash string of one JSON/JSON-LD event."""
    ctx = _Context(context if context is not None else event.get("@context"), ignore_fields, event)
    children = [(n, v) for n, v in _children(event, ctx) if n not in _NOT_HASHED]
    return f"eventType={event.get('type', '')}" + _render_children(children, _ORDER, ctx)


def event_hash_id(event: dict, context: dict | list | None = None, *,
                  ignore_fields: Iterable[str] = ()) -> str:
    """The Event Hash ID of one JSON/JSON-LD event. ``context`` is the document's @context (for
    the namespace prefixes of user extensions; the event's own @context is used when omitted);
    ``ignore_fields`` are CURIEs of fields left out (a document's ``…:ignoreFields`` header)."""
    digest = hashlib.sha256(pre_hash(event, context, ignore_fields).encode("utf-8")).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


def document_hash_ids(doc: dict) -> list[str]:
    """The Event Hash ID of every event of an EPCISDocument or EPCISQueryDocument, in order."""
    context = doc.get("@context")
    ignore = _ignore_fields(doc)
    return [event_hash_id(e, _merge_context(context, e), ignore_fields=ignore) for e in iter_events(doc)]


def _merge_context(doc_context, event: dict):
    """The document's context plus any @context the event itself declares."""
    own = event.get("@context")
    if own is None:
        return doc_context
    as_list = lambda c: c if isinstance(c, list) else ([] if c is None else [c])  # noqa: E731
    return as_list(doc_context) + as_list(own)
