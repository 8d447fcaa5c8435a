"""Capture: an EPCIS document (or one event) checked whole — JSON, GS1 schema with formats, check
digits, values a database can hold (nscl.traceability.limits), who may record it — then written in
one transaction, or nothing written.

The owner of an event is the enterprise of its bizLocation, else of its readPoint (both optional in
EPCIS 2.0), else the enterprise the caller acts for; every location an event names must be one the
caller may record at (an officer may name unregistered ones).

Event identity. EPCIS 2.0 asks the capturing application for an eventID unique across all events (a
UUID URN), or lets it use the CBV 2.0 Event Hash ID, a digest of the event's content: anyone who has
seen an event can compute it. A repository shared by enterprises that do not trust each other cannot
enforce worldwide uniqueness without harm: with one registry for everybody, the first to capture an
ID owns it, so a partner that received B's goods could compute B's hash ID (or guess a patterned
ID), capture something else under it first, and B's event would never exist (squatting); and the
answer to any capture would tell whether an ID exists anywhere (an oracle). So an eventID is unique
per owner, in the database (EventId, unique (owner, eventID)):

- the same owner and the same ID again: with the same content (the same CBV hash, the standard's
  notion of the same event) it is that event, stored once and counted as a duplicate — re-captures,
  repeats in one document and concurrent captures alike (INSERT … ON CONFLICT DO NOTHING, never
  check-then-insert); with other content the whole capture is refused (409) naming the event's
  index: the ID is already used and must be changed. The caller acts for that owner and may read
  that event, so the refusal reveals nothing;
- another owner, the same ID: its event is stored as its own. No answer depends on events of owners
  other than the caller's, so there is nothing to probe and nothing to squat;
- queries by eventID (EQ_eventID, /epcis/events/<id>) return the events with that ID the caller may
  read (an officer, or a partner of both owners, may see two); traces tell them apart by owner.

An error declaration (the same eventID with errorDeclaration, which the hash leaves out) is, as
before, counted as a duplicate of the stored event and not stored."""
from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import json
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db import OperationalError, connection, models, transaction
from django.utils import timezone

from nscl.accounts import roles
from nscl.enterprises.models import Enterprise
from nscl.traceability import epcis, hashing, keys, limits
from nscl.traceability.graph import lots_of_instances

from . import prefixes
from .access import Actor
from .models import CaptureJob, Event, EventBizTransaction, EventId, EventIdentifier, Location, Product, Share

