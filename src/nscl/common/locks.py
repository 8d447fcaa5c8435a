"""Work that must take turns across server processes: a transaction-scoped lock by name. On
PostgreSQL an advisory lock (pg_advisory_xact_lock, released at commit or rollback); on SQLite
nothing is needed, since a transaction that writes holds the database's one write lock from its
start (settings: transaction_mode IMMEDIATE)."""
from __future__ import annotations

import hashlib

from django.db import connection


def _key(name: str) -> int:
    """A stable signed 64-bit number for the name (the same in every process)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def take_turns(name: str) -> None:
    """Inside a transaction: wait until no other transaction holds the lock `name`."""
    if not connection.in_atomic_block:
        raise RuntimeError("take_turns() needs a transaction: the lock ends with it")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])
