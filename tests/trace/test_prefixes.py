"""GS1 company prefixes (issue 19, item 4): a GTIN, GLN or SSCC outside the enterprise's verified
prefixes is refused on registration and on capture, naming the number; a pending prefix is allowed
in drafts, shown "chưa xác minh" to consumers; officers verify or reject after a confirmation page,
audited; the longest prefix wins; the National Barcode Centre's members list is imported all or
nothing."""
import datetime
import json

import pytest
from django.test import Client

from nscl.audit.models import AuditEntry
from nscl.cli import main
from nscl.enterprises.models import Enterprise
from nscl.trace import prefixes
from nscl.trace.models import CompanyPrefix, Event, Location, Product
from nscl.traceability import keys

from .conftest import body, document, event, lgtin, sscc

pytestmark = pytest.mark.django_db


def post(client, doc):
    return client.post("/epcis/capture", body(doc), content_type="application/json")


@pytest.fixture
def own(chain, enterprise_user):
    client = Client()
    client.force_login(enterprise_user(chain["A"]["enterprise"]))
    return client


@pytest.fixture
def officer_client(officer):
    client = Client()
    client.force_login(officer)
    return client


def test_registration_outside_the_verified_prefixes_is_refused(chain, own):
    a = chain["A"]["enterprise"]
    foreign = keys.with_check_digit("0893222200002")  # under B's verified prefix
    r = own.post(f"/trace/enterprises/{a.pk}/products/new/", {"gtin": foreign, "name": "Hàng mượn mã"})
    page = r.content.decode()
    assert r.status_code == 400 and "8932222" in page and "doanh nghiệp khác" in page
    assert not Product.objects.filter(name="Hàng mượn mã").exists()
    nobody = keys.with_check_digit("893999900001")  # a prefix nobody declared
    r = own.post(f"/trace/enterprises/{a.pk}/locations/new/", {"gln": nobody, "name": "Kho lạ"})
    assert r.status_code == 400 and nobody in r.content.decode() and not Location.objects.filter(gln=nobody).exists()
    mine = keys.with_check_digit("893111100002")  # under A's verified prefix
    r = own.post(f"/trace/enterprises/{a.pk}/locations/new/", {"gln": mine, "name": "Kho mới"})
    assert r.status_code == 302 and Location.objects.filter(gln=mine, owner=a).exists()


def test_capture_outside_the_verified_prefixes_is_refused_naming_it(chain, api):
    a = chain["A"]
    # a product and a location registered before the rule (straight in the database), under C's prefix
    product = Product.objects.create(gtin=keys.with_check_digit("0893333300007"), name="Cũ", owner=a["enterprise"])
    place = Location.objects.create(gln=keys.with_check_digit("893333300009"), name="Kho cũ", owner=a["enterprise"])
    bad_place = keys.Key("sgln", gln=place.gln, extension="0").epc_urn
    r = post(api("A"), document(
        event(place=a["place"], action="ADD", quantityList=[{"epcClass": lgtin(a["prefix"], "OK"), "quantity": 1}]),
        event(place=a["place"], action="ADD", quantityList=[
            {"epcClass": keys.Key("lgtin", gtin=product.gtin, lot="X").epc_urn, "quantity": 1}]),
        event(place=bad_place, quantityList=[{"epcClass": lgtin(a["prefix"], "OK"), "quantity": 1}]),
        event("AggregationEvent", place=a["place"], action="ADD", parentID=sscc("8933333", 7),
              childQuantityList=[{"epcClass": lgtin(a["prefix"], "OK"), "quantity": 1}])))
    assert r.status_code == 403 and r["Content-Type"] == "application/problem+json"
    problems = r.json()["errors"]
    by_index = {}
    for p in problems:
        by_index.setdefault(p["eventIndex"], []).append(p)
    assert 0 not in by_index  # A's own numbers are fine
    assert by_index[1][0]["field"] == "quantityList" and product.gtin in by_index[1][0]["message"]
    assert {p["field"] for p in by_index[2]} == {"bizLocation.id", "readPoint.id"}
    assert place.gln in by_index[2][0]["message"]
    assert by_index[3][0]["field"] == "parentID" and "SSCC 089333330000000077" in by_index[3][0]["message"]
    assert Event.objects.count() == 0  # all or nothing


def test_a_partners_pallet_and_goods_are_fine(chain, api):
    """B records A's lot (A shares with B) and A's pallet: both under A's verified prefix."""
    a, b = chain["A"], chain["B"]
    r = post(api("B"), document(event(place=b["place"], step="receiving", epcList=[sscc(a["prefix"], 3)],
                                      quantityList=[{"epcClass": lgtin(a["prefix"], "L1"), "quantity": 5}])))
    assert r.status_code == 202, r.content


