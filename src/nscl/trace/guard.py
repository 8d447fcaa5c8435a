"""Requests carrying a NUL character in a query parameter (name or value) or in the URL's own values
are answered 400 problem+json before any view runs: PostgreSQL refuses NUL in a query's text, and no
identifier, lot, page or search term holds one. Applied to every traceability URL in urls.py."""
from __future__ import annotations

from functools import wraps

from django.http import JsonResponse


def _has_nul(request, kwargs) -> str | None:
    """The name of the first parameter holding a NUL, or None."""
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in v for v in values):
            return name.replace("\x00", "%00")
    for name, value in kwargs.items():
        if isinstance(value, str) and "\x00" in value:
            return name
    return None


def refuse_nul(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        name = _has_nul(request, kwargs)
        if name is None:
            return view(request, *args, **kwargs)
        body = {"type": "epcisException:QueryParameterException" if request.path.startswith("/epcis/") else "about:blank",
                "title": "Tham số không hợp lệ", "status": 400,
                "detail": f"Tham số {name} chứa ký tự NUL (%00), không phải giá trị hợp lệ.",
                "invalid_params": [{"name": name, "reason": "ký tự NUL (%00)"}]}
        return JsonResponse(body, status=400, content_type="application/problem+json",
                            json_dumps_params={"ensure_ascii": False})
    return wrapped


def guarded(patterns: list) -> list:
    """The URL patterns with each view wrapped by refuse_nul."""
    for pattern in patterns:
        pattern.callback = refuse_nul(pattern.callback)
    return patterns