MAX_BYTES = 10 * 1024 * 1024  # a capture document larger than this is refused (413)
RETRIES = 3  # a capture that deadlocked with a concurrent one is tried again this often

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
    other URIs unchanged; "" for none."""
    if not isinstance(value, str) or not value.strip():
        return ""
    try:
        return keys.normalise(value)
    except (keys.InvalidKey, TypeError):
        return value or ""


@dataclass
class Refused(Exception):
    """The whole capture is refused: `status` 400 (invalid), 403 (not the caller's), 409 (an eventID
    the owner already used for another event), 413 (too big)."""

    status: int
    title: str
    problems: list = field(default_factory=list)  # [{"eventIndex", "eventID", "field", "message"}]
    detail: str = ""

    def __str__(self):
        return self.detail or self.title


def _problem(index, event_id, path, message):
    return {"eventIndex": index, "eventID": limits.visible(event_id), "field": path, "message": message}


def years() -> tuple[int, int]:
    """The years an event's times may fall in: settings NSCL_EPCIS_EARLIEST_YEAR and
    NSCL_EPCIS_LATEST_YEAR, by default those of nscl.traceability.limits (1900-2100)."""
    return (getattr(settings, "NSCL_EPCIS_EARLIEST_YEAR", limits.EARLIEST_YEAR),
            getattr(settings, "NSCL_EPCIS_LATEST_YEAR", limits.LATEST_YEAR))


def _parse_time(value) -> datetime.datetime:
    return limits.parse_time(value, 1, 9999)  # validated before: within years()


@dataclass
class Prepared:
    """One event ready to store."""

    index: int
    event_id: str
    event: dict
    epcs: dict
    read_point: str
    biz_location: str
    explicit_id: bool = True  # False: the hash ID was computed here
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
    earliest, latest = years()
    if single_event:
        problems = epcis.validate_event(doc, earliest=earliest, latest=latest)
        events, context = [doc], doc.get("@context")
    else:
        problems = epcis.validate_document(doc, earliest=earliest, latest=latest)
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
                            normalised((event.get("bizLocation") or {}).get("id")), bool(event.get("eventID"))))
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


# the event field each index role comes from (for the problem's `field`)
_ROLE_FIELDS = {"epc": "epcList", "parent": "parentID", "child": "childEPCs", "input": "inputEPCList",
                "output": "outputEPCList", "epc_class": "quantityList", "input_class": "inputQuantityList",
                "output_class": "outputQuantityList", "lot": "epcList"}


def _numbers(epcs: dict) -> dict[tuple[str, str], tuple[keys.Key, str]]:
    """(kind, number) → (parsed key, the field it was first seen in) for each GTIN and SSCC of an event."""
    out = {}
    for role, ids in epcs.items():
        for identifier in ids:
            key = _key(identifier)
            if key is None:
                continue
            number = ("GTIN", key.gtin) if key.gtin else ("SSCC", key.sscc) if key.sscc else None
            if number and number not in out:
                out[number] = (key, _ROLE_FIELDS.get(role, "epcList"))
    return out


def _prefix_problems(p: Prepared, places, products, allowed: set[int], holders, skip=()) -> list[dict]:
    """The GS1 numbers of an event that are not under a verified company prefix (nscl.trace.prefixes)
    of the enterprise they belong to: a location's GLN of its owner, a product's GTIN of the
    product's owner, an SSCC of the caller or of a partner sharing with it."""
    problems = []
    for path, loc in places:
        if not roles.can_use_gs1_number(holders.holder_of(loc.gln), {loc.owner_id}):
            problems.append(_problem(p.index, p.event_id, path,
                                     f"GLN {loc.gln} (địa điểm {loc.name}) không thuộc tiền tố mã doanh nghiệp GS1 "
                                     "nào đã được cán bộ xác minh (còn hiệu lực) của doanh nghiệp sở hữu địa điểm."))
    for (kind, number), (key, path) in sorted(_numbers(p.epcs).items()):
        if number in skip:  # already refused: not in a catalogue the caller may use
            continue
        product = products.get(number) if kind == "GTIN" else None
        if not roles.can_use_gs1_number(holders.holder(key), {product.owner_id} if product else allowed):
            whose = ("của doanh nghiệp sở hữu sản phẩm" if kind == "GTIN" else
                     "của doanh nghiệp gửi dữ liệu hoặc của đối tác chia sẻ dữ liệu với doanh nghiệp")
            problems.append(_problem(p.index, p.event_id, path,
                                     f"{kind} {number} không thuộc tiền tố mã doanh nghiệp GS1 nào đã được cán bộ "
                                     f"xác minh (còn hiệu lực) {whose}."))
    return problems


_PLACES = (("bizLocation", "bizLocation.id", "nơi diễn ra sự kiện"), ("readPoint", "readPoint.id", "điểm ghi nhận"))


