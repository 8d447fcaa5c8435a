"""Trace on a built longan chain with a known answer.

Orchard cooperative (GLN 8930001000018) harvests lot VU2026-07 (GTIN 08930001000018, 500 kg) →
the packing house (8930002000017) packs it into cases C001–C003 (GTIN 18930002000106, ILMD packed
lot PK0715) in one TransformationEvent → C001 and C002 go onto pallet SSCC 089300020000000017, C003
onto pallet 089300020000000024 → pallet 1 is shipped to the exporter (party 8930004000008,
warehouse 8930004000015) and received there; pallet 2 goes into the cold store (8930003000016).
An unrelated lot from the same orchard must never appear. All GS1 numbers carry check digits
computed by hand (mod 10, weights 3-1 from the right)."""

import pytest

from nscl.traceability import graph
from nscl.traceability.graph import match_keys, recall, trace
from nscl.traceability.keys import InvalidKey

CTX = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
HARVEST_LOT = "urn:epc:class:lgtin:8930001.000001.VU2026-07"
HARVEST_LOT_DL = "https://id.gs1.org/01/08930001000018/10/VU2026-07"
OTHER_LOT = "urn:epc:class:lgtin:8930001.000001.VU2026-99"
PACKED_LOT = "urn:epc:class:lgtin:8930002.100010.PK0715"
C1, C2, C3 = (f"urn:epc:id:sgtin:8930002.100010.C00{i}" for i in (1, 2, 3))
PALLET1, PALLET2 = "urn:epc:id:sscc:8930002.0000000001", "urn:epc:id:sscc:8930002.0000000002"
ORCHARD, PACKHOUSE = "urn:epc:id:sgln:8930001.00001.0", "urn:epc:id:sgln:8930002.00001.0"
COLDSTORE, EXPORTER_WH = "urn:epc:id:sgln:8930003.00001.0", "urn:epc:id:sgln:8930004.00001.0"
COOP, PACKER = "urn:epc:id:pgln:8930001.00000", "urn:epc:id:pgln:8930002.00000"
EXPORTER = "urn:epc:id:pgln:8930004.00000"


def ev(eid, etype, time, **fields):
    return {"@context": CTX, "type": etype, "eventID": "urn:test:" + eid, "eventTime": time,
            "eventTimeZoneOffset": "+07:00", **fields}


CHAIN = [
    ev("e1-harvest", "ObjectEvent", "2026-07-14T06:00:00+07:00", action="ADD", bizStep="commissioning",
       quantityList=[{"epcClass": HARVEST_LOT_DL, "quantity": 500, "uom": "KGM"}],
       readPoint={"id": ORCHARD}, bizLocation={"id": ORCHARD},
       destinationList=[{"type": "owning_party", "destination": COOP}]),
    ev("e0-other-harvest", "ObjectEvent", "2026-07-14T05:00:00+07:00", action="ADD",
       bizStep="commissioning", quantityList=[{"epcClass": OTHER_LOT, "quantity": 80, "uom": "KGM"}],
       readPoint={"id": ORCHARD}),
    ev("e2-pack", "TransformationEvent", "2026-07-15T08:00:00+07:00", bizStep="commissioning",
       inputQuantityList=[{"epcClass": HARVEST_LOT, "quantity": 500, "uom": "KGM"}],
       outputEPCList=[C1, C2, "https://id.gs1.org/01/18930002000106/21/C003"],
       readPoint={"id": PACKHOUSE}, ilmd={"cbvmda:lotNumber": "PK0715"},
       sourceList=[{"type": "owning_party", "source": COOP}],
       destinationList=[{"type": "owning_party", "destination": PACKER}]),
    ev("e3-pallet1", "AggregationEvent", "2026-07-15T10:00:00+07:00", action="ADD", bizStep="packing",
       parentID="https://id.gs1.org/00/089300020000000017", childEPCs=[C1, C2],
       readPoint={"id": PACKHOUSE}),
    ev("e4-pallet2", "AggregationEvent", "2026-07-15T10:05:00+07:00", action="ADD", bizStep="packing",
       parentID=PALLET2, childEPCs=[C3], readPoint={"id": PACKHOUSE}),
    ev("e5-ship", "ObjectEvent", "2026-07-16T07:00:00+07:00", action="OBSERVE", bizStep="shipping",
       epcList=[PALLET1], readPoint={"id": PACKHOUSE},
       sourceList=[{"type": "owning_party", "source": PACKER}],
       destinationList=[{"type": "owning_party", "destination": EXPORTER},
                        {"type": "location", "destination": EXPORTER_WH}]),
    ev("e6-store", "ObjectEvent", "2026-07-16T08:00:00+07:00", action="OBSERVE", bizStep="storing",
       epcList=[PALLET2], bizLocation={"id": COLDSTORE}),
    ev("e7-receive", "ObjectEvent", "2026-07-16T15:00:00+07:00", action="OBSERVE", bizStep="receiving",
       epcList=[PALLET1], bizLocation={"id": EXPORTER_WH}),
]


