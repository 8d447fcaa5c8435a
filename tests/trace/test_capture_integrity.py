"""Capture integrity (issue 19): an eventID is unique per owner (no squatting, no oracle), nothing
unrepresentable is stored (times, numbers, Unicode, NUL, identifier lengths), concurrent identical
captures are one event, and the owner comes from bizLocation, else readPoint, else the caller."""
import json
from urllib.parse import quote

import pytest
from django.test import Client

from nscl.trace import query
from nscl.trace.models import CaptureJob, Event, EventId

from .conftest import CONTEXT, body, document, event, lgtin, sscc

pytestmark = pytest.mark.django_db

SHARED_ID = "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"


def post(client, doc, path="/epcis/capture"):
    return client.post(path, body(doc) if isinstance(doc, dict) else doc, content_type="application/json")


def harvest(chain, firm="A", lot="L1", **kw):
    return event(place=chain[firm]["place"], action="ADD",
                 quantityList=[{"epcClass": lgtin(chain[firm]["prefix"], lot), "quantity": 100, "uom": "KGM"}], **kw)


def ids_seen(client, event_id):
    r = client.get("/epcis/events", {"EQ_eventID": event_id})
    assert r.status_code == 200, r.content
    return r.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


def answer(r) -> dict:
    """A capture answer without what differs between any two captures (its id and times)."""
    got = r.json()
    return {"status": r.status_code, **{k: v for k, v in got.items() if k not in ("captureID", "createdAt", "finishedAt")}}


# --- item 1: identity ---------------------------------------------------------------------------


