"""Recalls declared from the pages: the system writes the EPCIS event itself, through the same capture
as the API (nscl.trace.store, so the same checks: the lots must be the owner's products, under its
verified GS1 prefix unless an officer declares), records the recall and tells the enterprises
downstream, all in one transaction.

The event is an ObjectEvent OBSERVE naming each lot as an epcClass, disposition `recalled` (CBV 2.0:
"the object has been recalled") and bizStep `holding` (CBV 2.0: "segregated for further review"; the
CBV has no recall step). It names no location: the lots are wherever they went, and the event's
owner is then the enterprise the recall is declared for (store's rule). Ending a recall closes the
record; the event stays (an EPCIS event is never undone), and the consumer page keeps warning,
saying when the recall was closed: goods recalled are not safe again because the campaign ended."""
from __future__ import annotations

import datetime
import uuid

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from nscl.accounts import roles
from nscl.enterprises.models import Enterprise
from nscl.notifications import services as notifications
from nscl.traceability import keys

from . import store, tracing
from .access import Actor
from .models import EventIdentifier, Product, Recall, RecallLot

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]
BIZ_STEP, DISPOSITION = "holding", "recalled"
LOT_CHOICES = 500


def lgtin(gtin: str, lot: str) -> str:
    return keys.Key("lgtin", gtin=gtin, lot=lot).epc_urn


def known_lots(enterprise, limit: int = LOT_CHOICES) -> list[tuple[Product, str]]:
    """(product, lot) of the enterprise's products that events name, most recently recorded first."""
    products = {p.gtin: p for p in Product.objects.filter(owner=enterprise)}
    if not products:
        return []
    match = Q()
    for gtin in products:
        match |= Q(identifier__startswith=lgtin(gtin, "x")[:-1])
    rows = (EventIdentifier.objects.filter(match).values("identifier").annotate(last=Max("event__record_time"))
            .order_by("-last", "identifier")[:limit])
    out = []
    for row in rows:
        try:
            key = keys.parse(row["identifier"])
        except keys.InvalidKey:
            continue
        if key.kind == "lgtin" and key.gtin in products:
            out.append((products[key.gtin], key.lot))
    return list(dict.fromkeys(out))


def recall_event(lots: list[tuple[Product, str]], when: datetime.datetime, event_id: str) -> dict:
    local = timezone.localtime(when)
    offset = local.strftime("%z")
    return {"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": local.isoformat(timespec="seconds"),
            "epcisBody": {"eventList": [{
                "type": "ObjectEvent", "eventID": event_id, "eventTime": local.isoformat(timespec="seconds"),
                "eventTimeZoneOffset": f"{offset[:3]}:{offset[3:]}", "action": "OBSERVE",
                "bizStep": BIZ_STEP, "disposition": DISPOSITION,
                "quantityList": [{"epcClass": lgtin(p.gtin, lot)} for p, lot in lots]}]}}


def downstream(lots: list[tuple[Product, str]]) -> set[int]:
    """The enterprises whose events the lots reach going forward (what was made of them, who received it)."""
    everyone = Actor(sees_all=True, source="web")
    owners = set()
    for product, lot in lots:
        owners |= tracing.trace(lgtin(product.gtin, lot), "forward", everyone).owner_ids
    return owners


def _names(values) -> list[dict]:
    return [notifications.both(v.name, getattr(v, "name_en", "")) for v in values]


def declare(owner, lots: list[tuple[Product, str]], reason: str, instructions: str, user,
            instructions_en: str = "") -> Recall:
    """Capture the recall event, record the recall and notify downstream; store.Refused (nothing
    written) when the capture's checks refuse it."""
    now = timezone.now()
    event_id = f"urn:uuid:{uuid.uuid4()}"
    actor = Actor(user=user, enterprises=[owner], sees_all=roles.can_see_all_trace(user), source="web")
    with transaction.atomic():
        store.capture(recall_event(lots, now, event_id), actor, source="web")
        recall = Recall.objects.create(owner=owner, reason=reason, instructions=instructions,
                                       instructions_en=instructions_en, event_id=event_id, declared_by=user,
                                       declared_at=now)
        for product, lot in lots:
            RecallLot.objects.create(recall=recall, product=product, lot=lot)
        reached = downstream(lots)
        recall.notified.set(sorted(reached - {owner.pk}))
        notifications.notify_recall(
            Enterprise.objects.filter(pk__in=reached | {owner.pk}), recall_key=event_id,
            product=_names(dict.fromkeys(p for p, _ in lots)), lots=sorted({lot for _, lot in lots}), reason=reason,
            declared_by=notifications.both(owner.name, owner.name_en),
            url=reverse("trace_recall_detail", args=[recall.pk]), exclude=user)
    return recall


@transaction.atomic
def end(recall: Recall, user, note: str = "") -> Recall:
    """Close the recall (audited as an update); a closed one stays closed."""
    recall = Recall.objects.select_for_update().get(pk=recall.pk)
    if recall.state == Recall.State.ACTIVE:
        recall.state, recall.ended_by, recall.ended_at, recall.end_note = Recall.State.ENDED, user, timezone.now(), note
        recall.save()
    return recall


def for_events(documents) -> list[Recall]:
    """The recall records of the recall events among these (StoredEvent) documents, newest first."""
    match = Q()
    for doc in documents:
        if store.cbv("disposition", doc.get("disposition")) == DISPOSITION:
            match |= Q(event_id=doc.get("eventID"), owner_id=getattr(doc, "owner_id", None))
    if not match:
        return []
    return list(Recall.objects.filter(match).select_related("owner").prefetch_related("lots__product"))
