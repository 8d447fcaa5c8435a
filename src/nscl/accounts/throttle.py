"""Login throttling: after N failures for a username (or from an address) lock it for a while.

Kept in the cache so a lock survives only as long as it should; set NSCL_CACHE_TABLE when several
server processes run so they share the counters.
"""
from django.conf import settings
from django.core.cache import cache


def _keys(username: str, ip: str):
    return [f"nscl:login:u:{(username or '').lower()}", f"nscl:login:ip:{ip}"]


def is_locked(username: str, ip: str) -> bool:
    limit = settings.NSCL_LOGIN_MAX_FAILURES
    return any((cache.get(k) or 0) >= limit * (1 if ":u:" in k else 4) for k in _keys(username, ip))


def record_failure(username: str, ip: str) -> None:
    for k in _keys(username, ip):
        try:
            cache.incr(k)
        except ValueError:
            cache.set(k, 1, settings.NSCL_LOGIN_LOCK_SECONDS)


def reset(username: str, ip: str) -> None:
    cache.delete(_keys(username, ip)[0])
