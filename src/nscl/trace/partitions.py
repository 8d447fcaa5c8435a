"""The event store's monthly partitions on PostgreSQL (declarative partitioning by record time).

`trace_event` is `PARTITION BY RANGE (record_time)` with one partition per calendar month (UTC)
named `trace_event_yYYYYmMM`, plus `trace_event_default` for rows outside every partition (so a
capture never fails because nobody created next month's partition in time). `ensure(months_ahead)`
creates the partitions from the current month on; rows already in the default partition for a new
month are moved into it in the same transaction (PostgreSQL refuses to attach a partition whose
range has rows in the default one). Run it monthly: `nscl manage trace_partitions --months 3`.
On SQLite nothing here applies (the table is plain)."""
from __future__ import annotations

import datetime

from django.db import connection as default_connection
from django.db import transaction

TABLE = "trace_event"
DEFAULT = f"{TABLE}_default"


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def partition_name(start: datetime.date) -> str:
    return f"{TABLE}_y{start.year:04d}m{start.month:02d}"


def existing(connection=None) -> list[str]:
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY c.relname", [TABLE])
        return [r[0] for r in cur.fetchall()]


def is_partitioned(connection=None) -> bool:
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid WHERE c.relname = %s",
                    [TABLE])
        return cur.fetchone() is not None


def ensure(months_ahead: int = 3, today: datetime.date | None = None, connection=None) -> list[tuple[str, int]]:
    """Create the monthly partitions from today's month to `months_ahead` months later; returns
    [(partition, rows moved from the default partition)] for those created."""
    connection = connection or default_connection
    if not is_partitioned(connection):
        return []
    have = set(existing(connection))
    start = month_start(today or datetime.datetime.now(datetime.timezone.utc).date())
    created = []
    for _ in range(months_ahead + 1):
        end = next_month(start)
        name = partition_name(start)
        if name not in have:
            created.append((name, _create(connection, name, start, end)))
        start = end
    return created


def _create(connection, name, start, end) -> int:
    lo, hi = f"{start.isoformat()} 00:00:00+00", f"{end.isoformat()} 00:00:00+00"
    with transaction.atomic(using=connection.alias), connection.cursor() as cur:
        cur.execute(f'CREATE TABLE "{name}" (LIKE {TABLE} INCLUDING DEFAULTS)')
        cur.execute(f'WITH moved AS (DELETE FROM {DEFAULT} WHERE record_time >= %s AND record_time < %s RETURNING *) '
                    f'INSERT INTO "{name}" SELECT * FROM moved', [lo, hi])
        moved = cur.rowcount
        cur.execute(f'ALTER TABLE {TABLE} ATTACH PARTITION "{name}" FOR VALUES FROM (%s) TO (%s)', [lo, hi])
    return max(moved, 0)


def convert(schema_editor) -> None:
    """Migration step: replace the plain `trace_event` Django created by a partitioned table with the
    same columns, constraints (primary key widened to (id, record_time)) and index names."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or is_partitioned(connection):
        return
    with connection.cursor() as cur:
        indexes, constraints = _indexes_and_constraints(cur)
        # events stored before (a database migrated back and forth) are kept aside, then put back (in
        # the default partition until `nscl manage trace_partitions` moves them to their months)
        cur.execute(f"CREATE TABLE {TABLE}_rows AS SELECT * FROM {TABLE}")
        cur.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_plain")
        cur.execute(f"CREATE TABLE {TABLE} (LIKE {TABLE}_plain INCLUDING DEFAULTS) PARTITION BY RANGE (record_time)")
        cur.execute(f"DROP TABLE {TABLE}_plain")
        cur.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, record_time)")
        for name, definition in constraints:
            cur.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cur.execute(definition)
        cur.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT")
        cur.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_rows")
        cur.execute(f"DROP TABLE {TABLE}_rows")


def _indexes_and_constraints(cur):
    """The event table's indexes (but its primary key) and its foreign-key and check constraints, as
    SQL to recreate them on the table that replaces it."""
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [TABLE])
    indexes = [(n, d) for n, d in cur.fetchall() if not n.endswith("_pkey")]
    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'c')", [TABLE])
    return indexes, cur.fetchall()


def unconvert(schema_editor) -> None:
    """Back to a plain table (migrating backwards): rows are kept."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or not is_partitioned(connection):
        return
    with connection.cursor() as cur:
        indexes, constraints = _indexes_and_constraints(cur)
        cur.execute(f"CREATE TABLE {TABLE}_plain (LIKE {TABLE} INCLUDING DEFAULTS)")
        cur.execute(f"INSERT INTO {TABLE}_plain SELECT * FROM {TABLE}")
        cur.execute(f"DROP TABLE {TABLE} CASCADE")
        cur.execute(f"ALTER TABLE {TABLE}_plain RENAME TO {TABLE}")
        cur.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
        for name, definition in constraints:
            cur.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cur.execute(definition.replace("ON ONLY ", "ON "))
