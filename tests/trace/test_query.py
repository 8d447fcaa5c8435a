"""GET /epcis/events: every query parameter of the issue with a known answer, paging with perPage and
nextPageToken (Link rel=next), an event by its URL-encoded ID, and who sees which events."""
from urllib.parse import quote

import pytest
from django.test import Client

from nscl.trace.models import EventId

from .conftest import document, event, lgtin, sgtin, sscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(chain, api):
    """Seven events with known fields; returns {name: eventID}."""
    A, B = chain["A"], chain["B"]
    lot, other_lot = lgtin(A["prefix"], "L1"), lgtin(A["prefix"], "L2")
    s1, s2 = sgtin(A["prefix"], "1"), sgtin(A["prefix"], "2")
    box, pallet = lgtin(B["prefix"], "P1"), sscc(B["prefix"], 1)
    a_events = {
        "harvest": event(place=A["place"], action="ADD", when="2026-07-01T06:00:00+07:00",
                         quantityList=[{"epcClass": lot, "quantity": 100, "uom": "KGM"}], eventID="urn:uuid:00000000-0000-4000-8000-000000000001"),
        "serials": event(place=A["place"], action="ADD", when="2026-07-01T07:00:00+07:00", epcList=[s1, s2],
                         ilmd={"cbvmda:lotNumber": "L1"}, eventID="urn:uuid:00000000-0000-4000-8000-000000000002"),
        "ship": event(place=A["place"], step="shipping", disposition="in_transit", when="2026-07-01T10:00:00+07:00",
                      quantityList=[{"epcClass": lot, "quantity": 100, "uom": "KGM"}],
                      bizTransactionList=[{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:8932222000014:PO-1"},
                                          {"type": "inv", "bizTransaction": "urn:epcglobal:cbv:bt:8931111000016:INV-9"}],
                      eventID="urn:uuid:00000000-0000-4000-8000-000000000003"),
        "other": event(place=A["place"], step="shipping", disposition="in_transit", when="2026-07-03T10:00:00+07:00",
                       quantityList=[{"epcClass": other_lot, "quantity": 5}], eventID="urn:uuid:00000000-0000-4000-8000-000000000004"),
    }
    b_events = {
        "receive": event(place=B["place"], step="receiving", disposition="in_progress", when="2026-07-01T12:00:00+07:00",
                         quantityList=[{"epcClass": lot, "quantity": 100, "uom": "KGM"}],
                         eventID="urn:uuid:00000000-0000-4000-8000-000000000005"),
        "pack": event("TransformationEvent", place=B["place"], when="2026-07-01T14:00:00+07:00",
                      inputQuantityList=[{"epcClass": lot, "quantity": 100, "uom": "KGM"}], inputEPCList=[s1],
                      outputQuantityList=[{"epcClass": box, "quantity": 90}], outputEPCList=[pallet],
                      transformationID="urn:uuid:11111111-0000-4000-8000-000000000000",
                      eventID="urn:uuid:00000000-0000-4000-8000-000000000006"),
        "pallet": event("AggregationEvent", place=B["place"], step="packing", disposition="in_progress", action="ADD",
                        when="2026-07-01T15:00:00+07:00", parentID=pallet,
                        childEPCs=[sgtin(B["prefix"], "9")], childQuantityList=[{"epcClass": box, "quantity": 90}],
                        eventID="urn:uuid:00000000-0000-4000-8000-000000000007"),
    }
    assert api("A").post("/epcis/capture", document(*a_events.values()), content_type="application/json").status_code == 202
    assert api("B").post("/epcis/capture", document(*b_events.values()), content_type="application/json").status_code == 202
    ids = {name: e["eventID"] for name, e in {**a_events, **b_events}.items()}
    return ids


def names(resp, ids):
    assert resp.status_code == 200, resp.content
    events = resp.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    by_id = {v: k for k, v in ids.items()}
    return [by_id[e["eventID"]] for e in events]


ALL = ["harvest", "serials", "ship", "receive", "pack", "pallet", "other"]  # by event time


CASES = [
    ({}, ALL),
    ({"eventType": "TransformationEvent|AggregationEvent"}, ["pack", "pallet"]),
    ({"GE_eventTime": "2026-07-01T10:00:00+07:00"}, ["ship", "receive", "pack", "pallet", "other"]),
    ({"LT_eventTime": "2026-07-01T03:00:00Z"}, ["harvest", "serials"]),  # 10:00 +07:00 = 03:00Z: not <
    ({"GE_eventTime": "2026-07-01T12:00:00+07:00", "LT_eventTime": "2026-07-02T00:00:00+07:00"},
     ["receive", "pack", "pallet"]),
    ({"EQ_action": "ADD"}, ["harvest", "serials", "pallet"]),
    ({"EQ_bizStep": "shipping"}, ["ship", "other"]),
    ({"EQ_bizStep": "urn:epcglobal:cbv:bizstep:receiving|https://ref.gs1.org/cbv/BizStep-packing"}, ["receive", "pallet"]),
    ({"EQ_disposition": "in_progress"}, ["receive", "pallet"]),
    ({"EQ_readPoint": "urn:epc:id:sgln:8932222.00001.0"}, ["receive", "pack", "pallet"]),
    ({"EQ_bizLocation": "https://id.gs1.org/414/8931111000011/254/0"}, ["harvest", "serials", "ship", "other"]),
    ({"MATCH_epc": "urn:epc:id:sgtin:8931111.000001.1"}, ["serials"]),
    ({"MATCH_epc": "urn:epc:id:sgtin:8932222.000001.9"}, ["pallet"]),  # a child EPC
    ({"MATCH_epc": "urn:epc:idpat:sgtin:8931111.000001.*"}, ["serials"]),
    ({"MATCH_anyEPC": "urn:epc:idpat:sgtin:8931111.*.*"}, ["serials", "pack"]),  # a company's items
    ({"MATCH_anyEPC": "https://id.gs1.org/01/08931111000011/21/1"}, ["serials", "pack"]),  # epcList and inputEPCList
    ({"MATCH_anyEPC": "urn:epc:id:sscc:8932222.0000000001"}, ["pack", "pallet"]),  # output and parent
    ({"MATCH_parentID": "urn:epc:id:sscc:8932222.0000000001"}, ["pallet"]),
    ({"MATCH_inputEPC": "urn:epc:id:sgtin:8931111.000001.1"}, ["pack"]),
    ({"MATCH_outputEPC": "urn:epc:id:sscc:8932222.0000000001"}, ["pack"]),
    ({"MATCH_epcClass": "urn:epc:class:lgtin:8931111.000001.L1"}, ["harvest", "ship", "receive"]),
    ({"MATCH_epcClass": "urn:epc:class:lgtin:8932222.000001.P1"}, ["pallet"]),  # childQuantityList
    ({"MATCH_anyEPCClass": "urn:epc:class:lgtin:8931111.000001.L1"}, ["harvest", "ship", "receive", "pack"]),
    ({"MATCH_anyEPCClass": "urn:epc:class:lgtin:8932222.000001.P1|urn:epc:class:lgtin:8931111.000001.L2"},
     ["pack", "pallet", "other"]),
    ({"EQ_bizTransaction_po": "urn:epcglobal:cbv:bt:8932222000014:PO-1"}, ["ship"]),
    ({"EQ_bizTransaction_inv": "urn:epcglobal:cbv:bt:8932222000014:PO-1"}, []),
    ({"EQ_eventID": "urn:uuid:00000000-0000-4000-8000-000000000005|urn:uuid:00000000-0000-4000-8000-000000000001"},
     ["harvest", "receive"]),
    ({"EQ_transformationID": "urn:uuid:11111111-0000-4000-8000-000000000000"}, ["pack"]),
    ({"EQ_bizStep": "shipping", "MATCH_epcClass": "urn:epc:class:lgtin:8931111.000001.L1"}, ["ship"]),
    ({"orderBy": "eventTime", "orderDirection": "DESC", "EQ_bizStep": "shipping"}, ["other", "ship"]),
]


def test_every_query_parameter(stored, officer):
    """All cases on one stored set (capturing it again for each case would cost half a second each)."""
    client = Client()
    client.force_login(officer)
    wrong = [(params, got, expected) for params, expected in CASES
             if (got := names(client.get("/epcis/events", params), stored)) != expected]
    assert wrong == []
    covered = {k for params, _ in CASES for k in params}
    assert {"eventType", "GE_eventTime", "LT_eventTime", "EQ_action", "EQ_bizStep", "EQ_disposition", "EQ_readPoint",
            "EQ_bizLocation", "MATCH_epc", "MATCH_anyEPC", "MATCH_parentID", "MATCH_inputEPC", "MATCH_outputEPC",
            "MATCH_epcClass", "MATCH_anyEPCClass", "EQ_bizTransaction_po", "EQ_eventID"} <= covered


def test_record_time_window(stored, officer):
    client = Client()
    client.force_login(officer)
    reg = EventId.objects.get(event_id=stored["harvest"])
    after = (reg.record_time).isoformat()
    assert len(names(client.get("/epcis/events", {"GE_recordTime": after}), stored)) == 7
    assert names(client.get("/epcis/events", {"LT_recordTime": after}), stored) == []


BAD = [
    ({"eventType": "HarvestEvent"}, "eventType"),
    ({"GE_eventTime": "hôm qua"}, "GE_eventTime"),
    ({"LT_eventTime": "2026-07-01T00:00:00"}, "LT_eventTime"),  # no time zone
    ({"MATCH_epc": "urn:epc:id:sgtin:8931111.000001"}, "MATCH_epc"),
    ({"EQ_quantity": "5"}, "EQ_quantity"),
    ({"perPage": "0"}, "perPage"),
    ({"perPage": "abc"}, "perPage"),
    ({"perPage": "²"}, "perPage"),  # a digit to str.isdigit, not to int()
    ({"nextPageToken": "forged"}, "nextPageToken"),
    ({"orderBy": "quantity"}, "orderBy"),
]


def test_bad_parameters_are_problems(officer):
    client = Client()
    client.force_login(officer)
    for params, name in BAD:
        r = client.get("/epcis/events", params)
        assert r.status_code == 400 and r["Content-Type"] == "application/problem+json", params
        assert r.json()["invalid_params"][0]["name"] == name


def test_paging(stored, officer):
    client = Client()
    client.force_login(officer)
    seen, url, pages = [], "/epcis/events?perPage=3", 0
    while url:
        r = client.get(url)
        seen += names(r, stored)
        pages += 1
        link = r.get("Link")
        if link:
            assert link.endswith('>; rel="next"') and "nextPageToken=" in link
            url = link[1:link.index(">")].replace("http://testserver", "")
        else:
            url = None
    assert seen == ALL and pages == 3
    # a token belongs to its query: reused with other parameters it is refused
    token = client.get("/epcis/events?perPage=3")["Link"].split("nextPageToken=")[1].split(">")[0]
    r = client.get(f"/epcis/events?perPage=3&EQ_bizStep=shipping&nextPageToken={token}")
    assert r.status_code == 400


def test_paging_descending_by_record_time(stored, officer):
    client = Client()
    client.force_login(officer)
    first = client.get("/epcis/events", {"perPage": 4, "orderBy": "recordTime", "orderDirection": "DESC"})
    token = first["Link"].split("nextPageToken=")[1].split(">")[0]
    second = client.get("/epcis/events", {"perPage": 4, "orderBy": "recordTime", "orderDirection": "DESC",
                                          "nextPageToken": __import__("urllib.parse").parse.unquote(token)})
    got = names(first, stored) + names(second, stored)
    assert sorted(got) == sorted(ALL) and len(set(got)) == 7 and "Link" not in second


def test_who_sees_what(stored, chain, api, enterprise_user):
    """A sees its own; B its own and A's (A shares with B); C nothing of theirs; officers all."""
    assert names(api("A").get("/epcis/events"), stored) == ["harvest", "serials", "ship", "other"]
    assert names(api("B").get("/epcis/events"), stored) == ALL
    assert names(api("C").get("/epcis/events"), stored) == []
    user = Client()
    user.force_login(enterprise_user(chain["C"]["enterprise"]))
    assert names(user.get("/epcis/events"), stored) == []
    url = "/epcis/events/" + quote(stored["receive"], safe="")
    assert api("B").get(url).status_code == 200
    r = api("A").get(url)  # B does not share with A
    assert r.status_code == 404 and r.json()["type"] == "epcisException:NoSuchResourceException"
    assert Client().get("/epcis/events").status_code == 401


def test_event_by_id(stored, officer):
    client = Client()
    client.force_login(officer)
    r = client.get("/epcis/events/" + quote(stored["pack"], safe=""))
    doc = r.json()
    assert doc["type"] == "EPCISQueryDocument"
    [e] = doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert e["eventID"] == stored["pack"] and e["type"] == "TransformationEvent" and e["recordTime"].endswith("Z")
    assert client.get("/epcis/events/" + quote("urn:uuid:nope", safe="")).status_code == 404


def test_hash_ids_in_urls(chain, api):
    """An ni:/// hash ID (slashes, ';', '?') round-trips through its percent-encoded URL."""
    a = api("A")
    doc = document(event(place=chain["A"]["place"], epcList=[sgtin(chain["A"]["prefix"], "5")]))
    a.post("/epcis/capture", doc, content_type="application/json")
    event_id = EventId.objects.get().event_id
    assert event_id.startswith("ni:///sha-256;") and event_id.endswith("?ver=CBV2.0")
    r = a.get("/epcis/events/" + quote(event_id, safe=""))
    assert r.status_code == 200
    assert r.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["eventID"] == event_id
