"""EPCIS 2.0 validation and reading, on the conformance sets in tests/data/epcis.

Measured with GS1's JSON Schema (snapshot 2023-05-16) and format checking on:
- gs1/JSON: 47 of 47 GS1 examples valid;
- openepcis/Capture/Documents: 35 of 38 valid. GS1's schema rejects three:
  SensorData_with_combined_events (a sensorReport without 'type', and 'Molar_concentration' which is
  neither a CBV measurement type nor a URI: the shared README's documented exception);
  AggregationEvent_with_persistentDisposition (GS1's schema allows persistentDisposition only on
  ObjectEvent and TransformationEvent; any other key must be a namespaced extension, i.e. a URI,
  which only format checking enforces); TransactionEvent_with_userExtensions (sensor type
  'EffectiveDoseRate' is not a CBV measurement type, so it must be a URI). Without format checking
  the last two pass, which is why the shared README counts 37 of 38;
- openepcis/Capture/Invalid: 15 of 15 rejected."""

import copy
import json
from pathlib import Path

import pytest

from nscl.traceability import epcis
from nscl.traceability.epcis import MalformedJSON, Problem

DATA = Path(__file__).parents[1] / "data" / "epcis"
GS1 = sorted((DATA / "gs1" / "JSON").rglob("*.jsonld"))
DOCUMENTS = sorted((DATA / "openepcis" / "Capture" / "Documents").glob("*.json"))
INVALID = sorted((DATA / "openepcis" / "Capture" / "Invalid").glob("*.json"))
REJECTED_BY_GS1_SCHEMA = {
    "SensorData_with_combined_events": "'type' is a required property",
    "AggregationEvent_with_persistentDisposition": "'persistentDisposition' is not an EPCIS field",
    "TransactionEvent_with_userExtensions": "'EffectiveDoseRate' is not a 'uri'",
}


def load(path: Path) -> dict:
    return epcis.parse_json(path.read_bytes())


def test_conformance_set_sizes():
    assert (len(GS1), len(DOCUMENTS), len(INVALID)) == (47, 38, 15)


@pytest.mark.parametrize("path", GS1, ids=lambda p: p.stem)
def test_gs1_examples_valid(path):
    assert epcis.validate_document(load(path)) == []


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_openepcis_documents(path):
    problems = epcis.validate_document(load(path))
    if path.stem in REJECTED_BY_GS1_SCHEMA:
        assert any(REJECTED_BY_GS1_SCHEMA[path.stem] in p.message for p in problems)
    else:
        assert problems == []


INVALID_REASONS = {
    "Combination_of_events_with_missing_mandatory_fields": "/epcisBody/eventList/0/action",
    "Combination_of_multiple_invalid_fields": "/epcisBody/eventList/0/bizStep",
    "Combination_of_non_standard_bizStep_and_disposition": "/epcisBody/eventList/1/disposition",
    "EPCISDocument_without_context": "/@context",
    "ObjectEvent_with_ilmd_field_without_namespace": "/epcisBody/eventList/0/ilmd/materialType",
    "ObjectEvent_with_invalid_action": "/epcisBody/eventList/0/action",
    "ObjectEvent_with_invalid_certificationInfo": "/epcisBody/eventList/0/certificationInfo",
    "ObjectEvent_with_invalid_eventTime_format": "/epcisBody/eventList/0/eventTime",
    "ObjectEvent_with_non_standard_bizStep": "/epcisBody/eventList/0/bizStep",
    "ObjectEvent_with_non_standard_bizStep_in_second_event": "/epcisBody/eventList/1/bizStep",
    "ObjectEvent_with_non_standard_disposition": "/epcisBody/eventList/0/disposition",
    "ObjectEvent_with_quantity_as_text": "/epcisBody/eventList/0/quantityList/0/quantity",
    "ObjectEvent_with_unknown_field_in_quantityList": "/epcisBody/eventList/0/quantityList/0/weight",
    "ObjectEvent_without_action_and_eventTime": "/epcisBody/eventList/0/eventTime",
    "ObjectEvent_without_identifier_list": "/epcisBody/eventList/0/epcList",
}


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_openepcis_invalid_documents_rejected_naming_the_field(path):
    problems = epcis.validate_document(load(path))
    assert problems
    assert INVALID_REASONS[path.stem] in {p.path for p in problems}
    assert all(p.message and p.message_vi for p in problems)