def test_pending_prefix_draft_then_verified(chain, own, api, officer_client):
    a = chain["A"]["enterprise"]
    r = own.post(f"/trace/enterprises/{a.pk}/prefixes/new/", {
        "prefix": "8937777", "certificate_number": "GCN-7", "valid_from": "01/01/2026", "valid_to": "31/12/2028"})
    assert r.status_code == 302
    claim = CompanyPrefix.objects.get(prefix="8937777")
    assert claim.status == "pending" and claim.enterprise == a and claim.declared_by is not None
    draft = keys.with_check_digit("0893777700001")
    r = own.post(f"/trace/enterprises/{a.pk}/products/new/", {"gtin": draft, "name": "Sản phẩm nháp"}, follow=True)
    assert r.status_code == 200 and "bản nháp" in r.content.decode()
    product = Product.objects.get(gtin=draft)
    page = own.get(f"/trace/enterprises/{a.pk}/").content.decode()
    assert "bản nháp (tiền tố chưa xác minh)" in page
    consumer = Client().get(f"/trace/p/{draft}/").content.decode()
    assert "chưa xác minh" in consumer
    assert "chưa xác minh" not in Client().get(f"/trace/p/{chain['A']['product'].gtin}/").content.decode()
    doc = document(event(place=chain["A"]["place"], action="ADD", quantityList=[
        {"epcClass": keys.Key("lgtin", gtin=draft, lot="D1").epc_urn, "quantity": 1}]))
    r = post(api("A"), doc)
    assert r.status_code == 403 and draft in json.dumps(r.json(), ensure_ascii=False)  # a draft: no events yet
    # the officer checks the certificate: a confirmation page first, then the decision, audited
    pending = CompanyPrefix.objects.get(prefix="8937777")
    page = officer_client.get("/trace/prefixes/").content.decode()
    assert "8937777" in page and "GCN-7" in page
    r = officer_client.get(f"/trace/prefixes/{pending.pk}/verify/")
    assert r.status_code == 200 and "Xác nhận xác minh" in r.content.decode()
    assert CompanyPrefix.objects.get(pk=pending.pk).status == "pending"  # asking changes nothing
    r = officer_client.post(f"/trace/prefixes/{pending.pk}/verify/", {
        "certificate_number": "GCN-7", "valid_from": "01/01/2026", "valid_to": "31/12/2028"})
    assert r.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "verified" and pending.verified_by is not None and pending.verified_at
    entry = AuditEntry.objects.filter(model="trace.CompanyPrefix", object_id=str(pending.pk)).latest("at")
    assert entry.action == "confirm" and entry.after["status"] == "verified" and entry.before["status"] == "pending"
    assert post(api("A"), doc).status_code == 202
    assert "chưa xác minh" not in Client().get(f"/trace/p/{product.gtin}/").content.decode()


def test_reject_asks_first_and_is_audited(chain, own, officer_client, enterprise_user):
    a = chain["A"]["enterprise"]
    own.post(f"/trace/enterprises/{a.pk}/prefixes/new/", {
        "prefix": "8935555", "certificate_number": "GCN-5", "valid_from": "01/01/2026", "valid_to": "31/12/2028"})
    claim = CompanyPrefix.objects.get(prefix="8935555")
    assert own.get(f"/trace/prefixes/{claim.pk}/verify/").status_code == 403  # not for the enterprise itself
    assert own.post(f"/trace/prefixes/{claim.pk}/verify/", {
        "certificate_number": "x", "valid_from": "01/01/2026", "valid_to": "31/12/2028"}).status_code == 403
    assert officer_client.post(f"/trace/prefixes/{claim.pk}/reject/", {}).status_code == 400  # a reason is needed
    r = officer_client.post(f"/trace/prefixes/{claim.pk}/reject/", {"note": "Giấy chứng nhận không khớp."})
    assert r.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "rejected" and claim.note == "Giấy chứng nhận không khớp."
    entry = AuditEntry.objects.filter(model="trace.CompanyPrefix", object_id=str(claim.pk)).latest("at")
    assert entry.action == "update" and entry.after["status"] == "rejected"
    r = own.post(f"/trace/enterprises/{a.pk}/products/new/", {"gtin": keys.with_check_digit("0893555500001"),
                                                             "name": "Bị từ chối"})
    assert r.status_code == 400


def test_a_verified_prefix_has_one_holder(chain, own, officer_client):
    b = chain["B"]["enterprise"]
    a = chain["A"]["enterprise"]
    r = own.post(f"/trace/enterprises/{a.pk}/prefixes/new/", {
        "prefix": chain["B"]["prefix"], "certificate_number": "GCN", "valid_from": "01/01/2026", "valid_to": "31/12/2028"})
    assert r.status_code == 400 and not CompanyPrefix.objects.filter(enterprise=a, prefix=chain["B"]["prefix"]).exists()
    claim = CompanyPrefix.objects.create(enterprise=a, prefix="8934444", certificate_number="x")
    CompanyPrefix.objects.create(enterprise=b, prefix="8934444", status="verified")
    r = officer_client.post(f"/trace/prefixes/{claim.pk}/verify/", {
        "certificate_number": "x", "valid_from": "01/01/2026", "valid_to": "31/12/2028"})
    assert r.status_code == 400 and "doanh nghiệp khác" in r.content.decode()
    assert CompanyPrefix.objects.get(pk=claim.pk).status == "pending"


