"""What the public sees of a product (Circular 02/2024/TT-BKHCN): name, images, producer and address,
traceability code, lot, dates, shelf life, standards applied, and the stages (product, location,
time) taken from the events — and nothing private: no other customers or destinations, no
quantities, no prices, no business transactions. Beside it, the digital product passport's minimum
content (Law 78/2025/QH15; Decree 37/2026/NĐ-CP art. 32) as JSON-LD, and the GS1 linkset."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from nscl.traceability import keys

from . import prefixes, recalls
from .access import Actor
from .labels import digital_link
from .models import Event, Location, Product
from .store import cbv, normalised
from .tracing import trace

# the CBV business steps a consumer page names (others show as "Công đoạn khác")
STEP_NAMES = {  # CBV 2.0 business steps
    "commissioning": _l("Khởi tạo mã / sản xuất"),
    "creating_class_instance": _l("Tạo lô"),
    "packing": _l("Đóng gói"),
    "unpacking": _l("Dỡ kiện"),
    "shipping": _l("Xuất hàng"),
    "receiving": _l("Nhận hàng"),
    "storing": _l("Lưu kho"),
    "accepting": _l("Tiếp nhận"),
    "inspecting": _l("Kiểm tra"),
    "sampling": _l("Lấy mẫu"),
    "loading": _l("Xếp hàng lên phương tiện"),
    "departing": _l("Rời đi"),
    "arriving": _l("Đến nơi"),
    "cycle_counting": _l("Kiểm kê"),
    "retail_selling": _l("Bán lẻ"),
    "holding": _l("Tạm giữ"),
    "staging_outbound": _l("Chuẩn bị xuất"),
    "entering_exiting": _l("Ra/vào"),
    "installing": _l("Lắp đặt"),
    "stocking": _l("Lên kệ"),
    "collecting": _l("Thu gom"),
    "transporting": _l("Vận chuyển"),
    "unloading": _l("Dỡ hàng"),
    "picking": _l("Soạn hàng"),
    "repackaging": _l("Đóng gói lại"),
    "decommissioning": _l("Hủy mã"),
    "destroying": _l("Tiêu hủy"),
}
EVENT_TYPE_NAMES = {  # EPCIS 2.0 event types
    "ObjectEvent": _l("Sự kiện đối tượng"),
    "AggregationEvent": _l("Gộp kiện"),
    "TransformationEvent": _l("Chế biến, biến đổi"),
    "TransactionEvent": _l("Giao dịch"),
    "AssociationEvent": _l("Liên kết"),
}
RELATION_NAMES = {  # nscl.traceability.graph.RELATIONS, as the graph's arrows read
    "input_of": _l("nguyên liệu của"),
    "aggregated_into": _l("đóng vào kiện"),
    "contains": _l("chứa"),
    "transformed_into": _l("chế biến thành"),
    "same_object": _l("cùng lô"),
}
EXPIRY_KEYS = ("cbvmda:itemExpirationDate", "itemExpirationDate", "cbvmda:bestBeforeDate", "bestBeforeDate")
RECALLED = "recalled"


def step_name(step: str) -> str:
    return str(STEP_NAMES[step]) if step in STEP_NAMES else _("Công đoạn khác")


def event_type_name(kind: str) -> str:
    return str(EVENT_TYPE_NAMES.get(kind, kind))


def relation_names() -> dict[str, str]:
    return {k: str(v) for k, v in RELATION_NAMES.items()}


@dataclass
class Stage:
    step: str
    label: str
    product: str
    location: str
    time: datetime.datetime


@dataclass
class ProductPage:
    product: Product
    gtin: str
    lot: str | None
    serial: str | None
    identifier: str
    link: str
    stages: list = field(default_factory=list)
    production_date: datetime.date | None = None
    expiry_date: datetime.date | None = None
    recalled: bool = False
    recalls: list = field(default_factory=list)  # the recall records behind `recalled`, if declared here
    unknown: bool = False  # a lot or serial no event names: no recorded production, may be fake
    prefix_verified: bool = False  # the GTIN is under a verified GS1 prefix of the producer
    jsonld: dict = field(default_factory=dict)

    @property
    def readable(self) -> str:
        """The code as printed under a GS1 barcode (human-readable interpretation): (01) GTIN (10) lot (21) serial."""
        parts = [f"(01) {self.gtin}"] + ([f"(10) {self.lot}"] if self.lot else []) + (
            [f"(21) {self.serial}"] if self.serial else [])
        return " ".join(parts)


def identifier_for(gtin: str, lot=None, serial=None) -> str:
    """The stored (normalised) identifier of a GTIN, lot or serial; InvalidKey when malformed."""
    return keys.normalise(digital_link(keys.DIGITAL_LINK_BASE, gtin, lot, serial))


def _event_location(doc, places) -> Location | None:
    for name in ("bizLocation", "readPoint"):
        value = (doc.get(name) or {}).get("id")
        if value:
            try:
                gln = keys.parse(normalised(value)).gln
            except (keys.InvalidKey, TypeError):
                continue
            if gln in places:
                return places[gln]
    return None


def _expiry(doc):
    ilmd = doc.get("ilmd") or {}
    for k in EXPIRY_KEYS:
        if isinstance(ilmd.get(k), str):
            try:
                return datetime.date.fromisoformat(ilmd[k][:10])
            except ValueError:
                continue
    return None


def build(product: Product, lot, serial, base: str, lang: str) -> ProductPage:
    """The page of a product, a lot or a serial: stages from the trace back and the item's own
    journey forward (its containers, shipments), not what it was later transformed into."""
    gtin = product.gtin
    identifier = identifier_for(gtin, lot, serial)
    page = ProductPage(product, gtin, lot, serial, identifier, digital_link(base, gtin, lot, serial))
    everyone = Actor(sees_all=True, source="public")
    documents = {}
    unnamed = set()  # id() of the documents whose place is not shown
    if lot or serial:
        back = trace(identifier, "back", everyone)
        forward = trace(identifier, "forward", everyone)
        documents.update(back.documents)
        # forward: the item's journey, but a step recorded by someone else than the producer (a buyer,
        # a store, an exporter) is shown without its place: naming it would name the producer's
        # customers, which the consumer page must not show
        later = [e for e in forward.documents if e not in back.documents]
        producer_own = set(Event.objects.filter(registry__event_id__in=later, owner_id=product.owner_id)
                           .values_list("registry__event_id", flat=True))
        for event_id, doc in forward.documents.items():
            if doc.get("type") == "TransformationEvent" and event_id not in back.documents:
                continue  # what it became is another product's story
            documents[event_id] = doc
            if event_id in later and event_id not in producer_own:
                unnamed.add(id(doc))
    docs = sorted(documents.values(), key=lambda d: d["eventTime"])
    glns = set()
    gtins = set()
    for doc in docs:
        for name in ("bizLocation", "readPoint"):
            value = (doc.get(name) or {}).get("id")
            if value:
                try:
                    glns.add(keys.parse(normalised(value)).gln)
                except (keys.InvalidKey, TypeError):
                    pass
        for ids in _identifiers(doc):
            gtins.add(ids)
    places = {p.gln: p for p in Location.objects.filter(gln__in=glns)}
    products = {p.gtin: p for p in Product.objects.filter(gtin__in=gtins)}
    for doc in docs:
        when = datetime.datetime.fromisoformat(doc["eventTime"].replace("Z", "+00:00"))
        step = cbv("bizStep", doc.get("bizStep"))
        place = None if id(doc) in unnamed else _event_location(doc, places)
        names = sorted({products[g].name_for(lang) for g in _identifiers(doc) if g in products})
        where = place and (place.name_en if lang.startswith("en") and place.name_en else place.name) or ""
        if id(doc) in unnamed:
            where = _("Đơn vị tiếp nhận (không nêu tên)")
        page.stages.append(Stage(step, step_name(step), ", ".join(names), where, when))
        if cbv("disposition", doc.get("disposition")) == RECALLED:
            page.recalled = True
        page.expiry_date = page.expiry_date or _expiry(doc)
    if docs:
        own = [d for d in docs if gtin in _identifiers(d)]
        page.production_date = datetime.datetime.fromisoformat(
            (own or docs)[0]["eventTime"].replace("Z", "+00:00")).date()
    if page.expiry_date is None and page.production_date and product.shelf_life_days:
        page.expiry_date = page.production_date + datetime.timedelta(days=product.shelf_life_days)
    page.unknown = bool(lot or serial) and not docs
    page.recalls = recalls.for_events(docs) if page.recalled else []
    page.prefix_verified = prefixes.is_verified_for(product.owner_id, gtin)
    page.jsonld = passport(page, base, lang)
    return page


def _identifiers(doc) -> set[str]:
    """The GTINs an event names (objects, classes, inputs, outputs, children)."""
    out = set()
    for name in ("epcList", "childEPCs", "inputEPCList", "outputEPCList"):
        for v in doc.get(name) or []:
            out.add(v)
    for name in ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"):
        for q in doc.get(name) or []:
            out.add(q.get("epcClass"))
    gtins = set()
    for v in out:
        try:
            k = keys.parse(v)
        except (keys.InvalidKey, TypeError, ValueError):
            continue
        if k.gtin:
            gtins.add(k.gtin)
    return gtins


def passport(page: ProductPage, base: str, lang: str) -> dict:
    """Digital product passport minimum content (Decree 37/2026/NĐ-CP art. 32: product name and GTIN,
    producer, origin, traceability information, certificates, dates, warnings) in schema.org terms
    with the GS1 Web Vocabulary beside them."""
    p, owner = page.product, page.product.owner
    english = lang.startswith("en")
    props = [{"@type": "PropertyValue", "name": "traceabilityCode", "value": page.identifier}]
    if page.lot:
        props.append({"@type": "PropertyValue", "propertyID": "gs1:AI-10", "name": "lot", "value": page.lot})
    if page.serial:
        props.append({"@type": "PropertyValue", "propertyID": "gs1:AI-21", "name": "serial", "value": page.serial})
    if page.expiry_date:
        props.append({"@type": "PropertyValue", "propertyID": "gs1:AI-17", "name": "expirationDate",
                      "value": page.expiry_date.isoformat()})
    if p.shelf_life_days:
        props.append({"@type": "PropertyValue", "name": "shelfLife", "value": p.shelf_life_days, "unitCode": "DAY"})
    # a code with no recorded production borrows nothing from the real product: no certificate
    certificates = [] if page.unknown else [
        {"@type": "Certification", "name": c.standard.name, "certificationIdentification": c.number,
         "issuedBy": {"@type": "Organization", "name": c.body}, "validFrom": c.issued_on.isoformat(),
         **({"expires": c.expires_on.isoformat()} if c.expires_on else {})}
        for c in p.certificates.select_related("standard")]
    # schema.org: a serial is one IndividualProduct, a lot SomeProducts, a GTIN alone the Product
    kind = "IndividualProduct" if page.serial else "SomeProducts" if page.lot else "Product"
    data = {
        "@context": {"@vocab": "https://schema.org/", "gs1": "https://gs1.org/voc/"},
        "@type": [kind, "gs1:Product"],
        "@id": page.link,
        "name": p.name_en if english and p.name_en else p.name,
        "gtin": p.gtin,
        "gs1:gtin": p.gtin,
        "hasGS1DigitalLink": page.link,
        "manufacturer": {"@type": "Organization", "name": owner.name, "taxID": owner.tax_code,
                         "address": owner.address},
        "countryOfOrigin": p.origin,
        "additionalProperty": props,
        "hasCertification": certificates,
        "subjectOf": {"@type": "WebPage", "url": page.link, "name": "traceability"},
    }
    if page.production_date:
        data["productionDate"] = page.production_date.isoformat()
    if p.description or p.description_en:
        data["description"] = p.description_en if english and p.description_en else p.description
    warnings = p.warnings_en if english and p.warnings_en else p.warnings
    if warnings:
        data["gs1:consumerSafetyInformation"] = warnings
    if not page.unknown and p.standards.exists():
        data["gs1:certification"] = [{"@type": "gs1:CertificationDetails", "gs1:certificationStandard": s.name}
                                     for s in p.standards.all()]
    images = [f"{base}/trace/images/{im.pk}" for im in p.images.all()]
    if images:
        data["image"] = images
    return data


def linkset(base: str, gtin: str, lot, serial, page_url: str, trace_url: str, product: Product) -> dict:
    """The GS1 Digital Link resolver's answer (RFC 9264 linkset, GS1 link types)."""
    anchor = digital_link(base, gtin, lot, serial)
    pip = {"href": page_url, "title": product.name, "type": "text/html", "hreflang": ["vi", "en"]}
    return {"linkset": [{
        "anchor": anchor,
        "https://gs1.org/voc/defaultLink": [pip],
        "https://gs1.org/voc/pip": [pip],
        "https://gs1.org/voc/traceability": [{"href": trace_url, "title": "EPCIS trace", "type": "application/json"}],
        "https://gs1.org/voc/certificationInfo": [{"href": page_url + "#standards", "title": "Standards",
                                                   "type": "text/html"}],
    }]}