def authorise(prepared: list[Prepared], actor: Actor) -> None:
    """Give each event its owner (bizLocation's, else readPoint's, else the caller's enterprise);
    Refused(403) naming each event recorded at a location (or for a product) the caller may not
    record for, or whose owner cannot be told."""
    glns = {g for p in prepared for g in (_gln(p.read_point), _gln(p.biz_location)) if g}
    locations = {loc.gln: loc for loc in Location.objects.filter(gln__in=glns).select_related("owner")}
    products = {p.gtin: p for p in Product.objects.filter(gtin__in={g for p in prepared for g in _gtins(p.epcs)})}
    sharers = set(Share.objects.filter(partner_id__in=actor.enterprise_ids).values_list("owner_id", flat=True))
    key_locations = actor.key_location_ids()
    holders = None if actor.sees_all else prefixes.Holders(
        actor.enterprise_ids | sharers | {loc.owner_id for loc in locations.values()}
        | {p.owner_id for p in products.values()})
    problems = []
    for p in prepared:
        owners, missing, places = [], [], []
        for name, path, words in _PLACES:
            value = p.biz_location if name == "bizLocation" else p.read_point
            if not value:
                missing.append(f"không có {name} ({words})")
                continue
            loc = locations.get(_gln(value))
            if loc is None:
                missing.append(f"{name} {value} chưa đăng ký")
                if not actor.sees_all:
                    problems.append(_problem(p.index, p.event_id, path, f"Địa điểm {value} ({name}, {words}) chưa đăng ký "
                                             "(GLN chưa có trong hệ thống)."))
                continue
            if not roles.can_capture_at(actor.sees_all, actor.enterprise_ids, key_locations, loc):
                problems.append(_problem(p.index, p.event_id, path,
                                         f"Địa điểm {value} ({loc.name}) không thuộc doanh nghiệp gửi dữ liệu"
                                         + (" hoặc nằm ngoài phạm vi của khóa API." if key_locations else ".")))
                continue
            owners.append(loc.owner)
            places.append((path, loc))
        if not actor.sees_all:
            refused = set()
            for gtin in sorted(_gtins(p.epcs)):
                product = products.get(gtin)
                if not roles.can_record_product(actor.enterprise_ids, sharers, product):
                    refused.add(gtin)
                    problems.append(_problem(p.index, p.event_id, "epcList",
                                             f"Sản phẩm GTIN {gtin} chưa đăng ký trong danh mục của doanh nghiệp "
                                             "hoặc của đối tác chia sẻ dữ liệu với doanh nghiệp."))
            problems.extend(_prefix_problems(p, places, products, actor.enterprise_ids | sharers, holders, refused))
        p.owner = owners[0] if owners else actor.enterprise
        if p.owner is None:
            problems.append(_problem(p.index, p.event_id, "bizLocation.id",
                                     f"Không xác định được doanh nghiệp sở hữu sự kiện: sự kiện {', '.join(missing)}; "
                                     "cần bizLocation hoặc readPoint là địa điểm đã đăng ký."))
    if problems:
        raise Refused(403, "epcisException:SecurityException", problems)


