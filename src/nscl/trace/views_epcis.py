"""GS1 EPCIS 2.0 REST binding (the subset in README "Traceability"): capture, one event, query, an
event by ID, capture jobs. Errors are RFC 7807 problem JSON with the EPCIS exception as `type`.

Authentication: `Authorization: Bearer <API key>` (exempt from CSRF: no cookie is involved), or a
logged-in session (CSRF-checked like any form)."""
from __future__ import annotations

from functools import wraps
from urllib.parse import quote

from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from nscl.traceability import limits

from . import query, store
from .access import Unauthenticated, bearer, request_actor
from .models import CaptureJob

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
VERSION_HEADERS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}


def problem(status, type_, title, detail="", **extra):
    body = {"type": type_, "title": title, "status": status, "detail": detail, **extra}
    resp = JsonResponse(body, status=status, content_type="application/problem+json",
                        json_dumps_params={"ensure_ascii": False})
    if status == 401:
        resp["WWW-Authenticate"] = 'Bearer realm="epcis"'
    return resp


def refused(e: store.Refused):
    first = e.problems[0] if e.problems else None
    detail = e.detail
    if first and not detail:
        where = f"sự kiện #{first['eventIndex']}" if first["eventIndex"] is not None else "tài liệu"
        if first.get("eventID"):
            where += f" ({first['eventID']})"
        detail = f"{where}, trường {first['field'] or '(gốc)'}: {first['message']}"
        if len(e.problems) > 1:
            detail += f" (và {len(e.problems) - 1} lỗi khác)"
        detail += " Không sự kiện nào được ghi."
    type_ = {413: "epcisException:CaptureLimitExceededException"}.get(e.status, e.title if ":" in e.title else
                                                                         "epcisException:ValidationException")
    resp = problem(e.status, type_, {400: "Dữ liệu EPCIS không hợp lệ", 403: "Không được ghi dữ liệu này",
                                     409: "Mã sự kiện đã được dùng", 413: "Tài liệu quá lớn"}.get(e.status, e.title),
                   detail, errors=e.problems)
    if e.status == 413:
        resp["GS1-EPCIS-Capture-File-Size-Limit"] = str(store.MAX_BYTES)
    return resp


def epcis_endpoint(methods):
    """Authenticates, checks CSRF for session requests only, answers problem JSON for the rest."""
    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                resp = problem(405, "epcisException:ImplementationException", "Method Not Allowed",
                               f"Phương thức {request.method} không được hỗ trợ ở đây.")
                resp["Allow"] = ", ".join(methods)
                return resp
            try:
                actor = request_actor(request)
            except Unauthenticated:
                return problem(401, "epcisException:SecurityException", "Unauthorized",
                               "Khóa API không đúng hoặc đã bị thu hồi.")
            if actor is None:
                if request.user.is_authenticated:
                    return problem(403, "epcisException:SecurityException", "Forbidden",
                                   "Tài khoản này không dùng được kho sự kiện truy xuất nguồn gốc.")
                return problem(401, "epcisException:SecurityException", "Unauthorized",
                               "Cần khóa API (Authorization: Bearer …) hoặc đăng nhập.")
            if request.method not in ("GET", "HEAD", "OPTIONS") and bearer(request) is None:
                reject = CsrfViewMiddleware(lambda r: None).process_view(request, view, args, kwargs)
                if reject is not None:
                    return problem(403, "epcisException:SecurityException", "CSRF",
                                   "Thiếu mã CSRF: gửi từ trang web của hệ thống hoặc dùng khóa API.")
            resp = view(request, actor, *args, **kwargs)
            for k, v in VERSION_HEADERS.items():
                resp.setdefault(k, v)
            return resp
        return wrapped
    return decorate


def _read_body(request) -> bytes:
    length = request.META.get("CONTENT_LENGTH") or ""
    if length.isdigit() and int(length) > store.MAX_BYTES:
        raise store.Refused(413, "Capture payload too large",
                            detail=f"Tài liệu lớn hơn giới hạn {store.MAX_BYTES // (1024 * 1024)} MB.")
    data = request.read(store.MAX_BYTES + 1)  # the stream: request.body would stop at DATA_UPLOAD_MAX_MEMORY_SIZE
    if len(data) > store.MAX_BYTES:
        raise store.Refused(413, "Capture payload too large",
                            detail=f"Tài liệu lớn hơn giới hạn {store.MAX_BYTES // (1024 * 1024)} MB.")
    return data