def store(events):
    """A fetch like the event repository's: events indexed under graph.match_keys."""
    calls = []

    def fetch(ids):
        calls.append(set(ids))
        return [e for e in events if match_keys(e) & ids]
    fetch.calls = calls
    return fetch


def short(event_id):
    return event_id.removeprefix("urn:test:")


def edges(result):
    return {(e["source"], e["target"], e["relation"], short(e["event_id"])) for e in result.edges}


def events(result):
    return [short(e) for e in result.events]


def test_every_chain_event_is_valid_epcis():
    from nscl.traceability.epcis import validate_event
    assert all(validate_event(e) == [] for e in CHAIN)


def test_trace_back_from_pallet():
    result = trace(PALLET1, "back", store(CHAIN))
    assert [n["epc"] for n in result.nodes] == [PALLET1, HARVEST_LOT, PACKED_LOT, C1, C2]
    assert edges(result) == {
        (C1, PALLET1, "aggregated_into", "e3-pallet1"), (C2, PALLET1, "aggregated_into", "e3-pallet1"),
        (HARVEST_LOT, C1, "transformed_into", "e2-pack"), (HARVEST_LOT, C2, "transformed_into", "e2-pack"),
        (PACKED_LOT, C1, "same_object", "e2-pack"), (PACKED_LOT, C2, "same_object", "e2-pack"),
    }
    assert events(result) == ["e1-harvest", "e2-pack", "e3-pallet1", "e5-ship", "e7-receive"]
    assert result.locations == [ORCHARD, PACKHOUSE, EXPORTER_WH]
    assert result.parties == [COOP, PACKER, EXPORTER]
    lot = next(n for n in result.nodes if n["epc"] == HARVEST_LOT)
    assert lot == {"epc": HARVEST_LOT, "kind": "lgtin", "first_seen": "2026-07-13T23:00:00.000Z",
                   "last_seen": "2026-07-15T01:00:00.000Z", "locations": [ORCHARD, PACKHOUSE],
                   "owners": [COOP, PACKER]}
    pallet = result.nodes[0]
    assert (pallet["kind"], pallet["first_seen"], pallet["last_seen"]) == (
        "sscc", "2026-07-15T03:00:00.000Z", "2026-07-16T08:00:00.000Z")
    assert pallet["locations"] == [PACKHOUSE, EXPORTER_WH] and pallet["owners"] == [PACKER, EXPORTER]


def test_trace_forward_from_harvest_lot_as_digital_link():
    result = trace(HARVEST_LOT_DL, "forward", store(CHAIN))
    assert result.start == HARVEST_LOT
    assert [n["epc"] for n in result.nodes] == [HARVEST_LOT, C1, C2, C3, PALLET1, PALLET2]
    assert edges(result) == {
        (HARVEST_LOT, C1, "transformed_into", "e2-pack"), (HARVEST_LOT, C2, "transformed_into", "e2-pack"),
        (HARVEST_LOT, C3, "transformed_into", "e2-pack"),
        (C1, PALLET1, "aggregated_into", "e3-pallet1"), (C2, PALLET1, "aggregated_into", "e3-pallet1"),
        (C3, PALLET2, "aggregated_into", "e4-pallet2"),
    }
    assert events(result) == ["e1-harvest", "e2-pack", "e3-pallet1", "e4-pallet2", "e5-ship",
                             "e6-store", "e7-receive"]
    assert "e0-other-harvest" not in events(result)
    assert result.to_dict() == {"nodes": result.nodes, "edges": result.edges, "events": result.events}


def test_recall_lists_lots_serials_locations_and_parties():
    answer = recall(trace(HARVEST_LOT, "forward", store(CHAIN)))
    assert [x["lot"] for x in answer["lots"]] == ["VU2026-07"]
    assert [x["serial"] for x in answer["serials"]] == ["C001", "C002", "C003"]
    assert [x["sscc"] for x in answer["containers"]] == ["089300020000000017", "089300020000000024"]
    assert [x["gln"] for x in answer["locations"]] == [
        "8930001000018", "8930002000017", "8930004000015", "8930003000016"]
    assert [x["gln"] for x in answer["parties"]] == ["8930001000001", "8930002000000", "8930004000008"]
    assert answer["lots"][0]["digital_link"] == HARVEST_LOT_DL


