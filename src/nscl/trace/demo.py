"""Illustrative traceability data ("Dữ liệu minh họa"): a longan (nhãn lồng) chain of four invented
enterprises — an orchard cooperative, a packing house, a cold store and an exporter — with their
locations (GLN), products (GTIN), data sharing and one harvest season of EPCIS events captured under
each enterprise's own rules; one harvest lot is recalled (with its recall record). GS1 numbers use
the invented company prefixes 8930001-8930004, one per enterprise, each verified as if by an
officer with an invented certificate (GS1 Vietnam's 893 range; not allocated to anyone real).
`remove()` deletes exactly these records."""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from nscl.enterprises.dossiers import Certificate
from nscl.enterprises.models import Enterprise, SupportContent
from nscl.programme.demo import demo_tax_code
from nscl.traceability import keys

from . import store
from .access import Actor
from .models import ApiKey, CaptureJob, CompanyPrefix, Event, EventId, Location, Product, Recall, RecallLot, Share

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
TZ = datetime.timezone(datetime.timedelta(hours=7))
SEASON_START = datetime.date(2026, 7, 20)
HARVEST_DAYS = 10
RECALLED_DAY = 4  # the fifth harvest lot: residue found in a sample, recalled with what was made of it

# (key, company prefix, name, address, location name)
PARTIES = [
    ("orchard", "8930001", "Hợp tác xã Nhãn lồng Hồng Nam (minh họa)", "Xã Hồng Nam, tỉnh Hưng Yên",
     "Vườn nhãn Hồng Nam"),
    ("packer", "8930002", "Công ty TNHH Sơ chế Nông sản Phố Hiến (minh họa)", "Phường Phố Hiến, tỉnh Hưng Yên",
     "Xưởng sơ chế, đóng gói Phố Hiến"),
    ("cold", "8930003", "Công ty Cổ phần Kho lạnh Phố Nối (minh họa)", "Phường Phố Nối, tỉnh Hưng Yên",
     "Kho lạnh Phố Nối"),
    ("exporter", "8930004", "Công ty Cổ phần Xuất khẩu Nông sản Hưng Yên (minh họa)", "Phường Mỹ Hào, tỉnh Hưng Yên",
     "Kho hàng xuất khẩu Mỹ Hào"),
]
BUYER = "urn:epc:id:pgln:9501101.00000"  # an importer abroad: named in the export event only


def gtin(prefix, item):
    return keys.with_check_digit("0" + prefix + f"{item:05d}")


def gln(prefix, ref):
    return keys.with_check_digit(prefix + f"{ref:05d}")


def sscc(prefix, n):
    return keys.Key("sscc", sscc=keys.with_check_digit("0" + prefix + f"{n:09d}")).epc_urn


def lgtin(code, lot):
    return keys.Key("lgtin", gtin=code, lot=lot).epc_urn


def sgln(code):
    return keys.Key("sgln", gln=code, extension="0").epc_urn


def pgln(code):
    return keys.Key("pgln", gln=code).epc_urn


def _event(kind, when, step, disposition, place, **fields):
    e = {"type": kind, "eventTime": when.isoformat(), "eventTimeZoneOffset": "+07:00"}
    if kind != "TransformationEvent":
        e["action"] = fields.pop("action", "OBSERVE")
    e.update({"bizStep": step, "disposition": disposition, "readPoint": {"id": place}, "bizLocation": {"id": place}})
    e.update(fields)
    return e