def test_problem_names_event_index_and_id():
    doc = load(DATA / "openepcis" / "Capture" / "Invalid" / "ObjectEvent_with_non_standard_bizStep_in_second_event.json")
    doc["epcisBody"]["eventList"][1]["eventID"] = "urn:uuid:11111111-2222-3333-4444-555555555555"
    problems = epcis.validate_document(doc)
    assert problems[0] == Problem(1, "urn:uuid:11111111-2222-3333-4444-555555555555",
                                  "/epcisBody/eventList/1/bizStep", "'transforming' is not a 'uri'",
                                  "Sai định dạng: 'transforming' is not a 'uri'")


def test_format_checking_is_on():
    doc = load(DATA / "openepcis" / "Capture" / "Documents" / "ObjectEvent.json")
    doc["epcisBody"]["eventList"][0]["eventTime"] = "22-07-2026"
    assert [p.path for p in epcis.validate_document(doc)] == ["/epcisBody/eventList/0/eventTime"]


def object_event_doc() -> dict:
    return load(DATA / "openepcis" / "Capture" / "Documents" / "ObjectEvent.json")


@pytest.mark.parametrize("field, value, path, needle", [
    ("epcList", ["https://id.gs1.org/01/00614141073468/21/2017"], "/epcList/0", "should be 7"),
    ("epcList", ["urn:epc:id:sgtin:0614141.10734.1"], "/epcList/0", "digits totalling 13"),
    ("epcList", ["urn:epc:id:grai:4012345"], "/epcList/0", "Malformed EPC URN"),
    ("quantityList", [{"epcClass": "https://id.gs1.org/01/08930001000019/10/L1", "quantity": 5}],
     "/quantityList/0/epcClass", "should be 8"),
    ("readPoint", {"id": "https://id.gs1.org/414/4012345000055"}, "/readPoint/id", "should be 4"),
    ("readPoint", {"id": "urn:epc:id:sgtin:0614141.107346.2017"}, "/readPoint/id", "must identify a location"),
    ("sourceList", [{"type": "owning_party", "source": "https://id.gs1.org/417/4000001000006"}],
     "/sourceList/0/source", "should be 5"),
])
def test_check_digits_the_schema_cannot_see(field, value, path, needle):
    doc = object_event_doc()
    doc["epcisBody"]["eventList"][0][field] = value
    problems = epcis.validate_document(doc)
    assert [(p.event_index, p.path) for p in problems] == [(0, "/epcisBody/eventList/0" + path)]
    assert needle in problems[0].message


def test_wrong_check_digits_in_every_identifier_field():
    doc = object_event_doc()
    del doc["epcisBody"]["eventList"][1:]
    doc["epcisBody"]["eventList"][0] = {
        "type": "TransformationEvent", "eventTime": "2026-07-15T08:00:00+07:00",
        "eventTimeZoneOffset": "+07:00",
        "inputEPCList": ["https://id.gs1.org/01/18930002000107/21/1"],
        "outputEPCList": ["https://id.gs1.org/01/18930002000107/21/2"],
        "inputQuantityList": [{"epcClass": "https://id.gs1.org/01/08930001000019/10/L"}],
        "outputQuantityList": [{"epcClass": "https://id.gs1.org/01/08930001000019/10/M"}],
    }
    doc["epcisBody"]["eventList"].append({
        "type": "AggregationEvent", "eventTime": "2026-07-15T09:00:00+07:00",
        "eventTimeZoneOffset": "+07:00", "action": "ADD",
        "parentID": "https://id.gs1.org/00/089300020000000018",
        "childEPCs": ["https://id.gs1.org/01/18930002000107/21/3"],
        "childQuantityList": [{"epcClass": "https://id.gs1.org/01/08930001000019/10/N"}],
    })
    paths = [p.path for p in epcis.validate_document(doc)]
    assert paths == [f"/epcisBody/eventList/0/{f}" for f in (
        "inputEPCList/0", "outputEPCList/0", "inputQuantityList/0/epcClass", "outputQuantityList/0/epcClass")] + \
        [f"/epcisBody/eventList/1/{f}" for f in ("childEPCs/0", "parentID", "childQuantityList/0/epcClass")]


def test_unknown_event_type():
    doc = object_event_doc()
    doc["epcisBody"]["eventList"][0]["type"] = "FooEvent"
    problems = epcis.validate_document(doc)
    assert problems[0].path == "/epcisBody/eventList/0/type"
    assert "Unknown event type 'FooEvent'" in problems[0].message
    assert "Loại sự kiện" in problems[0].message_vi