def test_another_owners_event_with_the_same_id_is_stored(chain, api, officer):
    """A holds eventID X; B's own, different event with X is stored as B's (never a silent 202 with
    storedCount 0), and each reads its own."""
    a, b = api("A"), api("B")
    assert post(a, document(harvest(chain, "A", eventID=SHARED_ID))).status_code == 202
    r = post(b, document(harvest(chain, "B", eventID=SHARED_ID)))
    assert r.status_code == 202 and (r.json()["storedCount"], r.json()["duplicateCount"]) == (1, 0)
    assert Event.objects.count() == 2 and EventId.objects.filter(event_id=SHARED_ID).count() == 2
    mine = ids_seen(b, SHARED_ID)  # B reads its own (A shares with B: A's too)
    assert chain["B"]["place"] in {e["bizLocation"]["id"] for e in mine}
    c_view = ids_seen(api("C"), SHARED_ID)
    assert c_view == []  # C holds neither
    by_id = b.get("/epcis/events/" + quote(SHARED_ID, safe=""))
    assert by_id.status_code == 200
    first = by_id.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]
    assert first["bizLocation"]["id"] == chain["B"]["place"]  # its own first
    session = Client()
    session.force_login(officer)
    both = session.get("/epcis/events/" + quote(SHARED_ID, safe="")).json()
    assert len(both["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 2


def test_no_oracle_the_answer_does_not_depend_on_other_owners_ids(chain, api):
    """C cannot tell whether an ID exists elsewhere: capturing an ID that B holds answers exactly as
    capturing a fresh one, on /epcis/capture and on /epcis/events."""
    post(api("B"), document(harvest(chain, "B", eventID=SHARED_ID)))
    c = api("C")
    taken = post(c, document(harvest(chain, "C", "L1", eventID=SHARED_ID)))
    fresh = post(c, document(harvest(chain, "C", "L2", eventID="urn:uuid:00000000-0000-4000-8000-000000000001")))
    assert answer(taken) == answer(fresh) and answer(taken)["storedCount"] == 1
    one = {"@context": CONTEXT, **harvest(chain, "C", "L3", eventID="urn:uuid:2b4e28ba-2fa1-11d2-883f-0016d3cca427")}
    post(api("A"), document(harvest(chain, "A", eventID=one["eventID"])))
    r = post(c, one, "/epcis/events")
    assert r.status_code == 201 and r.json()["eventID"] == one["eventID"]


def test_same_owner_same_id_other_content_is_refused(chain, api):
    """The owner's own ID with other content: 409 naming the event's index, saying the ID must be
    changed; nothing of the document stored."""
    a = api("A")
    assert post(a, document(harvest(chain, "A", "L1", eventID=SHARED_ID))).status_code == 202
    r = post(a, document(harvest(chain, "A", "L7"), harvest(chain, "A", "L2", eventID=SHARED_ID)))
    assert r.status_code == 409 and r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["errors"] == [{"eventIndex": 1, "eventID": SHARED_ID, "field": "eventID", "message": problem["errors"][0]["message"]}]
    assert "đã được dùng" in problem["errors"][0]["message"] and "đổi eventID" in problem["errors"][0]["message"]
    assert "sự kiện #1" in problem["detail"] and "Không sự kiện nào được ghi" in problem["detail"]
    assert Event.objects.count() == 1 and CaptureJob.objects.count() == 1
    single = post(a, {"@context": CONTEXT, **harvest(chain, "A", "L3", eventID=SHARED_ID)}, "/epcis/events")
    assert single.status_code == 409 and single.json()["errors"][0]["field"] == "eventID"
    # twice in one document with different content: the second is named
    other = "urn:uuid:3b4e28ba-2fa1-11d2-883f-0016d3cca427"
    r = post(a, document(harvest(chain, "A", "L4", eventID=other), harvest(chain, "A", "L5", eventID=other)))
    assert r.status_code == 409 and r.json()["errors"][0]["eventIndex"] == 1
    assert Event.objects.count() == 1


def test_identical_recapture_is_idempotent_whatever_the_form(chain, api):
    """The same event again (a CBV value in another of its forms) is the same event: stored once."""
    a = api("A")
    e = harvest(chain, "A", eventID=SHARED_ID)
    first = post(a, document(e))
    again = post(a, document({**e, "bizStep": "https://ref.gs1.org/cbv/BizStep-commissioning"}))
    assert first.status_code == again.status_code == 202
    assert (again.json()["storedCount"], again.json()["duplicateCount"]) == (0, 1)
    assert answer(post(a, document(e))) == answer(again)
    assert Event.objects.count() == 1


# --- item 2: nothing unrepresentable ------------------------------------------------------------


def refused_at(r, field):
    assert r.status_code == 400, r.content[:500]
    assert r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert any(p["field"] == field for p in problem["errors"]), problem["errors"]
    assert not Event.objects.exists() and not CaptureJob.objects.exists()
    return problem


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1899-12-31T23:59:59Z",
                                  "2101-01-01T00:00:00+07:00"])
def test_poison_times_are_refused(chain, api, when):
    problem = refused_at(post(api("A"), document(harvest(chain, "A", "L0"), harvest(chain, "A", when=when))),
                         "/epcisBody/eventList/1/eventTime")
    assert "1900–2100" in problem["errors"][0]["message"] and "sự kiện #1" in problem["detail"]


def test_poison_declaration_time_and_configured_years(chain, api, settings):
    bad = harvest(chain, "A", errorDeclaration={"declarationTime": "9999-12-31T23:59:59-14:00", "reason": "incorrect_data"})
    refused_at(post(api("A"), document(bad)), "/epcisBody/eventList/0/errorDeclaration/declarationTime")
    settings.NSCL_EPCIS_LATEST_YEAR = 2025
    refused_at(post(api("A"), document(harvest(chain, "A"))), "/epcisBody/eventList/0/eventTime")


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"9" * 5001, b"1." + b"5" * 5001])
def test_numbers_that_cannot_be_stored(chain, api, literal):
    raw = body(document(harvest(chain, "A"))).replace(b'"quantity": 100', b'"quantity": ' + literal)
    assert literal in raw
    refused_at(post(api("A"), raw), "/epcisBody/eventList/0/quantityList/0/quantity")


