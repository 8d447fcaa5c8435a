"""Capture: an EPCIS document (or one event) checked whole — JSON, GS1 schema with formats, check
digits, who may record it — then written in one transaction, or nothing written.

An event without an eventID gets its canonical hash ID; an event whose ID is already stored (the same
event sent twice, or twice in one document) is stored once. The event's owner is the enterprise of
its readPoint/bizLocation (`Location.owner`), which must be one the caller acts for."""
from __future__ import annotations

import datetime
import functools
import json
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from nscl.accounts import roles
from nscl.enterprises.models import Enterprise
from nscl.traceability import epcis, hashing, keys
from nscl.traceability.graph import lots_of_instances

from .access import Actor
from .models import CaptureJob, Event, EventBizTransaction, EventId, EventIdentifier, Location, Product, Share

MAX_BYTES = 10 * 1024 * 1024  # a capture document larger than this is refused (413)

# CBV values are stored and compared by their bare name: "shipping", whatever the form sent
_CBV_PREFIXES = {
    "bizStep": ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-", "https://gs1.org/voc/BizStep-",
                "cbv:BizStep-", "gs1:BizStep-"),
    "disposition": ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-", "https://gs1.org/voc/Disp-",
                    "cbv:Disp-", "gs1:Disp-"),
    "btt": ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-", "https://gs1.org/voc/BTT-", "cbv:BTT-", "gs1:BTT-"),
}


def cbv(kind: str, value) -> str:
    """The bare CBV name of a standard value (any of its forms); other URIs unchanged."""
    if not isinstance(value, str):
        return ""
    for prefix in _CBV_PREFIXES[kind]:
        if value.startswith(prefix):
            return value[len(prefix):]
    return value


def normalised(value) -> str:
    """A location, party or transformation ID as stored: GS1 keys as their EPC URN (keys.normalise),
    other URIs unchanged."""
    try:
        return keys.normalise(value)
    except (keys.InvalidKey, TypeError):
        return value or ""


@dataclass
class Refused(Exception):
    """The whole capture is refused: `status` 400 (invalid), 403 (not the caller's), 413 (too big)."""

    status: int
    title: str
    problems: list = field(default_factory=list)  # [{"eventIndex", "eventID", "field", "message"}]
    detail: str = ""

    def __str__(self):
        return self.detail or self.title


def _problem(index, event_id, path, message):
    return {"eventIndex": index, "eventID": event_id, "field": path, "message": message}


def _parse_time(value) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class Prepared:
    """One event ready to store."""

    index: int
    event_id: str
    event: dict
    epcs: dict
    read_point: str
    biz_location: str
    owner: Enterprise | None = None


def parse(body: bytes | str) -> dict:
    if isinstance(body, (bytes, bytearray)) and len(body) > MAX_BYTES:
        raise Refused(413, "Capture payload too large",
                      detail=f"Tài liệu lớn hơn giới hạn {MAX_BYTES // (1024 * 1024)} MB: chia thành nhiều lần gửi.")
    try:
        return epcis.parse_json(body)
    except epcis.MalformedJSON as e:
        raise Refused(400, "Malformed JSON", detail=f"JSON không hợp lệ: {e.message_vi}") from None


def prepare(doc: dict, single_event: bool = False) -> list[Prepared]:
    """Validate the document (or, with single_event, one event) and give each event its ID and index
    rows; Refused(400) naming every problem when anything is wrong."""
    if single_event:
        problems = epcis.validate_event(doc)
        events, context = [doc], doc.get("@context")
    else:
        problems = epcis.validate_document(doc)
        events = [] if problems else list(epcis.iter_events(doc))
        context = doc.get("@context")
    if problems:
        raise Refused(400, "epcisException:ValidationException", [
            _problem(0 if single_event else p.event_index, p.event_id, p.path, p.message_vi or p.message)
            for p in problems])
    out = []
    for i, event in enumerate(events):
        event_id = event.get("eventID") or hashing.event_hash_id(event, context)
        epcs = index_rows(event)
        stored = dict(event)
        stored["eventID"] = event_id
        if context and "@context" not in stored and not single_event:
            stored["@context"] = context  # the prefixes of its extensions travel with the event
        out.append(Prepared(i, event_id, stored, epcs, normalised((event.get("readPoint") or {}).get("id")),
                            normalised((event.get("bizLocation") or {}).get("id"))))
    return out


