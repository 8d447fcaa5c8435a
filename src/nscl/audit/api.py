"""What other apps use of the audit log.

- Declare `audited = True` on an app's AppConfig: every create, update and delete of its models is
  recorded (a model opts out with the class attribute `audit_skip = True`).
- `recording(action)`: saves inside the block are recorded as `action` (confirm, reopen, ...)
  instead of a plain update.
- `acting_as(user)`: saves outside a request (commands, the demo loader) are recorded as `user`.
- `record_bulk(entries)`: writes that bypass signals (bulk_create, bulk_update, QuerySet.delete of
  many rows in an import) are recorded by their writer, one entry per object, in bulk.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager

from .context import acting_user
from .models import AuditEntry

Action = AuditEntry.Action
current_action = contextvars.ContextVar("nscl_audit_action", default=None)


@contextmanager
def recording(action: str):
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    token = current_action.set(action)
    try:
        yield
    finally:
        current_action.reset(token)


@contextmanager
def acting_as(user):
    token = acting_user.set(user)
    try:
        yield
    finally:
        acting_user.reset(token)


def record_bulk(entries) -> None:
    """(action, object, snapshot before) → one AuditEntry each, in one bulk insert; a deletion has no
    after. Recorded as the acting user (a request's, or `acting_as`), else "system". The rows go
    in by `common.bulk.insert_rows` (an import of 50,000 enterprises writes 100,000 entries)."""
    from django.db import connection
    from django.utils import timezone

    from nscl.common.bulk import JsonText, insert_rows

    from .signals import snapshot_text

    user = acting_user.get()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    user_id, username, at = (user.pk if user else None), (user.get_username() if user else "system"), timezone.now()
    # str() may query, so it is taken first; the snapshots, which read only loaded fields, are made
    # while the rows are sent (unless an object has deferred fields, which reading would load)
    entries = [(action, obj, str(obj)[:300], before) for action, obj, before in entries]
    loaded = connection.vendor == "postgresql" and not any(  # only PostgreSQL streams
        obj.get_deferred_fields() for _action, obj, _text, _before in entries)
    insert_rows(AuditEntry, ["at", "user_id", "username", "action", "model", "object_id", "object_repr", "before",
                             "after"],
                ((at, user_id, username, action, obj._meta.label, str(obj.pk), text, before,
                  None if action == Action.DELETE else JsonText(snapshot_text(obj)))
                 for action, obj, text, before in entries), stream=loaded)