def test_lone_surrogate_and_nul_in_text(chain, api):
    for escape in (rb"\ud800", rb"\udfff", rb"\u0000"):
        raw = body(document(harvest(chain, "A", bizTransactionList=[
            {"type": "po", "bizTransaction": "urn:x:po:1"}]))).replace(b"urn:x:po:1", b"urn:x:po:" + escape)
        problem = refused_at(post(api("A"), raw), "/epcisBody/eventList/0/bizTransactionList/0/bizTransaction")
        assert ("NUL" if escape == rb"\u0000" else "nửa cặp thay thế") in problem["errors"][0]["message"]
    # in a field name, and in a single event
    raw = json.dumps({"@context": CONTEXT + [{"ex": "https://example.org/"}], **harvest(chain, "A")})
    raw = raw.replace('"action"', '"ex:a\\ud800", "action"'.replace('"ex:a\\ud800", ', '"ex:a\\ud800": 1, '), 1)
    r = post(api("A"), raw.encode(), "/epcis/events")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "/ex:a\\ud800"
    r.content.decode("utf-8")  # the answer itself is valid UTF-8


def test_long_event_id_is_refused_without_echoing_it(chain, api):
    long_id = "urn:x:" + "a" * 10_000
    r = post(api("A"), document(harvest(chain, "A", eventID=long_id)))
    problem = refused_at(r, "/epcisBody/eventList/0/eventID")
    assert "1.024" in problem["errors"][0]["message"] and len(r.content) < 3000
    at_limit = "urn:x:" + "b" * (1024 - 6)
    assert post(api("A"), document(harvest(chain, "A", eventID=at_limit))).status_code == 202
    assert EventId.objects.get().event_id == at_limit


def text_parameters():
    return sorted({*query.MATCH_ROLES, *query.TIMES, *query.EQUALS, "eventType", "EQ_eventID", "EQ_bizTransaction_po",
                   "perPage", "nextPageToken", "orderBy", "orderDirection"})


@pytest.mark.parametrize("name", text_parameters())
def test_nul_in_every_query_parameter(chain, api, name):
    a = api("A")
    post(a, document(harvest(chain, "A")))
    r = a.get("/epcis/events", {name: "urn:epc:id:sgtin:8931111.000001.\x001"})
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json", (name, r.content)
    assert r.json()["status"] == 400 and "NUL" in r.json()["detail"]
    r = a.get("/epcis/events", {name + "\x00": "x"})
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("url", [
    "/trace/?q=%00", "/trace/graph/?id=%00", "/trace/graph/?id=x&direction=back%00", "/trace/graph.json?id=a%00b",
    "/trace/recall/?id=%00", "/trace/recall/?id=x&format=csv%00", "/trace/p/08931111000011/?lot=L1%00",
    "/trace/p/08931111000011/?serial=%00", "/01/08931111000011/10/L%001", "/01/08931111000011?linkType=%00",
    "/epcis/events/urn%3Ax%00", "/epcis/capture?x=%00",
])
def test_nul_in_trace_pages(chain, officer, url):
    client = Client()
    client.force_login(officer)
    r = client.get(url)
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json", (url, r.status_code)


# --- item 3: the owner --------------------------------------------------------------------------


def test_event_without_biz_location(chain, api):
    """bizLocation is optional: a registered readPoint tells the owner."""
    e = event(epcList=[sscc(chain["A"]["prefix"], 1)])
    e["readPoint"] = {"id": chain["A"]["place"]}
    r = post(api("A"), document(e))
    assert r.status_code == 202, r.content
    assert Event.objects.get().owner == chain["A"]["enterprise"] and Event.objects.get().biz_location == ""


def test_owner_from_biz_location_first(chain, api, officer):
    """An officer records an event at B's place read at A's reader: it is B's (the bizLocation)."""
    from nscl.trace.models import Location
    from nscl.traceability import keys

    e = event(epcList=[sscc(chain["B"]["prefix"], 1)])
    e["readPoint"], e["bizLocation"] = {"id": chain["A"]["place"]}, {"id": chain["B"]["place"]}
    session = Client()
    session.force_login(officer)
    assert post(session, document(e)).status_code == 202
    assert Event.objects.get().owner == chain["B"]["enterprise"]
    assert Location.objects.filter(gln=keys.parse(chain["B"]["place"]).gln).exists()


