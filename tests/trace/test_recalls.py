"""Declaring and ending a recall from the pages (issue 19, item 6): the officer or the owner chooses
lots, reason and consumer instructions; after a confirmation page the system captures the EPCIS
event itself (disposition recalled, bizStep holding) through the capture's own checks, records the
recall, notifies the enterprises downstream; the recall page lists it with its state; ending asks
first and is audited. Trace pages show times dd/mm/yyyy hh:mm and translated event types and arrows."""
import pytest
from django.test import Client

from nscl.audit.models import AuditEntry
from nscl.notifications.models import Notification
from nscl.trace.models import CompanyPrefix, Event, EventIdentifier, Recall

from .conftest import body, document, event, lgtin, sscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(chain, api):
    """A harvests lot L1 and ships it to B, who packs it on a pallet; C is not involved."""
    a, b = chain["A"], chain["B"]
    docs = [("A", document(
        event(place=a["place"], action="ADD", quantityList=[{"epcClass": lgtin(a["prefix"], "L1"), "quantity": 9}]),
        event(place=a["place"], action="ADD", when="2026-07-02T08:00:00+07:00",
              quantityList=[{"epcClass": lgtin(a["prefix"], "L2"), "quantity": 9}]),
        event(place=a["place"], step="shipping", disposition="in_transit", when="2026-07-01T10:00:00+07:00",
              quantityList=[{"epcClass": lgtin(a["prefix"], "L1"), "quantity": 9}]))),
        ("B", document(
            event(place=b["place"], step="receiving", when="2026-07-01T12:00:00+07:00",
                  quantityList=[{"epcClass": lgtin(a["prefix"], "L1"), "quantity": 9}]),
            event("AggregationEvent", place=b["place"], action="ADD", step="packing", when="2026-07-01T13:00:00+07:00",
                  parentID=sscc(b["prefix"], 1), childQuantityList=[{"epcClass": lgtin(a["prefix"], "L1"), "quantity": 9}])))]
    for letter, doc in docs:
        r = api(letter).post("/epcis/capture", body(doc), content_type="application/json")
        assert r.status_code == 202, r.content
    return chain


def login(user):
    client = Client()
    client.force_login(user)
    return client


def lots_value(chain, lot):
    return f"{chain['A']['product'].gtin}|{lot}"


def test_owner_declares_after_confirming_and_downstream_is_told(shipped, enterprise_user, django_capture_on_commit_callbacks):
    a = shipped["A"]["enterprise"]
    owner_user = enterprise_user(a)
    packer_user, bystander = enterprise_user(shipped["B"]["enterprise"]), enterprise_user(shipped["C"]["enterprise"])
    client = login(owner_user)
    page = client.get(f"/trace/enterprises/{a.pk}/recalls/new/").content.decode()
    assert "Sản phẩm A — Lô L1" in page and "Sản phẩm A — Lô L2" in page
    form = {"lots": [lots_value(shipped, "L1")], "reason": "Dư lượng vượt ngưỡng",
            "instructions": "Ngừng dùng, trả lại nơi mua.", "instructions_en": "Stop using it; return it."}
    r = client.post(f"/trace/enterprises/{a.pk}/recalls/new/", form)
    assert r.status_code == 200 and "Xác nhận thu hồi" in r.content.decode() and "không hoàn tác được" in r.content.decode()
    assert not Recall.objects.exists() and not Event.objects.filter(disposition="recalled").exists()  # asked first
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/trace/enterprises/{a.pk}/recalls/new/", {**form, "confirmed": "1"})
    recall = Recall.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/trace/recalls/{recall.pk}/"
    assert (recall.owner, recall.state, recall.declared_by) == (a, "active", owner_user)
    assert [(l.product, l.lot) for l in recall.lots.all()] == [(shipped["A"]["product"], "L1")]
    # the event, captured by the store: the owner's, disposition recalled, bizStep holding, naming the lot
    e = Event.objects.get(registry__event_id=recall.event_id)
    assert (e.owner, e.disposition, e.biz_step, e.event_type, e.action) == (a, "recalled", "holding", "ObjectEvent", "OBSERVE")
    assert EventIdentifier.objects.filter(event=e.registry, identifier=lgtin(shipped["A"]["prefix"], "L1")).exists()
    # B received the lot: told (and recorded as told); C was not involved
    assert list(recall.notified.all()) == [shipped["B"]["enterprise"]]
    told = Notification.objects.filter(kind="recall_declared")
    assert set(told.values_list("user", flat=True)) == {packer_user.pk}
    assert not told.filter(user=bystander).exists() and not told.filter(user=owner_user).exists()
    assert told.get().url == f"/trace/recalls/{recall.pk}/"
    assert AuditEntry.objects.filter(model="trace.Recall", object_id=str(recall.pk), action="create").exists()
    # the recall page lists it with its state; B may read it, C may not
    listing = client.get("/trace/recall/").content.decode()
    assert f"/trace/recalls/{recall.pk}/" in listing and "Đang thu hồi" in listing
    assert login(packer_user).get(f"/trace/recalls/{recall.pk}/").status_code == 200
    assert login(bystander).get(f"/trace/recalls/{recall.pk}/").status_code == 403
    assert f"/trace/recalls/{recall.pk}/" not in login(bystander).get("/trace/recall/").content.decode()
    # consumers see it at the top of the lot's page
    page = Client().get(f"/trace/p/{shipped['A']['product'].gtin}/?lot=L1").content.decode()
    assert "Ngừng dùng, trả lại nơi mua." in page.split("<h1")[0]


