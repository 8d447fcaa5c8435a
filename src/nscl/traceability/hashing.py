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

One deliberate difference from the reference: a bare word (``"shipping"``) is expanded using the
vocabulary values of the same event, where the reference pools those of the whole document. They
differ only when a user extension's value equals a CBV word that another event of the document uses
as a vocabulary value; an event's ID should not depend on its neighbours.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

from nscl.traceability import _vocab
from nscl.traceability._digital_link import canonical_digital_link
from nscl.traceability.epcis import iter_events

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
    first = text.lstrip()[:1]
    if not first or not (first in "+-.iInN" or first.isdecimal()):  # what float() cannot read
        return text
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
    by_name: dict[str, list] = {}
    for n, v in children:
        by_name.setdefault(n, []).append(v)
    for name, sub in order:
        values = by_name.pop(name, None)
        if values:
            done.extend(sorted(r for r in (_render(name, v, sub, ctx, True) for v in values) if r))
    done.extend(sorted(_render(n, v, None, ctx, False) for n, values in by_name.items() for v in values))
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