_PAUSE = threading.Lock()
_pausing = {"captures": 0, "was_on": False}


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off while captures run: parsing and checking 10,000 events
    allocates millions of objects (none in cycles), and the collections they trigger took up to
    two thirds of validation time (bench/trace.py). The collector is process-wide and the server
    runs captures in several threads, so the first capture to start turns it off and the last to end
    turns it back on (as it was), under one lock: it can never be left off. Bounded: a document is at
    most MAX_BYTES."""
    with _PAUSE:
        if _pausing["captures"] == 0:
            _pausing["was_on"] = gc.isenabled()
            gc.disable()
        _pausing["captures"] += 1
    try:
        yield
    finally:
        with _PAUSE:
            _pausing["captures"] -= 1
            if _pausing["captures"] == 0 and _pausing["was_on"]:
                gc.enable()


def capture(body, actor: Actor, single_event: bool = False, source: str | None = None) -> CaptureJob:
    """Capture a document (bytes, text or parsed dict): every event stored, or Refused and nothing."""
    with _collector_paused():
        return _capture(body, actor, single_event, source)


def _capture(body, actor: Actor, single_event: bool, source: str | None) -> CaptureJob:
    doc = body if isinstance(body, dict) else parse(body)
    if not isinstance(doc, dict):
        raise Refused(400, "epcisException:ValidationException",
                      detail="Sự kiện phải là một đối tượng JSON." if single_event else "Tài liệu phải là một đối tượng JSON.")
    prepared = prepare(doc, single_event)
    authorise(prepared, actor)
    for attempt in range(RETRIES):
        try:
            job = _store(prepared, actor, source or actor.source)
            job.event_ids = [p.event_id for p in prepared]
            return job
        except OperationalError as e:  # deadlocked with a concurrent capture of the same IDs: again
            if attempt == RETRIES - 1 or getattr(e.__cause__, "sqlstate", None) not in ("40P01", "40001"):
                raise
    raise AssertionError


def _content(document: dict) -> str:
    """What makes two events with one eventID the same event: their CBV hash (eventID, recordTime
    and the form of each value left out)."""
    return hashing.event_hash_id(document, document.get("@context"))


def _reused(p: Prepared) -> dict:
    how = ("Thêm eventID riêng cho sự kiện (ví dụ urn:uuid:…) rồi gửi lại." if not p.explicit_id else
           "Hãy đổi eventID (ví dụ một urn:uuid mới) rồi gửi lại.")
    return _problem(p.index, p.event_id, "eventID",
                    f"Mã sự kiện (eventID) này đã được dùng cho một sự kiện khác của doanh nghiệp, nội dung khác. {how}")


def _store(prepared: list[Prepared], actor: Actor, source: str) -> CaptureJob:
    """One transaction: the capture job, the registry rows that are new for their owner, then the
    events and index rows of those; a known ID with other content refuses everything (409)."""
    first, conflicts = {}, []
    for p in prepared:  # repeats inside the document
        key = (p.owner.pk, p.event_id)
        if key not in first:
            first[key] = p
        elif (p.explicit_id or first[key].explicit_id) and _content(p.event) != _content(first[key].event):
            conflicts.append(_reused(p))
    if conflicts:
        raise Refused(409, "epcisException:ResourceAlreadyExistsException", conflicts)
    now = timezone.now()
    with transaction.atomic():
        user = actor.user if getattr(actor.user, "is_authenticated", False) else None
        job = CaptureJob.objects.create(owner=actor.enterprise, created_by=user, api_key=actor.key,
                                        source=source, event_count=len(prepared), created_at=now)
        pks = _register(sorted(first), now)  # sorted: concurrent captures take the same locks in one order
        known = [p for key, p in first.items() if key not in pks]
        if known:
            stored = _stored_contents([(p.owner.pk, p.event_id) for p in known])
            conflicts = [_reused(p) for p in known if stored.get((p.owner.pk, p.event_id)) != _content(p.event)]
            if conflicts:
                raise Refused(409, "epcisException:ResourceAlreadyExistsException", conflicts)
        fresh = [(p, pks[key]) for key, p in first.items() if key in pks]
        events, identifiers, transactions = [], [], []
        for p, pk in fresh:
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


def _register(keys_: list[tuple[int, str]], now) -> dict[tuple[int, str], int]:
    """Registry rows for the (owner, eventID) pairs not yet stored; {pair: id} of those inserted. A pair
    stored meanwhile by a concurrent capture is skipped by the database (ON CONFLICT DO NOTHING waits
    for that capture to commit or roll back), never an error."""
    table, postgres = EventId._meta.db_table, connection.vendor == "postgresql"
    when = now if postgres else connection.ops.adapt_datetimefield_value(now)  # as the ORM writes it
    step = 5000 if postgres else 500
    out = {}
    with connection.cursor() as cur:
        for i in range(0, len(keys_), step):
            chunk = keys_[i:i + step]
            if postgres:
                cur.execute(f"INSERT INTO {table} (owner_id, event_id, record_time) "
                            "SELECT t.o, t.e, %s FROM unnest(%s::bigint[], %s::text[]) AS t(o, e) "
                            "ON CONFLICT (owner_id, event_id) DO NOTHING RETURNING id, owner_id, event_id",
                            [now, [k[0] for k in chunk], [k[1] for k in chunk]])
            else:
                cur.execute(f"INSERT INTO {table} (owner_id, event_id, record_time) VALUES "
                            + ", ".join(["(%s, %s, %s)"] * len(chunk))
                            + " ON CONFLICT (owner_id, event_id) DO NOTHING RETURNING id, owner_id, event_id",
                            [v for o, e in chunk for v in (o, e, when)])
            out.update({(o, e): pk for pk, o, e in cur.fetchall()})
    return out


def _stored_contents(pairs: list[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """The content (CBV hash) of the stored events of these (owner, eventID) pairs."""
    found = {}
    for i in range(0, len(pairs), 500):
        match = models.Q()
        for owner, event_id in pairs[i:i + 500]:
            match |= models.Q(registry__owner_id=owner, registry__event_id=event_id)
        for owner, event_id, document in Event.objects.filter(match).values_list(
                "registry__owner_id", "registry__event_id", "document"):
            found[(owner, event_id)] = _content(document)
    return found


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
