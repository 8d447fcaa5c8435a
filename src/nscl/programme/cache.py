"""Cached plan progress (services.phase_progress), invalidated by every write of the programme's data.

Entries are keyed by phase, as_of year, unit and a data version. The version is a random token kept
in the same cache; any save or delete of a programme or stats model (activities of every kind,
targets, phases, units, catalogue, TFP publications...) replaces it, both at once and again when the transaction commits (so
another process cannot store a result computed before the commit under the new version). Several
server processes therefore need a shared cache (settings.NSCL_CACHE=file or db; `nscl serve
--workers N` uses the file cache). Off when settings.NSCL_PROGRESS_CACHE_SECONDS is 0 (the default
outside `nscl serve`); entries also expire after that many seconds, which bounds how long a write
that sends no signal (QuerySet.update, bulk_create) can go unseen.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "nscl:progress:version"
# whose writes change computed progress and outcome indicators (enterprises: MT5 counts accepted dossiers)
APPS = {"programme", "stats", "enterprises"}


def version() -> str:
    v = cache.get(VERSION_KEY)
    if v is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        v = cache.get(VERSION_KEY)
    return v or "none"


def bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def cached(name: str, parts, compute):
    """compute() once per data version for (name, *parts) while NSCL_PROGRESS_CACHE_SECONDS > 0:
    for any value computed from programme data only (progress, outcome indicators...)."""
    seconds = settings.NSCL_PROGRESS_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    key = f"nscl:{name}:{version()}:" + ":".join(str(getattr(p, "pk", p) if p is not None else "-") for p in parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def cached_progress(phase, as_of, unit, compute):
    return cached("progress", (phase, as_of, unit), compute)


def _changed(sender, instance=None, using=None, raw=False, **kwargs):
    if sender._meta.app_label not in APPS or settings.NSCL_PROGRESS_CACHE_SECONDS <= 0:
        return
    bump()
    transaction.on_commit(bump, using=using)


def connect() -> None:
    post_save.connect(_changed, dispatch_uid="nscl.programme.cache.save")
    post_delete.connect(_changed, dispatch_uid="nscl.programme.cache.delete")