def test_no_location_names_what_is_missing(chain, officer, api):
    """Without any location an officer's capture cannot tell the owner; the message says so in words
    (never "None"). An enterprise's key without locations records for its enterprise."""
    session = Client()
    session.force_login(officer)
    r = post(session, document(event(epcList=[sscc(chain["A"]["prefix"], 1)])))
    assert r.status_code == 403
    message = r.json()["errors"][0]["message"]
    assert "không có bizLocation" in message and "không có readPoint" in message and "None" not in message
    unregistered = event(place="urn:epc:id:sgln:8939999.00001.0", epcList=[sscc(chain["A"]["prefix"], 2)])
    message = post(session, document(unregistered)).json()["errors"][0]["message"]
    assert "bizLocation urn:epc:id:sgln:8939999.00001.0 chưa đăng ký" in message and "None" not in message
    assert post(api("A"), document(event(epcList=[sscc(chain["A"]["prefix"], 3)]))).status_code == 202
    assert Event.objects.get().owner == chain["A"]["enterprise"]


# --- rows stored before these checks --------------------------------------------------------------


def store_raw(owner, event_id, event_time, document):
    """An event written as the old code (or a hand-made INSERT) could: no check at all."""
    import datetime

    from django.db import connection

    reg = EventId.objects.create(event_id=event_id, owner=owner,
                                 record_time=datetime.datetime(2026, 7, 1, tzinfo=datetime.timezone.utc))
    record_time = connection.ops.adapt_datetimefield_value(reg.record_time) if connection.vendor == "sqlite" \
        else reg.record_time
    with connection.cursor() as cur:
        cur.execute("INSERT INTO trace_event (id, event_type, event_time, event_timezone_offset, record_time, action, "
                    "biz_step, disposition, read_point, biz_location, document, owner_id) "
                    "VALUES (%s, 'ObjectEvent', %s, '+00:00', %s, 'OBSERVE', '', '', '', '', %s, %s)",
                    [reg.pk, event_time, record_time, document, owner.pk])
    return reg.pk


def test_check_stored_finds_and_removes_poison_rows(chain, api, officer, capsys):
    from django.db import connection

    from nscl.cli import main

    a = chain["A"]["enterprise"]
    good = post(api("A"), document(harvest(chain, "A")))
    assert good.status_code == 202
    late = "10000-01-01 13:59:59" if connection.vendor == "sqlite" else "9999-12-31T23:59:59-14:00"
    early = "0000-12-31 10:00:00" if connection.vendor == "sqlite" else "0001-01-01T00:00:00+14:00"
    bad = [store_raw(a, "urn:x:late", late, json.dumps({"eventID": "urn:x:late", "eventTime": "9999-12-31T23:59:59-14:00"})),
           store_raw(a, "urn:x:early", early, json.dumps({"eventID": "urn:x:early", "eventTime": "0001-01-01T00:00:00+14:00"}))]
    if connection.vendor == "sqlite":  # PostgreSQL cannot hold these at all
        bad.append(store_raw(a, "urn:x:text", "2026-07-01 00:00:00", '{"eventID": "urn:x:text", "ex": "a\\ud800\\u0000"}'))
    session = Client(raise_request_exception=False)
    session.force_login(officer)
    assert session.get("/epcis/events").status_code == 500  # what the rows do until removed
    with pytest.raises(SystemExit) as code:
        main(["epcis", "check-stored", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code.value.code == 1 and {p["id"] for p in report["problems"]} == set(bad)
    assert {"eventTime/recordTime", "/eventTime"} <= {p["field"] for p in report["problems"]}
    with pytest.raises(SystemExit) as code:
        main(["epcis", "check-stored", "--delete"])
    assert code.value.code == 0 and f"đã xóa {len(bad)}" in capsys.readouterr().out
    assert Event.objects.count() == 1 and session.get("/epcis/events").status_code == 200
    with pytest.raises(SystemExit) as code:
        main(["epcis", "check-stored"])
    assert code.value.code == 0 and "0 sự kiện không hợp lệ" in capsys.readouterr().out
