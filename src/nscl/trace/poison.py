"""Stored events that capture would refuse today (nscl.traceability.limits): rows written before those
checks, or by hand. A time the database holds but Python cannot (year 10000 on PostgreSQL) makes
every query reading the row fail, so nothing here reads a time as a datetime: the columns are
compared in SQL and read as text, the documents are read alone. `nscl epcis check-stored` reports
them; with --delete it removes those events with their index rows."""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.db import connection, transaction

from nscl.traceability import limits

from .models import Event, EventBizTransaction, EventId, EventIdentifier

BATCH = 1000  # documents read at a time


@dataclass
class Poison:
    pk: int
    event_id: str
    owner_id: int | None
    field: str
    message: str

    def to_dict(self) -> dict:
        return {"id": self.pk, "eventID": limits.visible(self.event_id), "owner": self.owner_id, "field": self.field,
                "message": self.message}


def _bad_times(earliest: int, latest: int) -> list[Poison]:
    """Events whose eventTime or recordTime column lies outside the years (in UTC)."""
    events, registry = Event._meta.db_table, EventId._meta.db_table
    utc = datetime.timezone.utc
    lo = datetime.datetime(max(earliest, 1), 1, 1, tzinfo=utc)
    hi = datetime.datetime(latest + 1, 1, 1, tzinfo=utc) if latest < 9999 else datetime.datetime.max.replace(tzinfo=utc)
    if connection.vendor == "postgresql":
        params = [lo, hi] * 2
        outside = "NOT ({c} >= %s AND {c} < %s)"
    else:  # the text the ORM writes; a year not of four digits is outside too
        params = [connection.ops.adapt_datetimefield_value(t) for t in (lo, hi)] * 2
        outside = "(NOT ({c} >= %s AND {c} < %s) OR substr({c}, 5, 1) <> '-')"
    where = " OR ".join(outside.format(c=f"e.{c}") for c in ("event_time", "record_time"))
    sql = (f"SELECT r.id, r.event_id, e.owner_id, CAST(e.event_time AS TEXT), CAST(e.record_time AS TEXT) "
           f"FROM {events} e JOIN {registry} r ON r.id = e.id WHERE {where} ORDER BY r.id")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return [Poison(pk, event_id, owner, "eventTime/recordTime",
                   f"Thời điểm lưu {event_time} / {record_time} nằm ngoài khoảng năm {earliest}–{latest}")
            for pk, event_id, owner, event_time, record_time in rows]


def _bad_documents(earliest: int, latest: int) -> list[Poison]:
    """Events whose document holds a value capture now refuses (limits.event_problems)."""
    events, registry = Event._meta.db_table, EventId._meta.db_table
    found, last = [], -1
    with connection.cursor() as cur:
        while True:
            cur.execute(f"SELECT r.id, r.event_id, e.owner_id, e.document FROM {events} e JOIN {registry} r "
                        f"ON r.id = e.id WHERE e.id > %s ORDER BY e.id LIMIT {BATCH}", [last])
            rows = cur.fetchall()
            if not rows:
                return found
            for pk, event_id, owner, document in rows:
                doc = json.loads(document) if isinstance(document, str) else document
                for parts, _en, vi in limits.event_problems(doc if isinstance(doc, dict) else {}, earliest, latest):
                    found.append(Poison(pk, event_id, owner, limits.visible("/" + "/".join(map(str, parts))), vi))
            last = rows[-1][0]


def find(earliest: int, latest: int) -> list[Poison]:
    """Every stored event capture would refuse, by registry id (an event may appear more than once)."""
    return sorted(_bad_times(earliest, latest) + _bad_documents(earliest, latest), key=lambda p: p.pk)


def delete(pks) -> int:
    """Remove these events with their registry and index rows, in one transaction (SQL: the rows
    cannot be loaded as objects); the number of events removed."""
    pks = sorted(set(pks))
    removed = 0
    with transaction.atomic(), connection.cursor() as cur:
        for i in range(0, len(pks), 500):
            chunk = pks[i:i + 500]
            marks = ", ".join(["%s"] * len(chunk))
            for model, column in ((EventIdentifier, "event_id"), (EventBizTransaction, "event_id"), (Event, "id")):
                cur.execute(f"DELETE FROM {model._meta.db_table} WHERE {column} IN ({marks})", chunk)
            cur.execute(f"DELETE FROM {EventId._meta.db_table} WHERE id IN ({marks})", chunk)
            removed += cur.rowcount
    return removed
