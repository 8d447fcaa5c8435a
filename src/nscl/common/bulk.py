"""Many rows into one table at once, for imports of tens of thousands of rows.

Django's `bulk_create` spends most of a 50,000-row import preparing each value through its field
(about 10 µs a value); here each column gets one converter, chosen once, and the rows go in by
COPY on PostgreSQL or one `executemany` elsewhere. Like `bulk_create`, it bypasses signals (its
callers record the audit entries themselves: `audit.api.record_bulk`) and `save()`.
`create_objects` is the `bulk_create` of new model objects (auto_now fields set, keys read back by
a natural key); `insert_rows` takes plain tuples.
"""
from __future__ import annotations

import contextlib
import enum
import json
import operator

from django.db import connection, models, transaction
from django.db.models import signals
from django.utils import timezone


class JsonText(str):
    """A JSONField value already encoded as JSON text: stored as it is."""


def _converter(field, vendor):
    """A function from the Python value of `field` to what the database driver takes, or None
    when the driver takes the value as it is."""
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def to_json(value):
            return value if value is None or isinstance(value, JsonText) else json.dumps(value, cls=encoder)
        return to_json
    if vendor == "postgresql":
        # a TextChoices / IntegerChoices member is an Enum, which psycopg would write by its name
        if isinstance(field, (models.CharField, models.TextField)):
            return lambda value: value if value is None or type(value) is str else str(value)
        if isinstance(field, models.IntegerField):
            return lambda value: value.value if isinstance(value, enum.Enum) else value
        return None  # psycopg's COPY writes str, int, bool, Decimal, date and aware datetime itself
    if isinstance(field, models.DateTimeField):
        adapt, last = connection.ops.adapt_datetimefield_value, [object(), None]

        def to_datetime(value):  # an import's rows share one timestamp: converted once
            if value is not last[0]:
                last[:] = value, adapt(value)
            return last[1]
        return to_datetime
    if isinstance(field, (models.CharField, models.TextField, models.IntegerField, models.BooleanField,
                          models.DecimalField, models.DateField, models.FloatField, models.ForeignKey)):
        return None  # the sqlite3 module (and Django's adapters for date and Decimal) take these
    return lambda value: field.get_db_prep_save(value, connection)


def insert_rows(model, fields: list[str], rows, stream: bool = False) -> int:
    """Insert `rows` (tuples of Python values for the model's `fields`, by attname) into the
    model's table; the number of rows inserted. `stream`: the rows are sent while they are made,
    so PostgreSQL stores them meanwhile; only for rows whose making queries nothing (the COPY holds
    the connection: a query would wait for it forever)."""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    columns = [by_attname[name] for name in fields]
    vendor = connection.vendor
    convert = [(i, c) for i, c in enumerate(_converter(f, vendor) for f in columns) if c is not None]

    def prepared():
        for row in rows:
            if convert:
                row = list(row)
                for i, c in convert:
                    row[i] = c(row[i])
            yield row
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    # unless streamed, every row is made before the first is sent: making one may query the
    # database (an object's str()), which the connection cannot answer in the middle of a COPY
    batch = prepared() if stream and vendor == "postgresql" else list(prepared())
    n = 0
    with transaction.atomic(savepoint=False), connection.cursor() as cur:  # one transaction, as bulk_create
        if vendor == "postgresql":
            with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
                    n += 1
        elif batch:
            with _sqlite_cache(cur):
                cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", batch)
            n = len(batch)
    return n


@contextlib.contextmanager
def _sqlite_cache(cur, kib=16384):
    """SQLite's page cache at least `kib` KiB while rows go in: with its default 2 MB the indexes of a
    50,000-row table no longer fit and inserting them takes twice as long."""
    cur.execute("PRAGMA cache_size")
    before = cur.fetchone()[0]  # negative: KiB; positive: pages
    if before > 0:
        cur.execute("PRAGMA page_size")
        size = before * cur.fetchone()[0] // 1024
    else:
        size = -before
    if size >= kib:
        yield
        return
    cur.execute(f"PRAGMA cache_size = -{kib}")
    try:
        yield
    finally:
        cur.execute(f"PRAGMA cache_size = {before}")


def pks_by(model, key: tuple[str, ...], values) -> dict:
    """{(key values): pk} of the rows whose first `key` field (an attname, indexed) is one of
    `values`: the keys of rows `insert_rows` wrote, by plain SQL in chunks (the ORM would prepare
    each of the 50,000 values of an IN list through its field)."""
    table = connection.ops.quote_name(model._meta.db_table)
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    names = ", ".join(connection.ops.quote_name(by_attname[k].column) for k in key)
    pk = connection.ops.quote_name(model._meta.pk.column)
    first = connection.ops.quote_name(by_attname[key[0]].column)
    values, out = list(values), {}
    if not values:
        return out
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":  # one query, the values as one array
            cur.execute(f"SELECT {names}, {pk} FROM {table} WHERE {first} = ANY(%s)", [values])
            return {tuple(row[:-1]): row[-1] for row in cur.fetchall()}
        for i in range(0, len(values), 900):
            chunk = values[i:i + 900]
            cur.execute(f"SELECT {names}, {pk} FROM {table} WHERE {first} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            out.update({tuple(row[:-1]): row[-1] for row in cur.fetchall()})
    return out


def create_objects(model, objs, *key: str) -> None:
    """`bulk_create(objs)` by `insert_rows`: auto_now / auto_now_add fields set to one timestamp,
    and each object given its primary key, read back by its natural `key` (attnames that identify
    a row, the first of them indexed)."""
    if not objs:
        return
    now = timezone.now()
    concrete = model._meta.concrete_fields
    auto = [f.attname for f in concrete if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for o in objs:
        for name in auto:
            setattr(o, name, now)
    fields = [f.attname for f in concrete if not f.primary_key]
    values = operator.attrgetter(*fields)
    insert_rows(model, fields, (values(o) for o in objs), stream=True)
    made = pks_by(model, key, {getattr(o, key[0]) for o in objs})
    for o in objs:
        o.pk = made[tuple(getattr(o, k) for k in key)]
        o._state.adding, o._state.db = False, connection.alias


def maker(model, *attnames: str):
    """A constructor of new `model` objects from the values of `attnames`, positionally, the other
    fields at their defaults: Django's keyword path costs about 10 µs an object (each field's default
    looked up, each keyword popped), 100,000 objects in an import."""
    fields = model._meta.concrete_fields
    template = [None if f.primary_key else f.get_default() for f in fields]
    fresh = [(i, f.get_default) for i, f in enumerate(fields)
             if not f.primary_key and f.has_default() and callable(f.default)]
    at = {f.attname: i for i, f in enumerate(fields)}
    places = [at[name] for name in attnames]
    names = [f.attname for f in fields]
    # what Model.__init__ does with positional values when nothing listens to its signals and the
    # model does not override it: the values into the instance's dict, a fresh state
    plain = (model.__init__ is models.Model.__init__ and not signals.pre_init.has_listeners(model)
             and not signals.post_init.has_listeners(model))

    def make(*values):
        args = template.copy()
        for i, default in fresh:  # a callable default (a dict, a date) is made for each object
            args[i] = default()
        for i, value in zip(places, values):
            args[i] = value
        if not plain:
            return model(*args)
        obj = model.__new__(model)
        obj._state = models.base.ModelState()
        obj.__dict__.update(zip(names, args))
        return obj
    return make