def test_end_asks_first_and_is_audited(shipped, enterprise_user, officer):
    a = shipped["A"]["enterprise"]
    staff = login(officer)
    form = {"lots": [lots_value(shipped, "L2")], "reason": "Bao bì hở", "instructions": "Không dùng.",
            "confirmed": "1"}
    assert staff.post(f"/trace/enterprises/{a.pk}/recalls/new/", form).status_code == 302  # an officer, for A
    recall = Recall.objects.get()
    assert recall.declared_by == officer and Event.objects.get(registry__event_id=recall.event_id).owner == a
    assert login(enterprise_user(shipped["C"]["enterprise"])).post(f"/trace/recalls/{recall.pk}/end/").status_code == 403
    r = staff.get(f"/trace/recalls/{recall.pk}/end/")
    assert r.status_code == 200 and "Xác nhận kết thúc" in r.content.decode()
    assert Recall.objects.get().state == "active"  # asking changes nothing
    r = staff.post(f"/trace/recalls/{recall.pk}/end/", {"note": "Đã thu về 9 kg, tiêu hủy."})
    assert r.status_code == 302
    recall.refresh_from_db()
    assert (recall.state, recall.ended_by, recall.end_note) == ("ended", officer, "Đã thu về 9 kg, tiêu hủy.")
    entry = AuditEntry.objects.filter(model="trace.Recall", object_id=str(recall.pk), action="update").latest("at")
    assert entry.before["state"] == "active" and entry.after["state"] == "ended"
    assert "Đã kết thúc" in staff.get("/trace/recall/").content.decode()
    page = Client().get(f"/trace/p/{shipped['A']['product'].gtin}/?lot=L2").content.decode()
    assert "Lô sản phẩm này đang bị thu hồi" in page and "Đợt thu hồi đã kết thúc ngày" in page


def test_who_may_declare_and_what_capture_refuses(shipped, enterprise_user):
    a = shipped["A"]["enterprise"]
    form = {"lots": [lots_value(shipped, "L1")], "reason": "x", "instructions": "y", "confirmed": "1"}
    other = login(enterprise_user(shipped["C"]["enterprise"]))
    assert other.post(f"/trace/enterprises/{a.pk}/recalls/new/", form).status_code == 404  # another's: not even seen
    assert other.post(f"/trace/enterprises/{a.pk}/recalls/new/", {
        **form, "lots": [f"{shipped['C']['product'].gtin}|L1"]}).status_code == 404
    owner = login(enterprise_user(a))
    r = owner.post(f"/trace/enterprises/{a.pk}/recalls/new/", {**form, "lots": ["08931111000011|NOPE"]})
    assert r.status_code == 400 and not Recall.objects.exists()  # only lots the events name
    # the owner's prefix no longer verified: the capture's own check refuses, nothing is written
    CompanyPrefix.objects.filter(enterprise=a).update(status="rejected")
    r = owner.post(f"/trace/enterprises/{a.pk}/recalls/new/", form)
    assert r.status_code == 403 and "không thuộc tiền tố mã doanh nghiệp GS1" in r.content.decode()
    assert not Recall.objects.exists() and not Event.objects.filter(disposition="recalled").exists()


def test_trace_pages_show_local_times_and_translated_words(shipped, officer):
    staff = login(officer)
    lot = lgtin(shipped["A"]["prefix"], "L1")
    page = staff.get("/trace/graph/", {"id": lot, "direction": "forward"}).content.decode()
    assert "01/07/2026 08:00" in page and "2026-07-01T08:00:00+07:00" not in page
    assert "Sự kiện đối tượng" in page and "Gộp kiện" in page and "đóng vào kiện" in page
    english = login(officer)
    english.cookies["django_language"] = "en"
    page = english.get("/trace/graph/", {"id": lot, "direction": "forward"}).content.decode()
    assert "Object event" in page and "Aggregation" in page and "packed into" in page
    assert ">aggregated_into<" not in page and ">ObjectEvent<" not in page
    recall = english.get("/trace/recall/", {"id": lot}).content.decode()
    assert "01/07/2026 08:00" in recall and "Object event" in recall
