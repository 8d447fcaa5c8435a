"""Trace back and forward over the stored events (nscl.traceability.graph does the walking; this
module answers its `fetch` with indexed SQL), named with the registry's locations, products and
enterprises; the recall answer; the public stages of a product page."""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.db import connection
from django.utils.dateparse import parse_datetime

from nscl.enterprises.models import Enterprise
from nscl.traceability import graph, keys

from .access import Actor
from .models import Event, EventId, EventIdentifier, Location, Product
from .query import with_record_time

MAX_DEPTH = 50  # hops; a real chain is far shorter, this only bounds a pathological graph


def _in(values) -> str:
    return "(" + ", ".join(["%s"] * len(values)) + ")"


class StoredEvent(dict):
    """An event document as read, knowing its row (`pk`) and owner: an eventID is unique per owner
    only (nscl.trace.store), so two owners' events may share one and the trace tells them apart."""

    __slots__ = ("pk", "owner_id")


def fetcher(actor: Actor, seen: dict | None = None):
    """fetch(identifiers) → the events (StoredEvent documents with recordTime) touching any of them
    that the actor may read; `seen` collects the owner of each event by eventID.

    Two plain SQL statements a hop (the ORM's query building cost more than the database's work):
    the identifier index joined to the registry gives each event's id and record time, then the
    events are read naming their record times, so PostgreSQL opens only the partitions holding
    them instead of probing every month's primary key."""
    owners = actor.visible_owner_ids()
    identifiers_t, registry_t, events_t = EventIdentifier._meta.db_table, EventId._meta.db_table, Event._meta.db_table

    def fetch(identifiers) -> list[dict]:
        ids = sorted(i for i in set(identifiers) if i)
        out = []
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            with connection.cursor() as cur:
                cur.execute(f"SELECT DISTINCT r.id, r.record_time FROM {identifiers_t} i JOIN {registry_t} r "
                            f"ON r.id = i.event_id WHERE i.identifier IN {_in(chunk)}", chunk)
                found = cur.fetchall()
                if not found:
                    continue
                pks, times = [r[0] for r in found], sorted({r[1] for r in found})
                sql = (f"SELECT document, record_time, owner_id, id FROM {events_t} "
                       f"WHERE record_time IN {_in(times)} AND id IN {_in(pks)}")
                params = [*times, *pks]
                if owners is not None:
                    sql += f" AND owner_id IN {_in(owners)}" if owners else " AND 1 = 0"
                    params += sorted(owners)
                cur.execute(sql, params)
                rows = cur.fetchall()
            for doc, record_time, owner, pk in rows:
                doc = json.loads(doc) if isinstance(doc, str) else doc
                if isinstance(record_time, str):  # SQLite: the stored text, UTC
                    record_time = parse_datetime(record_time).replace(tzinfo=datetime.timezone.utc)
                if seen is not None:
                    seen[doc["eventID"]] = owner
                event = StoredEvent(with_record_time(doc, record_time))
                event.pk, event.owner_id = pk, owner
                out.append(event)
        return out
    return fetch


def normalised_start(identifier: str) -> str:
    """The identifier as stored (EPC URN), from an EPC URN, a Digital Link or a bare key; InvalidKey
    when it is a malformed GS1 identifier."""
    text = identifier.strip()
    if text.isdigit() and len(text) == 18:
        text = keys.to_epc_urn(f"https://id.gs1.org/00/{text}")
    return keys.normalise(text)


@dataclass
class Traced:
    result: graph.TraceResult
    owners: dict  # eventID → owner enterprise id
    documents: dict  # eventID → event document
    owner_ids: set = None  # every owner of the events reached (two may share an eventID)

    def to_dict(self) -> dict:
        return self.result.to_dict()


