"""The EPCIS 2.0 SimpleEventQuery over the stored events (GET /epcis/events, `nscl epcis query`).

Parameters are those of GS1's REST binding: list values are pipe-delimited (`EQ_bizStep=shipping|receiving`)
or repeated. MATCH_* take EPC URNs, GS1 Digital Links or EPC patterns (`urn:epc:idpat:sgtin:0614141.107346.*`),
compared in their normalised form through the identifier index. Pages are ordered by (eventTime, id)
or (recordTime, id); `nextPageToken` is a signed keyset cursor (the last row's sort key and a digest
of the query), so a page costs the same however deep it is, and a token cannot be forged or reused
with other parameters."""
from __future__ import annotations

import datetime
import hashlib
import json

from django.core import signing
from django.db.models import Q

from nscl.common.params import int_param
from nscl.traceability import keys

from .access import Actor, owner_filter
from .models import Event, EventBizTransaction, EventId, EventIdentifier
from .store import cbv

PER_PAGE_DEFAULT = 30
PER_PAGE_MAX = 1000
EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent")

# MATCH_* parameter → the identifier roles it looks at (nscl.traceability.epcis.ROLES)
MATCH_ROLES = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
    "MATCH_epcClass": ("epc_class",),
    "MATCH_inputEPCClass": ("input_class",),
    "MATCH_outputEPCClass": ("output_class",),
    "MATCH_anyEPCClass": ("epc_class", "input_class", "output_class"),
    "EQ_transformationID": ("transformation",),
}
TIMES = {"GE_eventTime": ("event_time", "gte"), "LT_eventTime": ("event_time", "lt"),
         "GE_recordTime": ("record_time", "gte"), "LT_recordTime": ("record_time", "lt")}
EQUALS = {"EQ_action": ("action", None), "EQ_bizStep": ("biz_step", "bizStep"),
          "EQ_disposition": ("disposition", "disposition"), "EQ_readPoint": ("read_point", "location"),
          "EQ_bizLocation": ("biz_location", "location")}
ORDER_FIELDS = {"eventTime": "event_time", "recordTime": "record_time"}
# accepted and ignored: version negotiation headers sent as parameters, and the page parameters
IGNORED = {"perPage", "nextPageToken", "orderBy", "orderDirection", "GS1-EPCIS-Version", "GS1-CBV-Version",
           "GS1-EPCIS-Min", "GS1-EPCIS-Max", "GS1-CBV-Min", "GS1-CBV-Max", "GS1-EPC-Format", "GS1-CBV-XML-Format",
           "GS1-Extensions", "format"}


class QueryError(ValueError):
    """A parameter the query cannot take: `name` and a Vietnamese `message` (400)."""

    def __init__(self, name: str, message: str, kind: str = "epcisException:QueryParameterException"):
        super().__init__(message)
        self.name, self.message, self.kind = name, message, kind


def values(params, name) -> list[str]:
    """Every value of a (pipe-delimited or repeated) parameter."""
    raw = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
    out = [v.strip() for item in raw for v in str(item).split("|")]
    if any("\x00" in v for v in out):
        raise QueryError(name, f"Tham số {name} chứa ký tự NUL (%00), không phải giá trị hợp lệ.")
    if not out or any(not v for v in out):
        raise QueryError(name, f"Tham số {name} cần ít nhất một giá trị (phân cách bằng “|”).")
    return out


def parse_time(name, value) -> datetime.datetime:
    try:
        t = datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise QueryError(name, f"{name}=“{value}” không phải thời điểm ISO 8601 (ví dụ 2026-06-30T00:00:00+07:00).") from None
    if t.tzinfo is None:
        raise QueryError(name, f"{name}=“{value}” thiếu múi giờ (thêm Z hoặc +07:00).")
    return t


def _identifier_q(name, value, roles) -> Q:
    """Index rows matching one MATCH_* value: the identifier itself (normalised), or for an EPC pattern
    (`urn:epc:idpat:sgtin:8930001.000001.*`) the identifiers it covers and the pattern itself (a
    quantity's epcClass may be a pattern). Identifiers are stored split at a 7-digit company prefix
    (keys.normalise), so a company-wide pattern (`…:8930001.*.*`) is answered for 7-digit prefixes."""
    pattern = value.startswith("urn:epc:idpat:")
    try:
        normalised = keys.normalise(value)
    except keys.InvalidKey as e:
        parts = value[len("urn:epc:idpat:"):].partition(":")[2].split(".") if pattern else []
        if pattern and len(parts[0]) == keys.DEFAULT_COMPANY_PREFIX_LENGTH and parts[0].isdigit() \
                and all(p == "*" for p in parts[1:]):
            kind = value[len("urn:epc:idpat:"):].partition(":")[0]
            return Q(identifier__startswith=f"urn:epc:id:{kind}:{parts[0]}.", role__in=roles)
        raise QueryError(name, f"{name}: {e.message_vi}") from None
    if pattern:
        if not normalised.endswith(".*") or normalised.count("*") != 1:
            raise QueryError(name, f"{name}: mẫu {value} không được hỗ trợ (chỉ “*” ở cuối).")
        prefix = "urn:epc:id:" + normalised[len("urn:epc:idpat:"):-1]
        return Q(role__in=roles) & (Q(identifier=normalised) | Q(identifier__startswith=prefix))
    return Q(identifier=normalised, role__in=roles)


def _normalise_eq(kind, name, value) -> str:
    if kind == "location":
        try:
            return keys.normalise(value)
        except keys.InvalidKey as e:
            raise QueryError(name, f"{name}: {e.message_vi}") from None
    return cbv(kind, value) if kind else value