def season(ids) -> dict[str, list[dict]]:
    """Each party's events of the season (lists in capture order)."""
    out = {k: [] for k, *_ in PARTIES}
    place = {k: sgln(ids[k]["gln"]) for k in out}
    party = {k: pgln(ids[k]["gln"]) for k in out}
    fresh, boxed = ids["orchard"]["gtin"], ids["packer"]["gtin"]
    pallet_no = 0
    for day in range(HARVEST_DAYS):
        date = SEASON_START + datetime.timedelta(days=2 * day)
        t = datetime.datetime.combine(date, datetime.time(6, 0), TZ)
        lot = f"HN{date:%y%m%d}"
        packed = f"PH{date:%y%m%d}"
        harvest = lgtin(fresh, lot)
        out["orchard"].append(_event("ObjectEvent", t, "commissioning", "active", place["orchard"], action="ADD",
                                     quantityList=[{"epcClass": harvest, "quantity": 800, "uom": "KGM"}],
                                     ilmd={"cbvmda:lotNumber": lot, "cbvmda:harvestStartDate": date.isoformat()}))
        out["orchard"].append(_event(
            "ObjectEvent", t + datetime.timedelta(hours=4), "shipping", "in_transit", place["orchard"],
            quantityList=[{"epcClass": harvest, "quantity": 800, "uom": "KGM"}],
            bizTransactionList=[{"type": "po", "bizTransaction": f"urn:epcglobal:cbv:bt:{ids['packer']['gln']}:PO-{lot}"}],
            sourceList=[{"type": "owning_party", "source": party["orchard"]}],
            destinationList=[{"type": "owning_party", "destination": party["packer"]}]))
        out["packer"].append(_event("ObjectEvent", t + datetime.timedelta(hours=6), "receiving", "in_progress",
                                    place["packer"], quantityList=[{"epcClass": harvest, "quantity": 800, "uom": "KGM"}]))
        inputs = [{"epcClass": harvest, "quantity": 700, "uom": "KGM"}]
        if day:  # yesterday's remainder goes into today's boxes
            earlier = SEASON_START + datetime.timedelta(days=2 * (day - 1))
            inputs.append({"epcClass": lgtin(fresh, f"HN{earlier:%y%m%d}"), "quantity": 100, "uom": "KGM"})
        expiry = date + datetime.timedelta(days=21)
        out["packer"].append(_event(
            "TransformationEvent", t + datetime.timedelta(hours=9), "commissioning", "active", place["packer"],
            inputQuantityList=inputs, outputQuantityList=[{"epcClass": lgtin(boxed, packed), "quantity": 760}],
            ilmd={"cbvmda:lotNumber": packed, "cbvmda:itemExpirationDate": expiry.isoformat()}))
        pallets = []
        for half in range(2):
            pallet_no += 1
            pallets.append(sscc(ids["packer"]["prefix"], pallet_no))
            out["packer"].append(_event(
                "AggregationEvent", t + datetime.timedelta(hours=10, minutes=half), "packing", "in_progress",
                place["packer"], action="ADD", parentID=pallets[-1],
                childQuantityList=[{"epcClass": lgtin(boxed, packed), "quantity": 380}]))
        ship = t + datetime.timedelta(hours=12)
        out["packer"].append(_event("ObjectEvent", ship, "shipping", "in_transit", place["packer"], epcList=pallets,
                                    destinationList=[{"type": "owning_party", "destination": party["cold"]}]))
        out["cold"].append(_event("ObjectEvent", ship + datetime.timedelta(hours=2), "receiving", "in_progress",
                                  place["cold"], epcList=pallets))
        out["cold"].append(_event("ObjectEvent", ship + datetime.timedelta(hours=3), "storing", "in_progress",
                                  place["cold"], epcList=pallets))
        leave = ship + datetime.timedelta(days=3)
        out["cold"].append(_event("ObjectEvent", leave, "shipping", "in_transit", place["cold"], epcList=pallets,
                                  destinationList=[{"type": "owning_party", "destination": party["exporter"]}]))
        out["exporter"].append(_event("ObjectEvent", leave + datetime.timedelta(hours=3), "receiving", "in_progress",
                                      place["exporter"], epcList=pallets))
        out["exporter"].append(_event(
            "ObjectEvent", leave + datetime.timedelta(days=1), "shipping", "in_transit", place["exporter"], epcList=pallets,
            bizTransactionList=[{"type": "inv", "bizTransaction": f"urn:epcglobal:cbv:bt:{ids['exporter']['gln']}:INV-{packed}"}],
            destinationList=[{"type": "owning_party", "destination": BUYER}]))
        if day == RECALLED_DAY:
            out["orchard"].append(_event(
                "ObjectEvent", t + datetime.timedelta(days=6), "inspecting", "recalled", place["orchard"],
                quantityList=[{"epcClass": harvest, "quantity": 800, "uom": "KGM"}]))
    return out


