"""POST /epcis/capture and /epcis/events: all or nothing, the same event stored once, hash IDs for
events without one, RFC 7807 problems naming the event and field, who may record what."""
import json
from urllib.parse import quote

import pytest
from django.test import Client

from nscl.trace.models import CaptureJob, Event, EventBizTransaction, EventId, EventIdentifier
from nscl.traceability import hashing, keys

from .conftest import CONTEXT, body, document, event, lgtin, sgtin, sscc

pytestmark = pytest.mark.django_db


def post(client, doc, path="/epcis/capture"):
    return client.post(path, body(doc) if isinstance(doc, dict) else doc, content_type="application/json")


def harvest(chain, lot="L1", when="2026-07-01T08:00:00+07:00", **kw):
    return event(place=chain["A"]["place"], when=when, action="ADD",
                 quantityList=[{"epcClass": lgtin(chain["A"]["prefix"], lot), "quantity": 100, "uom": "KGM"}], **kw)


def test_capture_stores_and_reports_a_job(chain, api):
    a = api("A")
    e1 = harvest(chain, "L1", bizTransactionList=[{"type": "https://ref.gs1.org/cbv/BTT-po", "bizTransaction": "urn:x:po:1"}])
    e2 = harvest(chain, "L2", when="2026-07-02T08:00:00+07:00", eventID="urn:uuid:6e0a8f4c-1d7e-4b8e-9d2b-2f1c8a7e5b10")
    r = post(a, document(e1, e2))
    assert r.status_code == 202, r.content
    job = CaptureJob.objects.get()
    assert r["Location"] == f"/epcis/capture/{job.id}"
    got = a.get(r["Location"]).json()
    assert got["success"] is True and got["running"] is False and got["captureErrorBehaviour"] == "rollback"
    assert (got["eventCount"], got["storedCount"], got["duplicateCount"]) == (2, 2, 0)
    assert r["GS1-EPCIS-Version"] == "2.0.0"
    # the event without an eventID got its canonical hash ID; the other kept its own
    expected = hashing.event_hash_id(e1, CONTEXT)
    assert set(EventId.objects.values_list("event_id", flat=True)) == {expected, e2["eventID"]}
    stored = Event.objects.get(registry__event_id=expected)
    assert stored.owner == chain["A"]["enterprise"] and stored.biz_step == "commissioning"
    assert stored.read_point == chain["A"]["place"] and stored.document["eventID"] == expected
    assert EventIdentifier.objects.filter(event=stored.registry, role="epc_class",
                                          identifier=lgtin(chain["A"]["prefix"], "L1")).exists()
    assert EventBizTransaction.objects.get().type == "po"  # the CBV name, whatever form was sent


def test_same_event_twice_is_stored_once(chain, api):
    a = api("A")
    e = harvest(chain)
    assert post(a, document(e, dict(e))).status_code == 202  # twice in one document
    r = post(a, document(e))  # and again later
    assert r.status_code == 202 and r.json()["duplicateCount"] == 1 and r.json()["storedCount"] == 0
    assert Event.objects.count() == EventId.objects.count() == 1
    assert CaptureJob.objects.order_by("created_at").first().duplicate_count == 1


@pytest.mark.parametrize("bad, field", [
    ({"eventTime": "01-07-2026"}, "/epcisBody/eventList/1/eventTime"),  # not a date-time
    ({"type": "HarvestEvent"}, "/epcisBody/eventList/1/type"),  # unknown event type
    ({"bizStep": "harvesting"}, "/epcisBody/eventList/1/bizStep"),  # not a CBV step nor a URI
])
def test_one_bad_event_stores_nothing(chain, api, bad, field):
    a = api("A")
    good, wrong = harvest(chain, "L1"), harvest(chain, "L2")
    wrong.update(bad)
    r = post(a, document(good, wrong))
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"] == "epcisException:ValidationException" and problem["status"] == 400
    assert any(p["eventIndex"] == 1 and p["field"].startswith(field) for p in problem["errors"]), problem
    assert "sự kiện #1" in problem["detail"] and "Không sự kiện nào được ghi" in problem["detail"]
    assert not Event.objects.exists() and not EventId.objects.exists() and not CaptureJob.objects.exists()


