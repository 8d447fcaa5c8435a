"""Reference loaders' `update_or_create` that writes only what changed.

Django's `update_or_create` saves every time: the audit log then records an "update" whose only
difference is a value's type (the database's Decimal("20.00") against the loader's 20), and a
repeated `nscl init` rewrites every row. Here values are compared as the database holds them
(each field's `to_python`, a decimal at its field's places), and an unchanged row is not saved.
"""
from __future__ import annotations

from decimal import Decimal

from django.db import models


def _as_stored(field, value):
    """`value` as the field reads it back from the database."""
    if field.is_relation:
        return value.pk if isinstance(value, models.Model) else value
    value = field.to_python(value)
    if isinstance(field, models.DecimalField) and isinstance(value, Decimal) and value.is_finite():
        value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
    return value


def upsert(model, values: dict | None = None, **lookup):
    """(object, created, changed field names) for the row matching `lookup`, created with `values`
    or updated to them; saved (and so audited) only when a value differs from the stored one."""
    values = values or {}
    manager = model._default_manager
    obj = manager.filter(**lookup).first()
    if obj is None:
        return manager.create(**lookup, **values), True, list(values)
    changed = []
    for name, value in values.items():
        field = model._meta.get_field(name)
        if getattr(obj, field.attname) != _as_stored(field, value):
            changed.append(name)
            setattr(obj, name, value if field.is_relation else _as_stored(field, value))
        elif field.is_relation and isinstance(value, models.Model):
            setattr(obj, name, value)  # the same row: cached, as update_or_create leaves it
    if changed:
        obj.save()
    return obj, False, changed
