"""Read-only JSON API. Errors are RFC 7807 problem documents, including 404 and 405.

The API only reads, so its views are exempt from CSRF (a POST gets 405, not Django's HTML 403)."""
from functools import wraps

from django.http import JsonResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from nscl.accounts import roles
from nscl.common.params import int_param
from nscl.programme import services
from nscl.programme.cache import cached_page
from nscl.programme.models import Phase, Unit

from .openapi import schema


def problem(status, title, detail, type_="about:blank", **extra):
    body = {"type": type_, "title": title, "status": status, "detail": detail, **extra}
    return JsonResponse(body, status=status, content_type="application/problem+json",
                        json_dumps_params={"ensure_ascii": False})


def target_json(p, lang="vi"):
    t = p.target
    lo, hi = t.plan_bounds()
    as_num = lambda v: None if v is None else (int(v) if float(v).is_integer() else v)  # noqa: E731
    return {
        "code": t.code,
        "description": t.description_for(lang),
        "unit": t.unit_for(lang),
        "kind": t.kind,
        "min": as_num(lo),
        "max": as_num(hi),
        "actual": as_num(p.actual),
        "status": p.status,
        "as_of_year": p.as_of,
        "tolerance_pct": float(t.tolerance_pct) if t.kind == "about" else None,
        "every_year": t.every_year,
        "responsible_unit": t.responsible_unit.code if t.responsible_unit else None,
        "by_year": [{"year": y, "actual": as_num(p.yearly[y]), "cumulative": as_num(p.cumulative[y]),
                     "status": p.status_by_year[y]} for y in p.years],
    }


def api_get(view):
    """GET (and HEAD) only, answered with problem+json otherwise."""
    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            resp = problem(405, "Method Not Allowed", f"Phương thức {request.method} không được hỗ trợ; API chỉ đọc (GET).")
            resp["Allow"] = "GET, HEAD"
            return resp
        return view(request, *args, **kwargs)
    return wrapped


@api_get
@cached_page  # the same answer for every anonymous caller
def targets(request):
    if not roles.can_view_progress(request.user):
        return problem(401, "Unauthorized", "Đăng nhập để xem tiến độ (NSCL_PUBLIC_PROGRESS đang tắt).")
    code = request.GET.get("phase")
    phases = Phase.objects.all()
    phase = phases.filter(code=code).first() if code else services.default_phase(phases)
    if phase is None:
        known = ", ".join(phases.values_list("code", flat=True))
        return problem(404, "Phase not found", f"Không có giai đoạn “{code}”. Các giai đoạn: {known}.",
                       invalid_params=[{"name": "phase", "reason": "unknown phase"}])
    year = request.GET.get("year")
    if year is not None and int_param(year, phase.start_year, phase.end_year) is None:
        return problem(400, "Invalid year", f"Năm “{year}” phải là số trong khoảng {phase.start_year}-{phase.end_year}.",
                       invalid_params=[{"name": "year", "reason": "out of phase"}])
    unit = None
    if request.GET.get("unit"):
        unit = Unit.objects.filter(code=request.GET["unit"]).first()
        if unit is None:
            return problem(400, "Unknown unit", f"Không có đơn vị “{request.GET['unit']}”.",
                           invalid_params=[{"name": "unit", "reason": "unknown unit"}])
    lang = request.GET.get("lang") or translation.get_language()
    progress = services.published_progress(phase, as_of=int_param(year), unit=unit)  # drafts never public
    data = [target_json(p, lang) for p in progress]
    return JsonResponse(data, safe=False, json_dumps_params={"ensure_ascii": False})


@api_get
def openapi(request):
    return JsonResponse(schema(), json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def not_found(request, rest=""):
    return problem(404, "Not Found", f"Không có tài nguyên API “{request.path}”.")