def recalled_lot() -> str:
    """The recalled harvest lot (an LGTIN URN) of the demo."""
    date = SEASON_START + datetime.timedelta(days=2 * RECALLED_DAY)
    return lgtin(gtin("8930001", 1), f"HN{date:%y%m%d}")


def packed_lot(day: int) -> tuple[str, str]:
    """(GTIN, lot) of the boxes packed on harvest day `day`."""
    date = SEASON_START + datetime.timedelta(days=2 * day)
    return gtin("8930002", 1), f"PH{date:%y%m%d}"


@transaction.atomic
def load() -> dict:
    if Product.objects.filter(is_demo=True).exists():
        return {"skipped": "already loaded"}
    standards = {s.code: s for s in SupportContent.objects.filter(code__in=["vietgap", "haccp", "iso-22000"])}
    ids, firms = {}, {}
    certified_until = datetime.date(timezone.localdate().year + 3, 12, 31)  # the invented certificates stay valid
    for i, (key, prefix, name, address, place) in enumerate(PARTIES):
        firm, _ = Enterprise.objects.get_or_create(tax_code=demo_tax_code(901 + i), defaults={
            "name": name, "address": address, "is_demo": True, "sector_group": "agriculture_forestry_fishery"})
        firms[key] = firm
        ids[key] = {"prefix": prefix, "gln": gln(prefix, 1), "gtin": gtin(prefix, 1)}
        CompanyPrefix.objects.create(enterprise=firm, prefix=prefix, status=CompanyPrefix.Status.VERIFIED,
                                     certificate_number=f"GS1VN-{prefix} (minh họa)", valid_from=datetime.date(2025, 1, 1),
                                     valid_to=certified_until, verified_at=timezone.now(), is_demo=True,
                                     note="Dữ liệu minh họa: giấy chứng nhận giả định.")
        Location.objects.create(gln=ids[key]["gln"], name=place, address=address, owner=firm, is_demo=True)
    fresh = Product.objects.create(
        gtin=ids["orchard"]["gtin"], owner=firms["orchard"], name="Nhãn lồng Hưng Yên tươi (thu hái)",
        name_en="Fresh Hung Yen longan (harvested)", origin="Hưng Yên, Việt Nam", shelf_life_days=7,
        storage="Nơi thoáng mát, 5-10 °C", storage_en="Cool place, 5-10 °C", is_demo=True)
    boxed = Product.objects.create(
        gtin=ids["packer"]["gtin"], owner=firms["packer"], name="Nhãn lồng Hưng Yên hộp 1 kg",
        name_en="Hung Yen longan, 1 kg box", origin="Hưng Yên, Việt Nam", shelf_life_days=21,
        description="Nhãn lồng chọn quả, sơ chế và đóng hộp trong ngày thu hái.",
        description_en="Selected longan, cleaned and boxed on the day of harvest.",
        storage="Bảo quản lạnh 2-5 °C", storage_en="Keep refrigerated at 2-5 °C",
        warnings="Rửa sạch trước khi ăn.", warnings_en="Wash before eating.", is_demo=True)
    if "vietgap" in standards:
        fresh.standards.add(standards["vietgap"])
        boxed.standards.add(standards["vietgap"])
        cert = Certificate.objects.create(enterprise=firms["orchard"], standard=standards["vietgap"],
                                          number="VietGAP-TT-26-01-33-0901 (minh họa)", body="Tổ chức chứng nhận minh họa",
                                          issued_on=datetime.date(2025, 3, 1), expires_on=datetime.date(2028, 2, 28))
        fresh.certificates.add(cert)
    if "haccp" in standards:
        boxed.standards.add(standards["haccp"])
        cert = Certificate.objects.create(enterprise=firms["packer"], standard=standards["haccp"],
                                          number="HACCP-0902 (minh họa)", body="Tổ chức chứng nhận minh họa",
                                          issued_on=datetime.date(2025, 6, 1), expires_on=datetime.date(2028, 5, 31))
        boxed.certificates.add(cert)
    for owner, partner in (("orchard", "packer"), ("packer", "cold"), ("packer", "exporter"), ("cold", "exporter"),
                           ("orchard", "exporter")):
        Share.objects.create(owner=firms[owner], partner=firms[partner], is_demo=True)
    ApiKey.issue(firms["packer"], "Máy quét xưởng đóng gói (minh họa)", is_demo=True,
                 locations=Location.objects.filter(owner=firms["packer"]))
    events = season(ids)
    n = 0
    for key, *_ in PARTIES:
        doc = {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
               "creationDate": "2026-08-30T08:00:00+07:00", "epcisBody": {"eventList": events[key]}}
        job = store.capture(doc, Actor(enterprises=[firms[key]], source="demo"))
        CaptureJob.objects.filter(pk=job.pk).update(is_demo=True)
        n += job.stored_count
        if key == "orchard":
            at = next(i for i, e in enumerate(events[key]) if e["disposition"] == "recalled")
            _recall_record(firms, fresh, job.event_ids[at])
    return {"trace_events": n, "trace_enterprises": len(firms)}