def test_serial_back_reaches_its_lot_and_harvest_but_not_its_siblings():
    result = trace(C3, "back", store(CHAIN))
    assert {n["epc"] for n in result.nodes} == {C3, HARVEST_LOT, PACKED_LOT}
    # e4 touches C003 itself (packed onto pallet 2); the pallet's own events are not C003's past
    assert events(result) == ["e1-harvest", "e2-pack", "e4-pallet2"]


def test_forward_through_a_pallet_does_not_jump_to_the_other_cases():
    unpack = ev("e8-unpack", "AggregationEvent", "2026-07-17T09:00:00+07:00", action="DELETE",
                bizStep="unpacking", parentID=PALLET1, childEPCs=[C1, C2], bizLocation={"id": EXPORTER_WH})
    result = trace(C1, "forward", store(CHAIN + [unpack]))
    assert {n["epc"] for n in result.nodes} == {C1, PALLET1}
    # but starting from the pallet its contents come out
    opened = trace(PALLET1, "forward", store(CHAIN + [unpack]))
    assert {n["epc"] for n in opened.nodes} == {PALLET1, C1, C2}
    assert (PALLET1, C1, "contains", "e8-unpack") in edges(opened)
    # and back from a case it was unpacked from the pallet (earlier container)
    back = trace(C1, "back", store(CHAIN + [unpack]))
    assert PALLET1 in {n["epc"] for n in back.nodes}


def test_max_depth_limits_hops_and_fetch_is_batched():
    fetch = store(CHAIN)
    result = trace(PALLET1, "back", fetch, max_depth=1)
    assert {n["epc"] for n in result.nodes} == {PALLET1, C1, C2}
    assert fetch.calls == [{PALLET1}, {C1, C2}]
    assert trace(PALLET1, "back", store(CHAIN), max_depth=0).nodes[0]["epc"] == PALLET1


def test_transformation_split_over_two_events_by_transformation_id():
    tid = "urn:uuid:6d5c6b7e-0b1e-4c57-9a8e-3f0d7f1c2a11"
    consume = ev("t1", "TransformationEvent", "2026-07-20T08:00:00+07:00", transformationID=tid,
                 inputEPCList=[C1])
    produce = ev("t2", "TransformationEvent", "2026-07-20T09:00:00+07:00", transformationID=tid,
                 outputEPCList=["urn:epc:id:sgtin:8930002.100020.J1"])
    forward = trace(C1, "forward", store([consume, produce]))
    assert (C1, "urn:epc:id:sgtin:8930002.100020.J1", "transformed_into", "t2") in edges(forward)
    back = trace("urn:epc:id:sgtin:8930002.100020.J1", "back", store([consume, produce]))
    assert C1 in {n["epc"] for n in back.nodes}
    assert tid not in {n["epc"] for n in back.nodes}


def test_cycles_end():
    a, b = C1, C2
    loop = [ev("x1", "TransformationEvent", "2026-07-20T08:00:00+07:00", inputEPCList=[a], outputEPCList=[b]),
            ev("x2", "TransformationEvent", "2026-07-20T09:00:00+07:00", inputEPCList=[b], outputEPCList=[a])]
    result = trace(a, "forward", store(loop))
    assert {n["epc"] for n in result.nodes} == {a, b} and events(result) == ["x1", "x2"]


def test_bad_start_and_direction():
    with pytest.raises(InvalidKey):
        trace("https://id.gs1.org/00/089300020000000018", "back", store(CHAIN))
    with pytest.raises(ValueError):
        trace(PALLET1, "sideways", store(CHAIN))
    empty = trace("https://example.org/unknown", "back", store(CHAIN))
    assert empty.to_dict() == {"nodes": [{"epc": "https://example.org/unknown", "kind": "other",
                                          "first_seen": None, "last_seen": None, "locations": [],
                                          "owners": []}], "edges": [], "events": []}


def test_events_without_id_get_their_hash_id():
    event = {k: v for k, v in CHAIN[5].items() if k != "eventID"}
    result = trace(PALLET1, "forward", store([event]))
    assert result.events == [graph.event_hash_id(event)]
