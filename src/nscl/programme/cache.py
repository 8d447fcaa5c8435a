"""Cached plan progress (services.phase_progress), invalidated by every write of the programme's data.

Entries are keyed by phase, as_of year, unit and a data version. The version is a random token kept
in the same cache; any save or delete of a programme or stats model (activities of every kind,
targets, phases, units, catalogue, TFP publications...) replaces it, both at once and again when the transaction commits (so
another process cannot store a result computed before the commit under the new version). Several
server processes therefore need a shared cache (settings.NSCL_CACHE=file or db; `nscl serve
--workers N` uses the file cache). Off when settings.NSCL_PROGRESS_CACHE_SECONDS is 0 (the default
outside `nscl serve`); entries also expire after that many seconds, which bounds how long a write
that sends no signal (QuerySet.update, bulk_create) can go unseen.

Whole pages that every anonymous visitor sees alike (the public dashboard) are cached the same way
(cached_page): rendering them is most of a request's cost under load.
"""
from __future__ import annotations

import functools
import hashlib
import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

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


# the value of every {% csrf_token %} field: per visitor, so a cached page holds this slot instead
CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_SLOT = "\x00csrf\x00"


def cached_page(view):
    """Serve a view's 200 pages to anonymous visitors from the cache, once per data version, language,
    day (default phase and year follow the date) and full path. Per-visitor parts stay per visitor:
    each hit gets its own CSRF token (and cookie); a signed-in user or pending messages (shown in the
    page) bypass the cache."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.NSCL_PROGRESS_CACHE_SECONDS
        if (seconds <= 0 or request.method not in ("GET", "HEAD") or request.user.is_authenticated
                or len(messages.get_messages(request))):
            return view(request, *args, **kwargs)
        path = hashlib.md5(request.get_full_path().encode(), usedforsecurity=False).hexdigest()
        key = (f"nscl:page:{view.__module__}.{view.__name__}:{version()}:{translation.get_language()}:"
               f"{timezone.localdate().isoformat()}:{path}")
        hit = cache.get(key)
        if hit is not None:
            content_type, text = hit
            if CSRF_SLOT in text:
                text = text.replace(CSRF_SLOT, get_token(request))
            return HttpResponse(text, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            text = response.content.decode(response.charset)
            if response["Content-Type"].startswith("text/html"):
                text = CSRF_FIELD.sub(lambda m: m.group(1) + CSRF_SLOT + m.group(2), text)
            cache.set(key, (response["Content-Type"], text), seconds)
        return response

    return wrapped


def _changed(sender, instance=None, using=None, raw=False, **kwargs):
    if sender._meta.app_label not in APPS or settings.NSCL_PROGRESS_CACHE_SECONDS <= 0:
        return
    bump()
    transaction.on_commit(bump, using=using)


def connect() -> None:
    post_save.connect(_changed, dispatch_uid="nscl.programme.cache.save")
    post_delete.connect(_changed, dispatch_uid="nscl.programme.cache.delete")