def test_validate_event_standalone_needs_context():
    event = object_event_doc()["epcisBody"]["eventList"][0]
    assert epcis.validate_event(event, standalone=False) == []
    assert [p.path for p in epcis.validate_event(event)] == ["/@context"]
    assert epcis.validate_event({**event, "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]}) == []
    bad = {**event, "action": "CREATE"}
    assert "/action" in {p.path for p in epcis.validate_event(bad, standalone=False)}
    assert epcis.validate_event({"type": "Nope"})[0].path == "/type"


@pytest.mark.parametrize("path", sorted((DATA / "openepcis" / "Capture" / "Events").glob("*.json")),
                         ids=lambda p: p.stem)
def test_openepcis_single_events_valid(path):
    assert epcis.validate_event(load(path)) == []


@pytest.mark.parametrize("text, needle", [
    (b"{", "line 1, column 2"),
    ('{"a": 1,}', "line 1, column 9"),
    (b"[1, 2]", "must be an object"),
    (b"\xff\xfe{}", "Not UTF-8"),
    ("", "line 1, column 1"),
])
def test_malformed_json(text, needle):
    with pytest.raises(MalformedJSON) as err:
        epcis.parse_json(text)
    assert needle in err.value.message
    assert isinstance(err.value, ValueError) and err.value.message_vi


def test_parse_json_accepts_bom_and_bytes():
    assert epcis.parse_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


def test_iter_events_document_and_query_document():
    doc = load(DATA / "gs1" / "JSON" / "Example_9.6.1-ObjectEvent.jsonld")
    assert len(list(epcis.iter_events(doc))) == len(doc["epcisBody"]["eventList"]) > 0
    query = load(DATA / "gs1" / "JSON" / "EPCISQueryDocument.jsonld")
    events = list(epcis.iter_events(query))
    assert events == query["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert list(epcis.iter_events({"epcisBody": {}})) == []


def test_event_epcs_by_role_normalised():
    transformation = {
        "type": "TransformationEvent",
        "inputEPCList": ["https://id.gs1.org/01/18930002000106/21/C001"],
        "inputQuantityList": [{"epcClass": "https://id.gs1.org/01/08930001000018/10/VU2026-07",
                               "quantity": 500, "uom": "KGM"}],
        "outputEPCList": ["urn:epc:id:sgtin:8930002.100010.C002", "urn:epc:id:sgtin:8930002.100010.C002"],
        "outputQuantityList": [{"epcClass": "urn:epc:idpat:sgtin:8930002.100010.*"}],
    }
    assert epcis.event_epcs(transformation) == {
        "epc": [], "parent": [], "child": [],
        "input": ["urn:epc:id:sgtin:8930002.100010.C001"],
        "output": ["urn:epc:id:sgtin:8930002.100010.C002"],
        "epc_class": [],
        "input_class": ["urn:epc:class:lgtin:8930001.000001.VU2026-07"],
        "output_class": ["urn:epc:idpat:sgtin:8930002.100010.*"],
    }
    aggregation = {"type": "AggregationEvent", "parentID": "https://id.gs1.org/00/089300020000000017",
                   "childEPCs": ["urn:epc:id:sgtin:8930002.100010.C001"],
                   "childQuantityList": [{"epcClass": "urn:epc:class:lgtin:8930002.100010.PK0715"}]}
    roles = epcis.event_epcs(aggregation)
    assert roles["parent"] == ["urn:epc:id:sscc:8930002.0000000001"]
    assert roles["child"] == ["urn:epc:id:sgtin:8930002.100010.C001"]
    assert roles["epc_class"] == ["urn:epc:class:lgtin:8930002.100010.PK0715"]
    other = {"type": "ObjectEvent", "epcList": ["https://example.org/thing/1", "urn:epc:id:grai:4012345.00022.1"]}
    assert epcis.event_epcs(other)["epc"] == ["https://example.org/thing/1", "urn:epc:id:grai:4012345.00022.1"]


def test_validation_does_not_change_the_document():
    doc = object_event_doc()
    before = copy.deepcopy(doc)
    epcis.validate_document(doc)
    assert doc == before and json.dumps(doc) == json.dumps(before)


def test_remembered_checks_never_hide_an_error():
    """Validation remembers (subschema, value) pairs that passed; failures are checked every time."""
    doc = object_event_doc()
    assert epcis.validate_document(doc) == []
    for event in doc["epcisBody"]["eventList"]:
        event["bizStep"] = "transforming"
        event["readPoint"] = {"id": "not a uri"}
    for _ in range(2):
        paths = {p.path for p in epcis.validate_document(doc)}
        assert {"/epcisBody/eventList/0/bizStep", "/epcisBody/eventList/1/bizStep",
                "/epcisBody/eventList/0/readPoint/id", "/epcisBody/eventList/1/readPoint/id"} <= paths
    assert epcis.validate_document(object_event_doc()) == []