def _recall_record(firms, fresh, event_id):
    """The record of the demo's recall (its event is the orchard's last): what a recall declared on
    the pages leaves, told to the enterprises that received the lot."""
    date = SEASON_START + datetime.timedelta(days=2 * RECALLED_DAY)
    recall = Recall.objects.create(
        owner=firms["orchard"], event_id=event_id, is_demo=True,
        declared_at=datetime.datetime.combine(date + datetime.timedelta(days=6), datetime.time(6, 0), TZ),
        reason="Mẫu kiểm tra phát hiện dư lượng thuốc bảo vệ thực vật vượt giới hạn cho phép (minh họa).",
        instructions="Không ăn. Mang sản phẩm trả lại nơi mua để được hoàn tiền, hoặc gọi 0221 000 0000 (minh họa).",
        instructions_en="Do not eat. Return the product where you bought it for a refund, or call 0221 000 0000 "
                        "(illustrative).")
    RecallLot.objects.create(recall=recall, product=fresh, lot=f"HN{date:%y%m%d}")
    recall.notified.set([firms[k].pk for k in ("packer", "cold", "exporter")])


@transaction.atomic
def remove() -> dict:
    firms = Enterprise.objects.filter(is_demo=True, trace_locations__is_demo=True).distinct()
    owners = list(firms.values_list("pk", flat=True))
    n = Event.objects.filter(owner_id__in=owners).count()
    EventId.objects.filter(event__owner_id__in=owners).delete()  # the events and their index rows with them
    CaptureJob.objects.filter(is_demo=True).delete()
    Recall.objects.filter(owner_id__in=owners).delete()  # and their lots
    CompanyPrefix.objects.filter(enterprise_id__in=owners).delete()
    ApiKey.objects.filter(is_demo=True).delete()
    Share.objects.filter(is_demo=True).delete()
    products = Product.objects.filter(is_demo=True)
    for p in products:
        p.images.all().delete()
    products.delete()
    Location.objects.filter(is_demo=True).delete()
    Certificate.objects.filter(enterprise_id__in=owners).delete()
    Enterprise.objects.filter(pk__in=owners).delete()
    return {"trace_events_removed": n}