def index_rows(event: dict) -> dict[str, list[str]]:
    """The identifiers an event is found by: its EPCs by role (epcis.event_epcs), plus what
    graph.trace asks `fetch` for besides — the lot of each serial the event names
    (role `lot`) and its transformationID (role `transformation`)."""
    rows = epcis.event_epcs(event)
    # graph's own rule for "the lot of a serial" (ILMD lotNumber or a Digital Link naming both)
    rows["lot"] = list(dict.fromkeys(lots_of_instances(event).values()))
    tid = event.get("transformationID")
    rows["transformation"] = [normalised(tid)] if isinstance(tid, str) and tid.strip() else []
    return rows


@functools.lru_cache(maxsize=65536)
def _key(identifier: str):
    """The parsed GS1 key of an identifier, None for other URIs (cached: a capture repeats them)."""
    try:
        return keys.parse(identifier)
    except (keys.InvalidKey, TypeError):
        return None


def _gln(location: str) -> str | None:
    key = _key(location) if location else None
    return key.gln if key is not None and key.kind in ("sgln", "gln", "pgln") else None


def _gtins(epcs: dict) -> set[str]:
    out = set()
    for ids in epcs.values():
        for identifier in ids:
            key = _key(identifier)
            if key is not None and key.gtin:
                out.add(key.gtin)
    return out


def authorise(prepared: list[Prepared], actor: Actor) -> None:
    """Give each event its owner; Refused(403) naming each event recorded at a location (or for a
    product) the caller may not record for."""
    glns = {g for p in prepared for g in (_gln(p.read_point), _gln(p.biz_location)) if g}
    locations = {loc.gln: loc for loc in Location.objects.filter(gln__in=glns).select_related("owner")}
    products = {p.gtin: p for p in Product.objects.filter(gtin__in={g for p in prepared for g in _gtins(p.epcs)})}
    sharers = set(Share.objects.filter(partner_id__in=actor.enterprise_ids).values_list("owner_id", flat=True))
    key_locations = actor.key_location_ids()
    problems = []
    for p in prepared:
        owners, unregistered = [], []
        for path, value in (("readPoint.id", p.read_point), ("bizLocation.id", p.biz_location)):
            if not value:
                continue
            loc = locations.get(_gln(value))
            if loc is None:
                unregistered.append(value)
                if not actor.sees_all:
                    problems.append(_problem(p.index, p.event_id, path, f"Địa điểm {value} chưa đăng ký (GLN chưa có trong hệ thống)."))
                continue
            if not roles.can_capture_at(actor.sees_all, actor.enterprise_ids, key_locations, loc):
                problems.append(_problem(p.index, p.event_id, path,
                                         f"Địa điểm {value} ({loc.name}) không thuộc doanh nghiệp gửi dữ liệu"
                                         + (" hoặc nằm ngoài phạm vi của khóa API." if key_locations else ".")))
                continue
            owners.append(loc.owner)
        if not actor.sees_all:
            for gtin in sorted(_gtins(p.epcs)):
                product = products.get(gtin)
                if not roles.can_record_product(actor.enterprise_ids, sharers, product):
                    problems.append(_problem(p.index, p.event_id, "epcList",
                                             f"Sản phẩm GTIN {gtin} chưa đăng ký trong danh mục của doanh nghiệp "
                                             "hoặc của đối tác chia sẻ dữ liệu với doanh nghiệp."))
        p.owner = owners[0] if owners else actor.enterprise
        if p.owner is None:
            where = f"địa điểm {', '.join(dict.fromkeys(unregistered))} chưa đăng ký" if unregistered else "sự kiện không có địa điểm"
            problems.append(_problem(p.index, p.event_id, "readPoint.id",
                                     f"Không xác định được doanh nghiệp sở hữu sự kiện: {where}; cần readPoint hoặc "
                                     "bizLocation là địa điểm đã đăng ký."))
    if problems:
        raise Refused(403, "epcisException:SecurityException", problems)