def test_the_longest_prefix_wins_and_an_expired_certificate_does_not_count(chain):
    a, b = chain["A"]["enterprise"], chain["B"]["enterprise"]
    CompanyPrefix.objects.create(enterprise=b, prefix="893111150", status="verified")  # inside A's 8931111
    inside = keys.with_check_digit("0893111150001")
    assert prefixes.standing(a, inside).status is None and prefixes.standing(b, inside).status == "verified"
    assert prefixes.standing(a, keys.with_check_digit("0893111160001")).status == "verified"
    table = prefixes.Holders({a.pk})
    assert table.holder_of(inside) == b.pk and table.holder_of(chain["A"]["product"].gtin) == a.pk
    CompanyPrefix.objects.filter(enterprise=a).update(valid_to=datetime.date(2020, 12, 31))
    assert prefixes.standing(a, chain["A"]["product"].gtin).status is None


MEMBERS = """prefix,tax_code,name,certificate_number,valid_from,valid_to
8936001,0100109106,Doanh nghiệp A,GCN-6001,01/01/2025,31/12/2027
8936002,0314409058,Doanh nghiệp B,GCN-6002,2025-03-01,2028-02-28
8936003,0101243150,Doanh nghiệp C,GCN-6003,01/01/2025,31/12/2027
8936099,0109999904,Không có trong hệ thống,GCN-6099,01/01/2025,31/12/2027
"""


def run(capsys, *argv):
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


def test_members_import_is_all_or_nothing(chain, tmp_path, capsys):
    c = chain["C"]["enterprise"]
    claim = CompanyPrefix.objects.create(enterprise=c, prefix="8936002", certificate_number="của C?")  # B's, per the list
    bad = tmp_path / "bad.csv"
    bad.write_text(MEMBERS + "89360,0100109106,A,GCN,01/01/2025,31/12/2027\n"
                   "8936005,0100109107,A,GCN,01/01/2025,31/12/2027\n"
                   "8936006,0100109106,A,GCN,31/12/2027,01/01/2025\n", encoding="utf-8")
    before = CompanyPrefix.objects.count()
    code, out, err = run(capsys, "trace", "import-prefixes", str(bad))
    assert code == 1 and "Không ghi gì: 3 lỗi" in err
    assert "dòng 6" in err and "dòng 7" in err and "dòng 8" in err and "6 đến 12 chữ số" in err
    assert CompanyPrefix.objects.count() == before and CompanyPrefix.objects.get(pk=claim.pk).status == "pending"
    good = tmp_path / "members.csv"
    good.write_text(MEMBERS, encoding="utf-8")
    code, out, _ = run(capsys, "trace", "import-prefixes", str(good), "--dry-run")
    assert code == 0 and "không ghi" in out and CompanyPrefix.objects.count() == before
    code, out, _ = run(capsys, "trace", "import-prefixes", str(good), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["created"] == 3 and report["skipped"] == ["0109999904"]
    assert report["claims_rejected"] == 1 and CompanyPrefix.objects.get(pk=claim.pk).status == "rejected"
    b = CompanyPrefix.objects.get(prefix="8936002", status="verified")
    assert b.enterprise == chain["B"]["enterprise"] and b.certificate_number == "GCN-6002"
    assert (b.valid_from, b.valid_to) == (datetime.date(2025, 3, 1), datetime.date(2028, 2, 28))
    assert AuditEntry.objects.filter(model="trace.CompanyPrefix", object_id=str(b.pk), action="confirm").exists()
    code, out, _ = run(capsys, "trace", "import-prefixes", str(good), "--format", "json")
    assert json.loads(out)["unchanged"] == 3  # again: nothing new
    # a list naming another holder for a verified prefix is refused whole
    clash = tmp_path / "clash.csv"
    clash.write_text("prefix;tax code;name;certificate number;valid from;valid to\n"
                     "8936004;0100109106;A;GCN;01/01/2025;31/12/2027\n"
                     f"8936001;{chain['C']['enterprise'].tax_code};C;GCN;01/01/2025;31/12/2027\n", encoding="utf-8")
    code, _, err = run(capsys, "trace", "import-prefixes", str(clash))
    assert code == 1 and "8936001" in err and not CompanyPrefix.objects.filter(prefix="8936004").exists()
    assert Enterprise.objects.count() == 3
