"""What other apps use of the audit log.

- Declare `audited = True` on an app's AppConfig: every create, update and delete of its models is
  recorded (a model opts out with the class attribute `audit_skip = True`).
- `recording(action)`: saves inside the block are recorded as `action` (confirm, reopen, ...)
  instead of a plain update.
- `acting_as(user)`: saves outside a request (commands, the demo loader) are recorded as `user`.
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