def test_wrong_check_digit_names_the_field(chain, api):
    a = api("A")
    e = harvest(chain)
    e["quantityList"][0]["epcClass"] = "https://id.gs1.org/01/08931111000012/10/L1"  # check digit should be 1
    good = harvest(chain, "L9")
    r = post(a, document(good, e))
    assert r.status_code == 400
    assert [p["field"] for p in r.json()["errors"]] == ["/epcisBody/eventList/1/quantityList/0/epcClass"]
    assert not Event.objects.exists()


def test_malformed_json_and_size_limit(chain, api):
    a = api("A")
    r = post(a, b'{"type": "EPCISDocument", "epcisBody": ')
    assert r.status_code == 400 and "JSON" in r.json()["detail"] and "dòng 1" in r.json()["detail"]
    r = a.post("/epcis/capture", b"x" * (10 * 1024 * 1024 + 1), content_type="application/json")
    assert r.status_code == 413 and r.json()["type"] == "epcisException:CaptureLimitExceededException"
    assert r["GS1-EPCIS-Capture-File-Size-Limit"] == str(10 * 1024 * 1024)
    assert not CaptureJob.objects.exists()


def test_a_big_valid_document_under_the_limit_is_accepted(chain, api):
    """Past Django's 5 MB DATA_UPLOAD_MAX_MEMORY_SIZE (the body is read from the stream)."""
    a = api("A")
    events = [harvest(chain, f"L{i}", ilmd={"example:note": "x" * 2000}) for i in range(2600)]
    doc = document(*events)
    doc["@context"] = CONTEXT + [{"example": "https://example.org/ns/"}]
    raw = body(doc)
    assert 5 * 1024 * 1024 < len(raw) < 10 * 1024 * 1024
    r = post(a, raw)
    assert r.status_code == 202, r.content[:500]
    assert Event.objects.count() == 2600


def test_post_one_event(chain, api):
    a = api("A")
    e = {"@context": CONTEXT, **harvest(chain)}
    r = post(a, e, "/epcis/events")
    assert r.status_code == 201
    event_id = hashing.event_hash_id({k: v for k, v in e.items() if k != "@context"}, CONTEXT)
    assert r["Location"] == "/epcis/events/" + quote(event_id, safe="")
    assert a.get(r["Location"]).json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["eventID"] == event_id
    r = post(a, e, "/epcis/events")
    assert r.status_code == 409 and r["Location"].endswith(quote(event_id, safe=""))
    assert Event.objects.count() == 1
    r = post(a, {**e, "type": "SomethingEvent"}, "/epcis/events")
    assert r.status_code == 400 and Event.objects.count() == 1


def test_authentication(chain, api):
    doc = document(harvest(chain))
    assert post(Client(), doc).status_code == 401
    r = post(Client(HTTP_AUTHORIZATION="Bearer nscl_00000000_wrong"), doc)
    assert r.status_code == 401 and r["WWW-Authenticate"].startswith("Bearer")
    a = api("A")
    a.key.revoked_at = "2026-07-01T00:00:00Z"
    a.key.save()
    assert post(a, doc).status_code == 401
    assert not Event.objects.exists()


def test_capture_only_at_own_locations(chain, api):
    """B may not record at A's location; nothing of the document is stored."""
    b = api("B")
    own = event(place=chain["B"]["place"], epcList=[sscc(chain["B"]["prefix"], 1)])
    foreign = event(place=chain["A"]["place"], epcList=[sscc(chain["B"]["prefix"], 2)])
    r = post(b, document(own, foreign))
    assert r.status_code == 403
    errors = r.json()["errors"]
    assert {(p["eventIndex"], p["field"]) for p in errors} == {(1, "readPoint.id"), (1, "bizLocation.id")}
    assert "Địa điểm A" in errors[0]["message"]
    assert not Event.objects.exists()
    unknown = event(place="urn:epc:id:sgln:8939999.00001.0", epcList=[sscc(chain["B"]["prefix"], 3)])
    assert post(b, document(unknown)).status_code == 403


