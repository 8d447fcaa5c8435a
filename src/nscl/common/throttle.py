"""How often something happened in the last hour, counted in the cache (shared by the server
processes): the one counter behind the throttles of password resets and consumer reports."""
from __future__ import annotations

from django.core.cache import cache


def count_this_hour(key: str) -> int:
    """Count one more event under `key` and return the count in the current hour."""
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        return 1
