"""The event store's partitions: on PostgreSQL `trace_event` is partitioned by record time (monthly,
plus a default partition), and a partition created later takes over the rows already stored for its
month; on SQLite the table is plain and the command has nothing to do. Both run in every pass."""
import datetime

import pytest
from django.core.management import call_command
from django.db import connection

from nscl.trace import partitions
from nscl.trace.models import Event, EventId

pytestmark = pytest.mark.django_db

LATER = datetime.datetime(2031, 9, 15, 8, 0, tzinfo=datetime.timezone.utc)


def store_at(record_time, owner):
    reg = EventId.objects.create(event_id=f"urn:uuid:{record_time:%Y%m%d}-test", owner=owner, record_time=record_time)
    return Event.objects.create(registry=reg, event_type="ObjectEvent", event_time=record_time, event_timezone_offset="+00:00",
                                record_time=record_time, action="OBSERVE", document={"eventID": reg.event_id},
                                owner=owner)


def rows_in(table):
    with connection.cursor() as cur:
        cur.execute(f'SELECT count(*) FROM "{table}"')
        return cur.fetchone()[0]


def test_partitions(chain, capsys):
    owner = chain["A"]["enterprise"]
    if connection.vendor != "postgresql":
        assert not partitions.is_partitioned() and partitions.ensure(3) == []
        call_command("trace_partitions")
        assert "không cần làm gì" in capsys.readouterr().out
        store_at(LATER, owner)
        assert Event.objects.count() == 1
        return
    assert partitions.is_partitioned()
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert partitions.partition_name(partitions.month_start(today)) in partitions.existing()
    assert partitions.DEFAULT in partitions.existing()
    store_at(LATER, owner)  # no partition for September 2031 yet: the default one keeps it
    assert rows_in(partitions.DEFAULT) == 1
    created = partitions.ensure(months_ahead=1, today=LATER.date())
    assert created == [("trace_event_y2031m09", 1), ("trace_event_y2031m10", 0)]
    assert rows_in("trace_event_y2031m09") == 1 and rows_in(partitions.DEFAULT) == 0
    assert Event.objects.get().registry.record_time == LATER  # still found through the parent table
    assert partitions.ensure(months_ahead=1, today=LATER.date()) == []  # idempotent
    call_command("trace_partitions", "--months", "0")
    assert "Phân vùng hiện có" in capsys.readouterr().out


def test_event_id_unique_across_partitions(chain):
    """The registry keeps an eventID unique for its owner even when its events would sit in different
    partitions."""
    from django.db import IntegrityError, transaction

    owner = chain["A"]["enterprise"]
    store_at(LATER, owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventId.objects.create(event_id=f"urn:uuid:{LATER:%Y%m%d}-test", owner=owner,
                               record_time=LATER + datetime.timedelta(days=40))


def test_partitioning_keeps_the_events_already_stored(chain):
    """Migrating back to a plain table and forward again (trace 0002) keeps every stored event; on
    SQLite both steps leave the plain table as it is."""
    stored = store_at(LATER, chain["A"]["enterprise"])
    before = Event.objects.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as if committed: no foreign-key check left pending
    import contextlib
    import types

    # SQLite's schema editor cannot open inside a test's transaction; the steps only read .connection there
    editing = connection.schema_editor() if connection.vendor == "postgresql" else \
        contextlib.nullcontext(types.SimpleNamespace(connection=connection))
    with editing as editor:
        partitions.unconvert(editor)
        assert not partitions.is_partitioned() and Event.objects.count() == before
        partitions.convert(editor)
    assert partitions.is_partitioned() == (connection.vendor == "postgresql") and Event.objects.count() == before
    assert Event.objects.get(pk=stored.pk).document == {"eventID": stored.registry.event_id}
