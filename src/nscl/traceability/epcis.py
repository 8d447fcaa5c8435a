"""EPCIS 2.0 JSON/JSON-LD: parse, validate (GS1's JSON Schema, Draft 7, with format checking, plus the
check digits the schema cannot check) and read the identifiers each event touches."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from urllib.parse import unquote, urljoin


def _import_jsonschema_without_iri():
    """jsonschema imports rfc3987_syntax when it is installed (jsonschema[format-nongpl]) for the
    "iri" formats, and that builds a Lark grammar: 1-3 s at the start of every process that touches
    EPCIS (each server worker, each command, each test subprocess). GS1's schemas use only "uri" and
    "date-time" (checked by rfc3986-validator and rfc3339-validator), so the module is hidden while
    jsonschema loads: it then leaves the two iri checkers out. Nothing else is affected afterwards."""
    import sys

    hidden = "rfc3987_syntax" not in sys.modules
    if hidden:
        sys.modules["rfc3987_syntax"] = None  # `import rfc3987_syntax` raises ImportError
    try:
        import jsonschema  # noqa: F401
    finally:
        if hidden:
            del sys.modules["rfc3987_syntax"]


_import_jsonschema_without_iri()
from jsonschema import Draft7Validator, FormatChecker, validators  # noqa: E402
from jsonschema.exceptions import FormatError, ValidationError, best_match  # noqa: E402
from referencing import Registry, Resource  # noqa: E402
from referencing.jsonschema import DRAFT7  # noqa: E402

from nscl.traceability import keys, limits  # noqa: E402
from nscl.traceability._digital_link import canonical_digital_link  # noqa: E402


class MalformedJSON(ValueError):
    """The text is not JSON (or not a JSON object); ``message_vi`` is the Vietnamese message."""

    def __init__(self, message: str, message_vi: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_vi = message_vi or message


@dataclass(frozen=True)
class Problem:
    """One reason a document or event is invalid. ``path`` is a JSON pointer into the document
    (e.g. /epcisBody/eventList/3/eventTime), or into the event for validate_event."""

    event_index: int | None
    event_id: str | None
    path: str
    message: str
    message_vi: str = ""


ROLES = ("epc", "parent", "child", "input", "output", "epc_class", "input_class", "output_class")
EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent",
               "AssociationEvent")
_SCHEMA_FILES = ("EPCIS-JSON-Schema-root.json", "EPCIS-Document-JSON-Schema.json",
                 "EPCIS-Event-JSON-Schema.json")


def parse_json(text_or_bytes: str | bytes) -> dict:
    """Parse a JSON document; raise MalformedJSON (a ValueError) with line and column when it is
    not JSON, not UTF-8, or not a JSON object."""
    if isinstance(text_or_bytes, (bytes, bytearray)):
        try:
            text = bytes(text_or_bytes).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MalformedJSON(f"Not UTF-8 text (byte {exc.start})",
                                f"Không phải văn bản UTF-8 (byte {exc.start})") from None
    else:
        text = text_or_bytes.lstrip("\ufeff")
    try:
        doc = json.loads(text, **limits.parse_json_hooks())  # over-long numbers kept as markers
    except json.JSONDecodeError as exc:
        raise MalformedJSON(
            f"Malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            f"JSON sai cú pháp ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise MalformedJSON("JSON nested too deeply", "JSON lồng nhau quá sâu") from None
    if not isinstance(doc, dict):
        raise MalformedJSON("The JSON document must be an object ({...})",
                            "Tài liệu JSON phải là một đối tượng ({...})")
    return doc


def iter_events(doc: dict) -> Iterator[dict]:
    """The events of an EPCISDocument (epcisBody.eventList) or EPCISQueryDocument
    (epcisBody.queryResults.resultsBody.eventList), in document order."""
    for _, event in _events_with_paths(doc):
        yield event


def _event_list_path(doc: dict) -> tuple[str, list] | None:
    body = doc.get("epcisBody") if isinstance(doc, dict) else None
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("eventList"), list):
        return "/epcisBody/eventList", body["eventList"]
    results = body.get("queryResults")
    results = results.get("resultsBody") if isinstance(results, dict) else None
    if isinstance(results, dict) and isinstance(results.get("eventList"), list):
        return "/epcisBody/queryResults/resultsBody/eventList", results["eventList"]
    if isinstance(body.get("event"), dict):
        return "/epcisBody/event", [body["event"]]
    return None


def _events_with_paths(doc: dict) -> Iterator[tuple[str, dict]]:
    found = _event_list_path(doc)
    if not found:
        return
    base, events = found
    for i, event in enumerate(events):
        if isinstance(event, dict):
            yield (base if base.endswith("/event") else f"{base}/{i}"), event


# --- JSON Schema ------------------------------------------------------------------------------


_BASE = "https://gs1.github.io/EPCIS/JSON-Schema/"
_EVENT_SCHEMAS = {t: f"schemas/{t}-JSON-Schema.json#/definitions/{t}" for t in EVENT_TYPES}
_EVENT_SCHEMAS[None] = "schemas/event-definitions-JSON-Schema.json#/definitions/Extended-Event"


@cache
def _schemas() -> dict[str, dict]:
    """GS1's schema files by $id (nothing is fetched from the network)."""
    folder = resources.files("nscl.traceability").joinpath("data/schema")
    files = [folder.joinpath(name) for name in _SCHEMA_FILES]
    files += [p for p in folder.joinpath("schemas").iterdir() if p.name.endswith(".json")]
    schemas = [json.loads(p.read_text("utf-8")) for p in files]
    return {s["$id"]: s for s in schemas}