def trace(identifier: str, direction: str, actor: Actor, max_depth: int | None = None) -> Traced:
    owners, documents, owner_ids = {}, {}, set()
    fetch = fetcher(actor, owners)

    def remembering(ids):
        found = fetch(ids)
        for e in found:
            documents.setdefault(e["eventID"], e)
            owner_ids.add(e.owner_id)
        return found
    result = graph.trace(normalised_start(identifier), direction, remembering, max_depth=max_depth or MAX_DEPTH,
                         key=lambda e: e.pk)
    return Traced(result, owners, documents, owner_ids)


def _gln(value):
    try:
        key = keys.parse(value)
    except (keys.InvalidKey, TypeError, ValueError):
        return None
    return key.gln


def names(identifiers=(), locations=(), owner_ids=()) -> dict:
    """Readable names for identifiers (their product), locations (registered name) and enterprises."""
    gtins, glns = {}, {}
    for i in identifiers:
        try:
            k = keys.parse(i)
        except (keys.InvalidKey, TypeError, ValueError):
            continue
        if k.gtin:
            gtins[i] = k.gtin
    for loc in locations:
        g = _gln(loc)
        if g:
            glns[loc] = g
    products = {p.gtin: p for p in Product.objects.filter(gtin__in=set(gtins.values()))}
    places = {p.gln: p for p in Location.objects.filter(gln__in=set(glns.values())).select_related("owner")}
    firms = {e.pk: e for e in Enterprise.objects.filter(pk__in=set(owner_ids))}
    return {"products": {i: products[g] for i, g in gtins.items() if g in products},
            "locations": {loc: places[g] for loc, g in glns.items() if g in places},
            "enterprises": firms}


def describe(identifier: str) -> dict:
    """What an identifier is, for people: kind, GTIN, lot, serial, SSCC."""
    try:
        k = keys.parse(identifier)
    except (keys.InvalidKey, TypeError, ValueError):
        return {"kind": "uri"}
    return {"kind": k.kind, "gtin": k.gtin, "lot": k.lot, "serial": k.serial, "sscc": k.sscc, "gln": k.gln}


def recall(identifier: str, actor: Actor) -> dict:
    """Everything downstream of an identifier (a lot, serial or pallet): graph.recall's affected
    lots, serials and containers named with their product and its owner; every location of the
    events (readPoint, bizLocation, location-typed sources/destinations) with its registered name;
    the parties: the owners of the events and the parties the events name."""
    traced = trace(identifier, "forward", actor)
    answer = graph.recall(traced.result)
    items = [*answer["lots"], *answer["serials"], *answer["containers"]]
    named = names([i["id"] for i in items], [loc["id"] for loc in answer["locations"]] +
                  [p["id"] for p in answer["parties"]], traced.owner_ids)

    def item(i):
        p = named["products"].get(i["id"])
        return {"identifier": i["id"], "kind": describe(i["id"])["kind"], "gtin": i.get("gtin"), "lot": i.get("lot"),
                "serial": i.get("serial"), "sscc": i.get("sscc"), "product": p.name if p else "",
                "owner": p.owner.name if p else ""}

    def place(loc):
        p = named["locations"].get(loc["id"])
        return {"identifier": loc["id"], "gln": loc.get("gln", ""), "name": p.name if p else "",
                "address": p.address if p else "", "owner": p.owner.name if p else ""}
    parties = []
    for pk in sorted(traced.owner_ids):
        e = named["enterprises"].get(pk)
        if e:
            parties.append({"identifier": e.tax_code, "name": e.name, "address": e.address, "role": "owner"})
    for party in answer["parties"]:
        p = named["locations"].get(party["id"])
        parties.append({"identifier": party["id"], "name": p.owner.name if p else "", "address": p.address if p else "",
                        "role": "party"})
    return {"start": answer["start"], "lots": [item(i) for i in answer["lots"]],
            "serials": [item(i) for i in answer["serials"]], "containers": [item(i) for i in answer["containers"]],
            "locations": [place(loc) for loc in answer["locations"]], "parties": parties,
            "events": answer["events"], "graph": traced}