def capture(body, actor: Actor, single_event: bool = False, source: str | None = None) -> CaptureJob:
    """Capture a document (bytes, text or parsed dict): every event stored, or Refused and nothing."""
    doc = body if isinstance(body, dict) else parse(body)
    if not isinstance(doc, dict):
        raise Refused(400, "epcisException:ValidationException",
                      detail="Sự kiện phải là một đối tượng JSON." if single_event else "Tài liệu phải là một đối tượng JSON.")
    prepared = prepare(doc, single_event)
    authorise(prepared, actor)
    for attempt in range(3):
        try:
            job = _store(prepared, actor, source or actor.source)
            job.event_ids = [p.event_id for p in prepared]
            return job
        except IntegrityError:  # a concurrent capture stored one of these IDs first: dedupe again
            if attempt == 2:
                raise
    raise AssertionError


def _store(prepared: list[Prepared], actor: Actor, source: str) -> CaptureJob:
    now = timezone.now()
    with transaction.atomic():
        user = actor.user if getattr(actor.user, "is_authenticated", False) else None
        job = CaptureJob.objects.create(owner=actor.enterprise, created_by=user, api_key=actor.key,
                                        source=source, event_count=len(prepared), created_at=now)
        ids = [p.event_id for p in prepared]
        seen = set()
        for i in range(0, len(ids), 2000):
            seen.update(EventId.objects.filter(event_id__in=ids[i:i + 2000]).values_list("event_id", flat=True))
        fresh = []
        for p in prepared:
            if p.event_id not in seen:
                seen.add(p.event_id)
                fresh.append(p)
        pks = _new_ids(fresh, now)
        events, identifiers, transactions = [], [], []
        for p, pk in zip(fresh, pks):
            e = p.event
            events.append((pk, e["type"], _parse_time(e["eventTime"]), e.get("eventTimeZoneOffset", ""), now,
                           e.get("action", ""), cbv("bizStep", e.get("bizStep")), cbv("disposition", e.get("disposition")),
                           p.read_point, p.biz_location, e, p.owner.pk, job.pk))
            for role, values in p.epcs.items():
                identifiers.extend((pk, role, v) for v in dict.fromkeys(values))
            for bt in e.get("bizTransactionList") or []:
                transactions.append((pk, cbv("btt", bt.get("type", "")), bt.get("bizTransaction", "")))
        _insert(Event, ["registry_id", "event_type", "event_time", "event_timezone_offset", "record_time", "action",
                        "biz_step", "disposition", "read_point", "biz_location", "document", "owner_id", "capture_job_id"],
                events)
        _insert(EventIdentifier, ["event_id", "role", "identifier"], identifiers)
        _insert(EventBizTransaction, ["event_id", "type", "value"], transactions)
        job.stored_count = len(fresh)
        job.duplicate_count = len(prepared) - len(fresh)
        job.status = CaptureJob.Status.SUCCEEDED
        job.finished_at = timezone.now()
        job.save(update_fields=["stored_count", "duplicate_count", "status", "finished_at"])
    return job


def _new_ids(fresh: list[Prepared], now) -> list[int]:
    """Registry rows for the new events; their ids (the events' primary keys), in order."""
    if connection.vendor != "postgresql":
        registry = EventId.objects.bulk_create([EventId(event_id=p.event_id, record_time=now) for p in fresh],
                                               batch_size=2000)
        return [r.pk for r in registry]
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [EventId._meta.db_table, len(fresh)])
        pks = [r[0] for r in cur.fetchall()]
    _insert(EventId, ["id", "event_id", "record_time"], [(pk, p.event_id, now) for pk, p in zip(pks, fresh)])
    return pks


def _insert(model, fields: list[str], rows: list[tuple]) -> None:
    """Rows (values for the model's `fields`, by attname) at once: COPY on PostgreSQL (several times faster than INSERT for a capture of
    thousands of events), bulk_create elsewhere. Bypasses signals: these tables are not audited
    (the capture job is)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        column = {f.attname: f.column for f in model._meta.concrete_fields}
        columns = ", ".join(column[f] for f in fields)
        json_at = [i for i, f in enumerate(fields) if f == "document"]
        with connection.cursor() as cur, cur.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                if json_at:
                    row = list(row)
                    for i in json_at:
                        row[i] = json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)
        return
    model.objects.bulk_create([model(**dict(zip(fields, row))) for row in rows], batch_size=2000)