def _inline(node, base: str, stack: tuple[str, ...] = ()):
    """The schema with every non-recursive $ref replaced by its target (Draft 7 ignores a $ref's
    siblings), so validating does not resolve references again for every event."""
    if isinstance(node, list):
        return [_inline(n, base, stack) for n in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$ref"), str):
        target = urljoin(base, node["$ref"])
        if target in stack:
            return {"$ref": target}
        doc_uri, _, pointer = target.partition("#")
        found = _schemas()[doc_uri]
        for part in [p for p in pointer.split("/") if p]:
            found = found[unquote(part).replace("~1", "/").replace("~0", "~")]
        return _inline(found, doc_uri, (*stack, target))
    return {k: _inline(v, base, stack) for k, v in node.items()}


# Subschema checks already passed, by (id of the subschema, value): an EPCIS document repeats the
# same field names, vocabulary values, locations and parties in every event, and a value valid under
# a subschema stays valid (Draft 7 has no keyword that looks outside the value). Only successes are
# remembered, so every error is still found and reported with its full path.
_PASSED: set[tuple[str, int, object]] = set()
_PASSED_LIMIT = 100_000


def _memo_key(keyword: str, subschema, value):
    if isinstance(value, str) and len(value) <= 200:
        return keyword, id(subschema), value
    if isinstance(value, (dict, list)):
        text = json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
        if len(text) <= 4000:  # a 128-bit digest keeps the memory small (~100 bytes an entry)
            return keyword, id(subschema), hashlib.blake2b(text, digest_size=16).digest()
    return None


def _remember(key) -> None:
    if key is not None:
        if len(_PASSED) >= _PASSED_LIMIT:
            _PASSED.clear()
        _PASSED.add(key)


def _memo(name: str):
    """Wrap a jsonschema keyword so a (schema, value) pair that passed it once is not checked again."""
    keyword = Draft7Validator.VALIDATORS[name]

    def check(validator, value, instance, schema):
        key = _memo_key(name, schema, instance)
        if key is not None and key in _PASSED:
            return
        errors = list(keyword(validator, value, instance, schema))
        if not errors:
            _remember(key)
        yield from errors
    return check


def _memo_properties(validator, properties, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    for name, subschema in properties.items():
        if name in instance:
            key = _memo_key("*", subschema, instance[name])
            if key is not None and key in _PASSED:
                continue
            errors = list(validator.descend(instance[name], subschema, path=name, schema_path=name))
            if not errors:
                _remember(key)
            yield from errors


_Validator = validators.extend(Draft7Validator, {
    "properties": _memo_properties,
    **{k: _memo(k) for k in ("anyOf", "oneOf", "propertyNames")},
})


def _new_validator(schema: dict) -> Draft7Validator:
    registry = Registry().with_resources(
        (uri, Resource.from_contents(s, default_specification=DRAFT7)) for uri, s in _schemas().items())
    return _Validator(schema, registry=registry, format_checker=_FORMATS)


class _CachedFormats(FormatChecker):
    """Draft 7 format checking with results remembered per string: the RFC 3987 'uri' parser is
    slow, and an EPCIS document repeats the same vocabulary values and extension names."""

    def __init__(self):
        super().__init__()
        self.checkers = dict(Draft7Validator.FORMAT_CHECKER.checkers)
        self._known: dict[tuple[str, str], FormatError | None] = {}

    def check(self, instance, format):  # noqa: A002 - jsonschema's name
        if not isinstance(instance, str) or len(self._known) > 100_000:
            return super().check(instance, format)
        key = (format, instance)
        if key not in self._known:
            try:
                super().check(instance, format)
                self._known[key] = None
            except FormatError as exc:
                self._known[key] = exc
        if self._known[key] is not None:
            raise self._known[key]


_FORMATS = _CachedFormats()


@cache
def _validator() -> Draft7Validator:
    """The root schema (documents, and single events with their @context)."""
    root = _schemas()[_BASE + "EPCIS-JSON-Schema.json"]
    return _new_validator(_inline(root, _BASE + "EPCIS-JSON-Schema.json"))


@cache
def _event_validator(event_type: str | None) -> Draft7Validator:
    """One event type's schema, as a document's eventList applies it to each of its events."""
    uri = _BASE + _EVENT_SCHEMAS[event_type if event_type in EVENT_TYPES else None]
    return _new_validator(_inline({"$ref": uri}, uri))


def _format_check(name: str):
    """A jsonschema_rs format callback that asks the same checker as the Python validator, so both
    judge 'uri' and 'date-time' alike (and share its memory of strings already checked)."""
    def check(value) -> bool:
        try:
            _FORMATS.check(value, name)
        except FormatError:
            return False
        return True
    return check


def _rust_validator(schema: dict, base_uri: str):
    """The same schema compiled by jsonschema_rs (a Rust JSON Schema validator, ~10 times faster
    than jsonschema for an event), used only to say "valid": a part it passes is not checked again,
    a part it fails (or cannot read) is checked by jsonschema, which words every problem with its
    path. Both are held to the GS1/OpenEPCIS conformance cases (tests/traceability); where they
    could ever disagree, tests/traceability/test_epcis_fast_path.py compares them event by event.
    None when the library is missing: jsonschema alone still gives the same answers."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a dependency; the slow path stays correct
        return None
    registry = jsonschema_rs.Registry(list(_schemas().items()))
    return jsonschema_rs.validator_for(
        schema, registry=registry, base_uri=base_uri, validate_formats=True, ignore_unknown_formats=False,
        formats={name: _format_check(name) for name in ("uri", "date-time")})


@cache
def _fast_validator():
    uri = _BASE + "EPCIS-JSON-Schema.json"
    return _rust_validator(_inline(_schemas()[uri], uri), uri)


@cache
def _fast_event_validator(event_type: str | None):
    uri = _BASE + _EVENT_SCHEMAS[event_type if event_type in EVENT_TYPES else None]
    return _rust_validator(_inline({"$ref": uri}, uri), uri)


def _passes(fast, instance) -> bool:
    """True only when the fast validator says the instance is valid."""
    if fast is None:
        return False
    try:
        return fast.is_valid(instance)
    except Exception:  # noqa: BLE001 - a value it cannot convert: let jsonschema decide
        return False


def _schema_errors(validator, fast, instance):
    return () if _passes(fast, instance) else validator.iter_errors(instance)


def _pointer(parts) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _leaf(error: ValidationError) -> ValidationError:
    """The most specific error under an anyOf/oneOf/allOf failure."""
    while error.context:
        error = best_match(error.context)
    return error


_VI = {
    "required": "Thiếu trường bắt buộc {detail}",
    "type": "Sai kiểu dữ liệu: {detail}",
    "enum": "Giá trị không nằm trong danh sách cho phép: {detail}",
    "format": "Sai định dạng: {detail}",
    "pattern": "Giá trị không đúng mẫu quy định: {detail}",
    "additionalProperties": "Có trường không được phép: {detail}",
    "const": "Giá trị không đúng: {detail}",
}


def _schema_problem(error: ValidationError, prefix: str = "") -> tuple[str, str, str]:
    """(JSON pointer, English, Vietnamese) for one schema error, pointing at the field itself."""
    if "propertyNames" in error.absolute_schema_path:
        name = str(error.instance)
        return (prefix + _pointer([*error.absolute_path, name]),
                f"{name!r} is not an EPCIS field here; an extension field needs a namespace "
                f"prefix declared in @context (e.g. example:{name})",
                f"{name!r} không phải là trường EPCIS hợp lệ ở vị trí này; trường mở rộng phải có tiền tố "
                f"không gian tên khai báo trong @context (ví dụ example:{name})")
    leaf = _leaf(error)
    parts = list(leaf.absolute_path)
    detail = leaf.message if len(leaf.message) <= 300 else leaf.message[:297] + "..."
    detail_vi = detail
    if leaf.validator == "required":
        missing = next((r for r in leaf.validator_value
                        if leaf.message.startswith(repr(r) + " is a required")), None)
        if missing:
            parts.append(missing)
            detail_vi = repr(missing)
    elif leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict):
        allowed = set(leaf.schema.get("properties", {}))
        extra = sorted(k for k in leaf.instance if k not in allowed)
        if len(extra) == 1:
            parts.append(extra[0])
    template = _VI.get(str(leaf.validator), "Không hợp lệ theo lược đồ EPCIS 2.0: {detail}")
    return prefix + _pointer(parts), detail, template.format(detail=detail_vi)


# --- checks the schema cannot make --------------------------------------------------------------

_ID_FIELDS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QTY_FIELDS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")


def _identifier_problem(value) -> tuple[str, str] | None:
    """(English, Vietnamese) if ``value`` is a GS1 identifier with a wrong check digit, length or
    form; None for a valid one or for any other URI (EPCIS allows any URI)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not keys.is_gs1_identifier(text):
        return None
    try:
        keys.parse(text)
        return None
    except keys.InvalidKey as exc:
        if not text.lower().startswith(("urn:epc:id:", "urn:epc:idpat:", "urn:epc:class:")) or \
                keys.is_supported_urn(text):
            return exc.message, exc.message_vi
    # an EPC scheme this library does not model (GRAI, GIAI, GDTI...): check its syntax only
    if canonical_digital_link(text) is None:
        return f"Malformed EPC URN: {value}", f"EPC URN sai dạng: {value}"
    return None


def _key_checks(event: dict) -> Iterator[tuple[list, str, str]]:
    """(path parts within the event, English, Vietnamese) for every bad GS1 identifier."""
    def check(parts, value):
        found = _identifier_problem(value)
        if found:
            yield parts, found[0], found[1]

    for field in _ID_FIELDS:
        for i, value in enumerate(_as_list(event.get(field))):
            yield from check([field, i], value)
    yield from check(["parentID"], event.get("parentID"))
    for field in _QTY_FIELDS:
        for i, element in enumerate(_as_list(event.get(field))):
            if isinstance(element, dict):
                yield from check([field, i, "epcClass"], element.get("epcClass"))
    for field in ("readPoint", "bizLocation"):
        place = event.get(field)
        if isinstance(place, dict):
            yield from check([field, "id"], place.get("id"))
            found = _location_kind_problem(place.get("id"), field)
            if found:
                yield [field, "id"], found[0], found[1]
    for field, item in (("sourceList", "source"), ("destinationList", "destination")):
        for i, element in enumerate(_as_list(event.get(field))):
            if isinstance(element, dict):
                yield from check([field, i, item], element.get(item))


def _location_kind_problem(value, field: str) -> tuple[str, str] | None:
    """readPoint and bizLocation name places: a GS1 key there must be a (S)GLN."""
    if not isinstance(value, str) or not keys.is_gs1_identifier(value):
        return None
    try:
        kind = keys.parse(value).kind
    except keys.InvalidKey:
        return None  # reported by the check-digit check
    if kind not in ("sgln", "gln"):
        return (f"{field} must identify a location (SGLN or GLN), not a {kind.upper()}: {value}",
                f"{field} phải là mã địa điểm (SGLN hoặc GLN), không phải {kind.upper()}: {value}")
    return None


def _as_list(value) -> list:
    return value if isinstance(value, list) else []


def _event_id(event) -> str | None:
    value = event.get("eventID") if isinstance(event, dict) else None
    return limits.visible(value) if isinstance(value, str) else None


def _limit_problems(found, prefix: str, index: int | None, event_id: str | None) -> list[Problem]:
    return [Problem(index, event_id, limits.visible(prefix + _pointer(parts), 1000), en, vi) for parts, en, vi in found]


def _event_problems(event: dict, prefix: str, index: int | None) -> list[Problem]:
    problems = [Problem(index, _event_id(event), prefix + _pointer(parts), en, vi)
                for parts, en, vi in _key_checks(event)]
    if event.get("type") not in EVENT_TYPES:
        problems.insert(0, Problem(index, _event_id(event), prefix + "/type", *_unknown_type(event)))
    return problems


def _unknown_type(event: dict) -> tuple[str, str]:
    names = ", ".join(EVENT_TYPES)
    return (f"Unknown event type {event.get('type')!r}; expected one of {names}",
            f"Loại sự kiện {event.get('type')!r} không hợp lệ; phải là một trong {names}")


def validate_document(doc: dict, *, earliest: int = limits.EARLIEST_YEAR,
                      latest: int = limits.LATEST_YEAR) -> list[Problem]:
    """Every problem in an EPCIS 2.0 document (EPCISDocument or EPCISQueryDocument); an empty list
    when it is valid. Problems are in document order, schema problems first within an event. A part
    (the envelope, an event) holding a value no repository can store (nscl.traceability.limits; times
    outside the years earliest..latest) is reported for those values only: the schema is not run
    over a lone surrogate or a NaN."""
    if not isinstance(doc, dict):
        return [Problem(None, None, "", "The document must be a JSON object",
                        "Tài liệu phải là một đối tượng JSON")]
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    events = list(_events_with_paths(doc))
    envelope = _limit_problems(limits.values(_envelope(doc)), "", None, None)
    problems.extend(envelope)
    for error in [] if envelope else _schema_errors(_validator(), _fast_validator(), _without_events(doc)):
        _add_schema_problem(problems, seen, error, "", None, None)
    for i, (path, event) in enumerate(events):
        unstorable = _limit_problems(limits.event_problems(event, earliest, latest), path, i, _event_id(event))
        if unstorable:
            problems.extend(unstorable)
            continue
        kind = event.get("type")
        for error in _schema_errors(_event_validator(kind), _fast_event_validator(kind), event):
            if event.get("type") in EVENT_TYPES or _pointer(error.absolute_path) != "/type":
                _add_schema_problem(problems, seen, error, path, i, _event_id(event))
        problems.extend(_event_problems(event, path, i))  # an unknown type is named there
    found = _event_list_path(doc)
    for i, item in enumerate(found[1] if found else []):
        if not isinstance(item, dict):
            problems.append(Problem(i, None, f"{found[0]}/{i}", "An event must be a JSON object",
                                    "Sự kiện phải là một đối tượng JSON"))
    if doc.get("type") in ("EPCISDocument", "EPCISQueryDocument") and _event_list_path(doc) is None \
            and not problems:
        problems.append(Problem(None, None, "/epcisBody", "The document has no event list",
                                "Tài liệu không có danh sách sự kiện (eventList)"))
    return sorted(problems, key=lambda p: (p.event_index if p.event_index is not None else -1))


def _without_events(doc: dict) -> dict:
    """The document with an empty event list: its envelope, validated once; the events are
    validated one by one against their own type's schema, exactly as the eventList items schema
    would (it only dispatches on 'type')."""
    found = _event_list_path(doc)
    if not found or found[0].endswith("/event"):
        return doc
    body = dict(doc["epcisBody"])
    if found[0] == "/epcisBody/eventList":
        body["eventList"] = []
    else:
        results = dict(body["queryResults"])
        results["resultsBody"] = {**results["resultsBody"], "eventList": []}
        body["queryResults"] = results
    return {**doc, "epcisBody": body}


def _envelope(doc: dict) -> dict:
    """The document without any of its events (for the limits walk)."""
    found = _event_list_path(doc)
    if not found or not found[0].endswith("/event"):
        return _without_events(doc)
    return {**doc, "epcisBody": {k: v for k, v in doc["epcisBody"].items() if k != "event"}}


def _add_schema_problem(problems, seen, error, prefix, index, event_id) -> None:
    path, en, vi = _schema_problem(error, prefix)
    if (path, en) not in seen:
        seen.add((path, en))
        problems.append(Problem(index, event_id, path, en, vi))


def validate_event(event: dict, *, standalone: bool = True, earliest: int = limits.EARLIEST_YEAR,
                   latest: int = limits.LATEST_YEAR) -> list[Problem]:
    """Every problem in one EPCIS 2.0 event, paths relative to the event. A standalone event (as
    POSTed to /events) must carry its own @context; ``standalone=False`` validates an event taken
    out of a document, whose context the document gave. Values no repository can store are reported
    alone, as in validate_document."""
    if not isinstance(event, dict):
        return [Problem(None, None, "", "An event must be a JSON object",
                        "Sự kiện phải là một đối tượng JSON")]
    unstorable = _limit_problems(limits.event_problems(event, earliest, latest), "", None, _event_id(event))
    if unstorable:
        return unstorable
    if event.get("type") not in EVENT_TYPES:
        return [Problem(None, _event_id(event), "/type", *_unknown_type(event))]
    subject = event if standalone or "@context" in event else {**event, "@context": [
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]}
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for error in _schema_errors(_validator(), _fast_validator(), subject):
        _add_schema_problem(problems, seen, error, "", None, _event_id(event))
    return problems + _event_problems(event, "", None)


# --- identifiers by role ----------------------------------------------------------------------


def event_epcs(event: dict) -> dict[str, list[str]]:
    """Every identifier the event touches by role, normalised with keys.normalise (duplicates
    dropped, first-seen order kept): 'epc' (epcList), 'parent' (parentID), 'child' (childEPCs),
    'input' / 'output' (input/outputEPCList), 'epc_class' (epcClass of quantityList and
    childQuantityList), 'input_class' / 'output_class' (input/outputQuantityList). An identifier
    that cannot be normalised (a bad check digit) is kept as written; validation reports it."""
    roles: dict[str, list[str]] = {role: [] for role in ROLES}

    def add(role: str, value) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        try:
            key = keys.normalise(value)
        except keys.InvalidKey:
            key = value.strip()
        if key not in roles[role]:
            roles[role].append(key)

    for field, role in (("epcList", "epc"), ("childEPCs", "child"), ("inputEPCList", "input"),
                        ("outputEPCList", "output")):
        for value in _as_list(event.get(field)):
            add(role, value)
    add("parent", event.get("parentID"))
    for field, role in (("quantityList", "epc_class"), ("childQuantityList", "epc_class"),
                        ("inputQuantityList", "input_class"), ("outputQuantityList", "output_class")):
        for element in _as_list(event.get(field)):
            if isinstance(element, dict):
                add(role, element.get("epcClass"))
    return roles
