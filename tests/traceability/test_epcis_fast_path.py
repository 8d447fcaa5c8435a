"""The fast path of EPCIS validation (jsonschema_rs, nscl.traceability.epcis._rust_validator) may
only ever say "valid" where jsonschema would: a part it passes is not checked again. Here both
judge every envelope and event of the conformance data (GS1's examples, OpenEPCIS's valid and
invalid captures and queries, the event-hash vectors: tests/data/epcis/README.md) and each event
again with one thing broken (a required field removed, a wrong type, an unknown action, a bad
date-time or URI, an unknown un-namespaced field, a wrong kind of value in a list): the verdicts
must be the same, event by event."""
import copy
import json
from pathlib import Path

import pytest

from nscl.traceability import epcis

DATA = Path(__file__).resolve().parents[1] / "data" / "epcis"
FILES = sorted(p for p in DATA.rglob("*") if p.suffix in (".json", ".jsonld"))


def documents():
    for path in FILES:
        try:
            doc = json.loads(path.read_text("utf-8"))
        except ValueError:
            continue
        if isinstance(doc, dict):
            yield path, doc


def verdicts(instance, validator, fast):
    slow = not any(True for _ in validator.iter_errors(instance))
    return slow, epcis._passes(fast, instance)


def events_of(doc):
    if doc.get("type") in epcis.EVENT_TYPES:
        return [doc]
    return list(epcis.iter_events(doc))


BREAKS = {
    "no eventTime": lambda e: e.pop("eventTime", None),
    "no type": lambda e: e.pop("type", None),
    "action FOO": lambda e: e.__setitem__("action", "FOO"),
    "eventTime not a date": lambda e: e.__setitem__("eventTime", "2026-13-45T99:00:00Z"),
    "eventTime a number": lambda e: e.__setitem__("eventTime", 20260101),
    "bizStep not a URI": lambda e: e.__setitem__("bizStep", "not a step"),
    "unknown field": lambda e: e.__setitem__("colour", "red"),
    "epcList of numbers": lambda e: e.__setitem__("epcList", [1, 2]),
    "readPoint a string": lambda e: e.__setitem__("readPoint", "urn:epc:id:sgln:0614141.00777.0"),
    "offset bad": lambda e: e.__setitem__("eventTimeZoneOffset", "+7"),
}


def test_the_conformance_data_is_all_there():
    assert len(FILES) >= 130


def test_both_validators_agree_on_every_envelope_and_event():
    compared, disagree = 0, []
    for path, doc in documents():
        if not epcis._limit_problems(epcis.limits.values(epcis._envelope(doc)), "", None, None):
            envelope = epcis._without_events(doc)
            slow, fast = verdicts(envelope, epcis._validator(), epcis._fast_validator())
            compared += 1
            if slow != fast:
                disagree.append((path.name, "envelope", slow, fast))
        for i, event in enumerate(events_of(doc)):
            if doc.get("type") in epcis.EVENT_TYPES:
                v, f = epcis._validator(), epcis._fast_validator()
            else:
                v, f = epcis._event_validator(event.get("type")), epcis._fast_event_validator(event.get("type"))
            slow, fast = verdicts(event, v, f)
            compared += 1
            if slow != fast:
                disagree.append((path.name, i, slow, fast))
    assert compared > 250 and disagree == []


@pytest.mark.parametrize("name", BREAKS)
def test_both_validators_reject_the_same_broken_events(name):
    compared, rejected, disagree = 0, 0, []
    for path, doc in documents():
        if doc.get("type") in epcis.EVENT_TYPES:
            continue
        for i, event in enumerate(events_of(doc)):
            broken = copy.deepcopy(event)
            BREAKS[name](broken)
            kind = event.get("type")
            slow, fast = verdicts(broken, epcis._event_validator(kind), epcis._fast_event_validator(kind))
            compared += 1
            rejected += not slow
            if slow != fast:
                disagree.append((path.name, i, slow, fast))
    assert compared > 150 and rejected > 0 and disagree == []


def test_an_invalid_event_is_still_worded_by_jsonschema():
    """The fast path only skips work: a problem keeps its Vietnamese wording and JSON pointer."""
    doc = json.loads((DATA / "gs1" / "JSON").rglob("*.jsonld").__next__().read_text("utf-8"))
    event = copy.deepcopy(events_of(doc)[0])
    event["action"] = "FOO"
    doc = {**doc, "epcisBody": {"eventList": [event]}}
    problems = epcis.validate_document(doc)
    assert any(p.path == "/epcisBody/eventList/0/action" and "không nằm trong danh sách" in p.message_vi
               for p in problems), problems