def filtered(params, actor: Actor):
    """The queryset of events the parameters select among those the actor may read."""
    qs = Event.objects.filter(owner_filter(actor))
    for name in params:
        if "\x00" in name:
            raise QueryError(name.replace("\x00", "%00"), "Tên tham số chứa ký tự NUL (%00).")
        if name in IGNORED:
            continue
        if name == "eventType":
            types = values(params, name)
            unknown = [t for t in types if t not in EVENT_TYPES]
            if unknown:
                raise QueryError(name, f"Loại sự kiện không có: {', '.join(unknown)}. Các loại: {', '.join(EVENT_TYPES)}.")
            qs = qs.filter(event_type__in=types)
        elif name in TIMES:
            field, op = TIMES[name]
            qs = qs.filter(**{f"{field}__{op}": parse_time(name, values(params, name)[0])})
        elif name in EQUALS:
            field, kind = EQUALS[name]
            qs = qs.filter(**{f"{field}__in": [_normalise_eq(kind, name, v) for v in values(params, name)]})
        elif name in MATCH_ROLES:
            match = Q()
            for v in values(params, name):
                match |= _identifier_q(name, v, MATCH_ROLES[name])
            qs = qs.filter(registry_id__in=EventIdentifier.objects.filter(match).values("event_id"))
        elif name.startswith("EQ_bizTransaction_") and len(name) > len("EQ_bizTransaction_"):
            kind = cbv("btt", name[len("EQ_bizTransaction_"):])
            qs = qs.filter(registry_id__in=EventBizTransaction.objects.filter(
                type=kind, value__in=values(params, name)).values("event_id"))
        elif name == "EQ_eventID":
            qs = qs.filter(registry_id__in=EventId.objects.filter(event_id__in=values(params, name)).values("id"))
        else:
            raise QueryError(name, f"Tham số truy vấn “{name}” không được hỗ trợ.")
    return qs


def _digest(params) -> str:
    items = sorted((k, v) for k in params if k not in ("nextPageToken", "perPage")
                   for v in (params.getlist(k) if hasattr(params, "getlist") else [params[k]]))
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:16]


def page(params, actor: Actor):
    """(events as stored documents with recordTime, next page token or None)."""
    raw = params.get("perPage")
    per_page = PER_PAGE_DEFAULT if raw is None else int_param(raw, 1, PER_PAGE_MAX)
    if per_page is None:
        raise QueryError("perPage", f"perPage phải là số nguyên từ 1 đến {PER_PAGE_MAX}.")
    order_by = params.get("orderBy", "eventTime")
    if order_by not in ORDER_FIELDS:
        raise QueryError("orderBy", "orderBy chỉ nhận eventTime hoặc recordTime.")
    direction = params.get("orderDirection", "ASC").upper()
    if direction not in ("ASC", "DESC"):
        raise QueryError("orderDirection", "orderDirection chỉ nhận ASC hoặc DESC.")
    field = ORDER_FIELDS[order_by]
    qs = filtered(params, actor)
    token = params.get("nextPageToken")
    if token:
        try:
            cursor = signing.loads(token, salt="nscl.trace.page")
            if cursor["q"] != _digest(params) or cursor["o"] != [field, direction]:
                raise signing.BadSignature
        except (signing.BadSignature, KeyError, TypeError):
            raise QueryError("nextPageToken", "nextPageToken không hợp lệ hoặc không dành cho truy vấn này.",
                             "epcisException:ValidationException") from None
        last_time = datetime.datetime.fromisoformat(cursor["t"])
        after = "gt" if direction == "ASC" else "lt"
        qs = qs.filter(Q(**{f"{field}__{after}": last_time}) | Q(**{field: last_time, f"registry_id__{after}": cursor["i"]}))
    sign = "" if direction == "ASC" else "-"
    rows = list(qs.order_by(f"{sign}{field}", f"{sign}registry_id")
                .values_list("registry_id", "document", "record_time", "event_time")[:per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    events = [with_record_time(doc, record_time) for _pk, doc, record_time, _t in rows]
    next_token = None
    if more:
        last = rows[-1]
        value = last[2] if field == "record_time" else last[3]
        next_token = signing.dumps({"q": _digest(params), "o": [field, direction], "t": value.isoformat(), "i": last[0]},
                                   salt="nscl.trace.page", compress=True)
    return events, next_token


def with_record_time(document: dict, record_time) -> dict:
    out = dict(document)
    out["recordTime"] = record_time.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
    return out


def with_id(event_id: str, actor: Actor) -> list[dict]:
    """The stored events with this eventID the actor may read: an eventID is unique per owner
    (nscl.trace.store), so an officer or a partner of two owners may read more than one; the
    actor's own first."""
    if "\x00" in event_id:
        return []
    registry = list(EventId.objects.filter(owner_filter(actor), event_id=event_id).values_list("pk", "record_time"))
    if not registry:
        return []
    match = Q()
    for pk, record_time in registry:  # the record time names the partition
        match |= Q(registry_id=pk, record_time=record_time)
    own = actor.enterprise_ids
    rows = sorted(Event.objects.filter(match).values_list("owner_id", "registry_id", "document", "record_time"),
                  key=lambda r: (r[0] not in own, r[1]))
    return [with_record_time(doc, record_time) for _o, _pk, doc, record_time in rows]


def one(event_id: str, actor: Actor) -> dict | None:
    """The stored event with this eventID the actor may read (its own first), or None."""
    found = with_id(event_id, actor)
    return found[0] if found else None