def job_json(job: CaptureJob) -> dict:
    iso = lambda t: t and t.isoformat().replace("+00:00", "Z")  # noqa: E731
    return {"captureID": str(job.id), "createdAt": iso(job.created_at), "finishedAt": iso(job.finished_at),
            "running": job.status == CaptureJob.Status.RUNNING, "success": job.status == CaptureJob.Status.SUCCEEDED,
            "captureErrorBehaviour": "rollback", "errors": job.errors, "eventCount": job.event_count,
            "storedCount": job.stored_count, "duplicateCount": job.duplicate_count}


def query_document(events: list[dict]) -> dict:
    """An EPCISQueryDocument holding `events`; their extension prefixes gathered in its @context."""
    contexts, clean = [EPCIS_CONTEXT], []
    for e in events:
        e = dict(e)
        ctx = e.pop("@context", None)
        for c in ctx if isinstance(ctx, list) else [ctx] if ctx else []:
            if isinstance(c, dict) and c not in contexts:
                contexts.append(c)
        clean.append(e)
    return {"@context": contexts, "type": "EPCISQueryDocument", "schemaVersion": "2.0",
            "creationDate": timezone.now().isoformat().replace("+00:00", "Z"),
            "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": {"eventList": clean}}}}


def event_url(event_id: str) -> str:
    return reverse("epcis_events") + "/" + quote(event_id, safe="")


@epcis_endpoint(("POST", "GET"))
def capture(request, actor):
    if request.method == "GET":
        jobs = CaptureJob.objects.all() if actor.sees_all else CaptureJob.objects.filter(owner__in=actor.enterprises)
        return JsonResponse([job_json(j) for j in jobs[:100]], safe=False)
    try:
        job = store.capture(_read_body(request), actor)
    except store.Refused as e:
        return refused(e)
    resp = JsonResponse(job_json(job), status=202)
    resp["Location"] = reverse("epcis_capture_job", args=[job.id])
    return resp


@epcis_endpoint(("GET",))
def capture_job(request, actor, capture_id):
    qs = CaptureJob.objects.all() if actor.sees_all else CaptureJob.objects.filter(owner__in=actor.enterprises)
    job = qs.filter(pk=capture_id).first()
    if job is None:
        return problem(404, "epcisException:NoSuchResourceException", "Not Found",
                       f"Không có lượt ghi {capture_id} (hoặc không phải của bạn).")
    return JsonResponse(job_json(job))


@epcis_endpoint(("GET", "POST"))
def events(request, actor):
    if request.method == "POST":
        try:
            job = store.capture(_read_body(request), actor, single_event=True)
        except store.Refused as e:
            return refused(e)
        event_id = job.event_ids[0]
        if job.duplicate_count:  # the caller's own event, the same content: eventIDs are unique per owner
            resp = problem(409, "epcisException:ResourceAlreadyExistsException", "Conflict",
                           f"Sự kiện {event_id} đã có (cùng nội dung); không ghi lại lần nữa.")
        else:
            resp = JsonResponse({"eventID": event_id, "captureID": str(job.id)}, status=201)
        resp["Location"] = event_url(event_id)
        return resp
    try:
        found, token = query.page(request.GET, actor)
    except query.QueryError as e:
        return problem(400, e.kind, "Tham số truy vấn không hợp lệ", e.message, invalid_params=[
            {"name": e.name, "reason": e.message}])
    resp = JsonResponse(query_document(found), json_dumps_params={"ensure_ascii": False})
    if token:
        params = request.GET.copy()
        params["nextPageToken"] = token
        resp["Link"] = f'<{request.build_absolute_uri(request.path)}?{params.urlencode()}>; rel="next"'
    return resp


@epcis_endpoint(("GET",))
def event_detail(request, actor, event_id):
    found = query.with_id(event_id, actor)  # unique per owner: an officer may read two
    if not found:
        return problem(404, "epcisException:NoSuchResourceException", "Not Found",
                       f"Không có sự kiện “{limits.visible(event_id)}” (hoặc bạn không được xem).")
    return JsonResponse(query_document(found), json_dumps_params={"ensure_ascii": False})


@epcis_endpoint(("GET",))
def root(request, actor):
    return JsonResponse({"resources": ["capture", "events"], "queryParameters": sorted(
        [*query.MATCH_ROLES, *query.TIMES, *query.EQUALS, "eventType", "EQ_bizTransaction_<type>", "EQ_eventID",
         "perPage", "nextPageToken", "orderBy", "orderDirection"])})


def openapi(request):
    """The OpenAPI description of this EPCIS binding (public, like GS1's own)."""
    from .openapi import schema

    return JsonResponse(schema(), json_dumps_params={"ensure_ascii": False})
