"""What the server answers when it, not the user, is at fault: the database unreachable (503 with
Retry-After), the disk full (507), any other error (500) — as RFC 7807 problem+json on the machine
interfaces (/api/, /epcis/) and as a styled bilingual page elsewhere, with a link back home.

The pages here are rendered without the request's context processors and without the database:
when it is the database that failed, a page that asks it who the user is would fail again and
leave the client with Django's bare "Server Error (500)". The middleware answers for the views in
every setting (DEBUG included); `handler500` for everything after the view (a session that could
not be saved) and for other errors."""
from __future__ import annotations

import errno
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

MACHINE_PREFIXES = ("/api/", "/epcis/")
RETRY_AFTER_SECONDS = {503: 30, 507: 300}
_DISK_FULL_WORDS = ("database or disk is full", "no space left on device", "disk quota exceeded",
                    "could not extend file", "could not write")


def _disk_full(exc: BaseException) -> bool:
    for e in (exc, exc.__cause__, exc.__context__):
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if e is not None and e.__class__.__name__ == "DiskFull":  # psycopg.errors.DiskFull (SQLSTATE 53100)
            return True
    text = str(exc).lower()
    return isinstance(exc, (DatabaseError, OSError)) and any(w in text for w in _DISK_FULL_WORDS)


def status_for(exc: BaseException | None) -> int | None:
    """507 for a full disk, 503 for a database that cannot be reached or answer now, None for an
    error of the code (a 500)."""
    if exc is None:
        return None
    if _disk_full(exc):
        return 507
    if isinstance(exc, (OperationalError, InterfaceError)):
        return 503
    return None


def _texts(status: int) -> tuple[str, str]:
    if status == 503:
        return (_("Hệ thống tạm thời gián đoạn"),
                _("Cơ sở dữ liệu tạm thời không truy cập được. Dữ liệu đã lưu không bị mất. "
                  "Xin thử lại sau ít phút."))
    if status == 507:
        return (_("Máy chủ hết dung lượng lưu trữ"),
                _("Máy chủ đã hết chỗ trên đĩa nên chưa lưu được. Không có gì được ghi dở dang. "
                  "Xin báo quản trị hệ thống giải phóng dung lượng rồi thử lại."))
    if status == 404:
        return _("Không tìm thấy"), _("Không tìm thấy trang hoặc hồ sơ.")
    return (_("Lỗi máy chủ"),
            _("Máy chủ gặp lỗi không mong đợi khi xử lý yêu cầu này; lỗi đã được ghi lại để khắc phục. "
              "Xin thử lại, hoặc quay về trang chủ."))


def is_machine(request) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith(MACHINE_PREFIXES) or ("json" in accept and "html" not in accept)


def response(request, status: int) -> HttpResponse:
    title, detail = _texts(status)
    if is_machine(request):
        resp = JsonResponse({"type": "about:blank", "title": title, "status": status, "detail": detail},
                            status=status, content_type="application/problem+json",
                            json_dumps_params={"ensure_ascii": False})
    else:
        html = loader.get_template("error.html").render({"status": status, "title": title, "detail": detail})
        resp = HttpResponse(html, status=status)
    if status in RETRY_AFTER_SECONDS:
        resp["Retry-After"] = str(RETRY_AFTER_SECONDS[status])
    resp["Cache-Control"] = "no-store"
    return resp


class ServiceErrorsMiddleware:
    """A view that met an unreachable database or a full disk answers 503/507, also with DEBUG on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        status = status_for(exception)
        if status is None:
            return None
        import logging

        logging.getLogger("nscl.errors").error("%s %s: %s (%s)", status, request.path, exception,
                                               exception.__class__.__name__)
        return response(request, status)


def handler500(request):
    return response(request, status_for(sys.exc_info()[1]) or 500)


def handler404(request, exception=None):
    if is_machine(request):
        return response(request, 404)
    try:  # the site's own page, with its menu; without the database, the plain one
        return HttpResponse(loader.get_template("404.html").render({}, request), status=404)
    except DatabaseError:
        return response(request, 404)