def test_api_key_limited_to_a_location(chain, api):
    from nscl.trace.models import Location

    second = Location.objects.create(gln=keys.with_check_digit("893222200002"), name="Kho B2", owner=chain["B"]["enterprise"])
    b1 = api("B", locations=[chain["B"]["location"]])
    at_second = event(place="urn:epc:id:sgln:8932222.00002.0", epcList=[sscc(chain["B"]["prefix"], 1)])
    r = post(b1, document(at_second))
    assert r.status_code == 403 and "phạm vi của khóa API" in r.json()["errors"][0]["message"]
    at_first = event(place=chain["B"]["place"], epcList=[sscc(chain["B"]["prefix"], 1)])
    assert post(b1, document(at_first)).status_code == 202
    assert post(api("B"), document(at_second)).status_code == 202  # an unlimited key of B
    assert second.owner_id == chain["B"]["enterprise"].pk and Event.objects.count() == 2


def test_products_own_or_shared(chain, api):
    """B records A's product (A shares with B: B received it) but not C's; A does not record B's."""
    receive_a = event(place=chain["B"]["place"], step="receiving",
                      quantityList=[{"epcClass": lgtin(chain["A"]["prefix"], "L1"), "quantity": 5}])
    assert post(api("B"), document(receive_a)).status_code == 202
    receive_c = event(place=chain["B"]["place"], step="receiving", epcList=[sgtin(chain["C"]["prefix"], "7")])
    r = post(api("B"), document(receive_c))
    assert r.status_code == 403 and "GTIN" in r.json()["errors"][0]["message"]
    receive_b = event(place=chain["A"]["place"], step="receiving", epcList=[sgtin(chain["B"]["prefix"], "7")])
    assert post(api("A"), document(receive_b)).status_code == 403
    assert Event.objects.count() == 1


def test_csrf_for_sessions_only(chain, api, enterprise_user):
    """A bearer key needs no CSRF token; a logged-in session posting without one is refused."""
    doc = document(harvest(chain))
    session = Client(enforce_csrf_checks=True)
    session.force_login(enterprise_user(chain["A"]["enterprise"]))
    r = post(session, doc)
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    assert not Event.objects.exists()
    assert post(api("A"), doc).status_code == 202
    plain = Client()  # the test client's default: no CSRF enforcement, so the session itself works
    plain.force_login(enterprise_user(chain["A"]["enterprise"]))
    assert post(plain, document(harvest(chain, "L7"))).status_code == 202


def test_capture_jobs_are_private(chain, api):
    r = post(api("A"), document(harvest(chain)))
    location = r["Location"]
    assert api("B").get(location).status_code == 404
    assert api("A").get("/epcis/capture").json()[0]["captureID"] == location.rsplit("/", 1)[1]
    assert api("B").get("/epcis/capture").json() == []


def test_gs1_example_documents_captured_by_an_officer(chain, officer):
    """The GS1 transformation example (locations not registered) is refused for lack of an owner, and
    stored once its location is registered."""
    from pathlib import Path

    from nscl.trace.models import Location

    path = Path(__file__).parents[1] / "data/epcis/gs1/JSON/Example_9.6.4-TransformationEvent.jsonld"
    client = Client()
    client.force_login(officer)
    r = post(client, path.read_bytes())
    assert r.status_code == 403 and "chưa đăng ký" in r.json()["errors"][0]["message"]
    Location.objects.create(gln=keys.with_check_digit("401234500001"), name="GS1 example", owner=chain["C"]["enterprise"])
    r = post(client, path.read_bytes())
    assert r.status_code == 202
    stored = Event.objects.get()
    doc = json.loads(path.read_text())
    assert stored.registry.event_id == doc["epcisBody"]["eventList"][0]["eventID"]
    assert stored.owner == chain["C"]["enterprise"] and stored.event_type == "TransformationEvent"
