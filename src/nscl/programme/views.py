"""Pages of the programme: dashboard, target drill-down, registers (create, edit, confirm, reopen, delete, evidence) and the annual report. Permission decisions come from accounts.roles; writes go through services."""
from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nscl.accounts import roles
from nscl.common.downloads import DOCX, PDF, XLSX, attachment
from nscl.common.fields import is_money
from nscl.common.formatting import fmt_date, fmt_num, fmt_vnd
from nscl.common.params import int_param

from . import cache as progress_cache
from . import charts, effectiveness, exports, indicators, report, services
from .forms import EvidenceForm, ReportClosingForm, ReportForm, form_class
from .models import KIND_MODELS, Activity, ActivityKind, Evidence, Phase, ReportClosing, Target, Unit

def _phase_filters(request):
    phases = list(Phase.objects.all())
    if not phases:
        raise Http404(_("Chưa có giai đoạn nào: chạy `nscl init`."))
    code = request.GET.get("phase")
    phase = next((p for p in phases if p.code == code), None)
    if phase is None:
        phase = services.default_phase(phases)
    year = int_param(request.GET.get("year"))
    if year is None:
        year = services.default_as_of(phase)
    year = min(max(year, phase.start_year), phase.end_year)
    unit = None
    if request.GET.get("unit"):
        unit = Unit.objects.filter(code=request.GET["unit"]).first()
    return phases, phase, year, unit


def _progress(request, phase, year, unit):
    return services.published_progress(phase, as_of=year, unit=unit,
                                       drafts=roles.can_see_draft_targets(request.user))


def _awaiting_confirmation(user):
    """For whoever confirms: unconfirmed records by kind (completed ones first: they count once confirmed)."""
    if not roles.can_confirm(user):
        return None
    rows = (Activity.objects.filter(confirmed_at__isnull=True).values("kind")
            .annotate(n=Count("pk"), completed=Count("pk", filter=Q(status=Activity.Status.COMPLETED))))
    return [{"kind": ActivityKind(r["kind"]), "n": r["n"], "completed": r["completed"]} for r in rows]


@progress_cache.cached_page  # the same page for every anonymous visitor
def dashboard(request):
    if not roles.can_view_progress(request.user):
        return redirect_to_login(request.get_full_path())
    phases, phase, year, unit = _phase_filters(request)
    progress = _progress(request, phase, year, unit)
    shown_years = list(range(year - 4, year + 1))
    ctx = {
        "phases": phases, "phase": phase, "year": year, "unit": unit,
        "is_draft": bool(progress) and not phase.targets_published,
        "has_draft": phase.targets.exists() and not phase.targets_published,
        "can_set_targets": roles.can_set_targets(request.user),
        "previous": services.previous_phase(phase),
        "indicators": [(i, i.cells(shown_years)) for i in
                       progress_cache.cached("indicators", shown_years, lambda: indicators.indicators(shown_years))],
        "indicator_years": shown_years,
        "running_years": [y for y in shown_years if not indicators.year_is_over(y)],
        "costs": progress_cache.cached("costs", (phase, year, translation.get_language()),
                                       lambda: effectiveness.phase_costs(phase, year)),
        "units": Unit.objects.filter(target__isnull=False).distinct(),
        "progress": progress, "lang": translation.get_language(),
        "has_demo": Activity.objects.filter(is_demo=True).exists(),
        "awaiting": _awaiting_confirmation(request.user),
        "summary": {s: sum(1 for p in progress if p.status == s) for s in ("met", "exceeded", "on_track", "at_risk", "not_met", "not_started")},
        "query": request.GET.urlencode(),
    }
    return render(request, "programme/dashboard.html", ctx)


def dashboard_chart(request, fmt):
    if not roles.can_view_progress(request.user):
        raise PermissionDenied
    _phases, phase, year, unit = _phase_filters(request)
    data = charts.progress_chart(_progress(request, phase, year, unit), fmt=fmt,
                                 labels={"x": _("Phần trăm so với chỉ tiêu")})
    return HttpResponse(data, content_type="image/svg+xml" if fmt == "svg" else "image/png")


def dashboard_xlsx(request):
    if not roles.can_view_progress(request.user):
        raise PermissionDenied
    _phases, phase, year, unit = _phase_filters(request)
    shown_years = list(range(year - 4, year + 1))
    data = exports.dashboard_xlsx(phase, _progress(request, phase, year, unit), year,
                                  indicators=indicators.indicators(shown_years), indicator_years=shown_years)
    return attachment(data, f"tien-do-{phase.code}-{year}.xlsx", XLSX)


def target_detail(request, phase_code, code):
    if not roles.can_view_progress(request.user):
        return redirect_to_login(request.get_full_path())
    target = get_object_or_404(Target.objects.select_related("phase", "responsible_unit"), phase__code=phase_code, code=code)
    if not (target.phase.targets_published or roles.can_see_draft_targets(request.user)):
        raise Http404
    year = request.GET.get("year")
    tp = services.target_progress(target, as_of=int_param(year))
    records = services.counting_records(target, target.phase.years)
    if target.activity_kind == ActivityKind.SUPPORT:  # accepted dossiers of the registry
        records = roles.visible_enterprises(request.user, records.filter(accepted_on__year__lte=tp.as_of))
        rows = [{"year": d.accepted_on.year, "title": f"{d.title} — {d.enterprise.name}", "is_demo": d.is_demo,
                 "url": reverse("dossier_detail", args=[d.pk]), "start": d.applied_on, "end": d.accepted_on,
                 "unit": d.provider or "—"} for d in records.order_by("accepted_on", "pk")]
    else:
        records = roles.visible_activities(request.user, records.filter(count_year__lte=tp.as_of))
        rows = [{"year": a.count_year, "title": services.activity_title(a), "is_demo": a.is_demo, "start": a.start_date,
                 "url": reverse("activity_detail", args=[a.kind, a.pk]), "end": a.end_date,
                 "unit": a.responsible_unit} for a in records.order_by("count_year", "start_date")]
    staff = roles.can_see_draft_targets(request.user)
    return render(request, "programme/target_detail.html", {
        "target": target, "tp": tp, "records": rows if request.user.is_authenticated else [],
        "history": services.target_history(target), "staff": staff,
        "wording": services.wording_warnings(target.phase, {n: getattr(target, n) for n in services.WORDING_FIELDS})
        if staff else [],
        "years": [(y, tp.yearly[y], tp.cumulative[y], tp.status_by_year[y]) for y in tp.years],
        "lang": translation.get_language(), "show_records": request.user.is_authenticated,
    })


def target_chart(request, phase_code, code):
    if not roles.can_view_progress(request.user):
        raise PermissionDenied
    target = get_object_or_404(Target, phase__code=phase_code, code=code)
    if not (target.phase.targets_published or roles.can_see_draft_targets(request.user)):
        raise Http404
    tp = services.target_progress(target)
    labels = {"yearly": _("Trong năm"), "cumulative": _("Lũy kế"), "target": _("Chỉ tiêu")}
    return HttpResponse(charts.target_year_chart(tp, labels=labels), content_type="image/svg+xml")


# Registers ------------------------------------------------------------------------------------

def _kind_or_404(kind):
    if kind not in KIND_MODELS:
        raise Http404
    return KIND_MODELS[kind]


def _visible_or_404(request, kind, pk):
    model = _kind_or_404(kind)
    qs = roles.visible_activities(request.user, Activity.objects.filter(kind=kind))
    if not qs.filter(pk=pk).exists():
        raise Http404
    return model.objects.select_related("responsible_unit", "location").get(pk=pk)


@login_required
def register_index(request):
    base = roles.visible_activities(request.user, Activity.objects.all())
    kinds = []
    for kind in KIND_MODELS:
        qs = base.filter(kind=kind)
        kinds.append({"kind": kind, "total": qs.count(), "pending": qs.filter(confirmed_at__isnull=True).count()})
    return render(request, "programme/register_index.html", {"kinds": kinds})


def support_moved(request, rest=""):
    """The old support register's addresses (bookmarks, links in documents) lead to the dossiers."""
    return redirect("dossier_list", permanent=True)


REGISTER_PAGE_SIZE = 50


@login_required
def register_list(request, kind):
    model = _kind_or_404(kind)
    qs = model.objects.filter(pk__in=roles.visible_activities(request.user, Activity.objects.filter(kind=kind)).values("pk"))
    qs = qs.select_related("responsible_unit", "location", "location__parent")
    f = request.GET
    year = int_param(f.get("year"))
    if year is not None:
        qs = qs.filter(count_year=year)
    if f.get("status") in Activity.Status.values:
        qs = qs.filter(status=f["status"])
    if f.get("unit"):
        qs = qs.filter(responsible_unit__code=f["unit"])
    if f.get("confirmed") == "no":
        qs = qs.filter(confirmed_at__isnull=True)
    elif f.get("confirmed") == "yes":
        qs = qs.filter(confirmed_at__isnull=False)
    q = (f.get("q") or "").strip()[:100]
    if q:
        qs = qs.filter(services.text_search(model, q))
    if f.get("format") == "xlsx":
        return attachment(exports.register_xlsx(kind, list(qs)), f"so-{kind}.xlsx", XLSX)
    totals = qs.aggregate(n=Count("pk"), planned=Sum("budget_planned"), spent=Sum("budget_spent"))
    paginator = Paginator(qs, REGISTER_PAGE_SIZE)
    number = int_param(f.get("page"), lo=1) or 1
    if number > paginator.num_pages:
        messages.warning(request, _("Không có trang %(n)s; danh sách có %(m)s trang.") % {"n": number, "m": paginator.num_pages})
        number = paginator.num_pages
    without_page = f.copy()
    without_page.pop("page", None)
    return render(request, "programme/register_list.html", {
        "kind": ActivityKind(kind), "page": paginator.page(number), "statuses": Activity.Status.choices,
        "units": Unit.objects.all(), "can_create": roles.can_create_activity(request.user),
        "query": without_page.urlencode(), "q": q, "totals": totals,
        "years": range(2021, datetime.date.today().year + 1),
        "can_confirm": roles.can_confirm(request.user), "back": f.urlencode(),
    })


def _selected_ids(values):
    """The ids ticked on a register list, or None when any is not an id (a tampered or stale form)."""
    ids = [int_param(v, lo=1) for v in values]
    return None if any(i is None for i in ids) else list(dict.fromkeys(ids))


def _register_url(kind, query):
    """Back to the list as it was filtered: its query string, parsed and encoded again."""
    query = QueryDict(query[:2000] if isinstance(query, str) else "").urlencode()
    return reverse("register_list", args=[kind]) + (f"?{query}" if query else "")


@login_required
@require_POST
def confirm_selected(request, kind):
    """Confirm the records ticked on a register list: a confirmation page first (nothing written),
    then services.confirm_many (one transaction; a record confirmed meanwhile is reported)."""
    model = _kind_or_404(kind)
    if not roles.can_confirm(request.user):
        raise PermissionDenied
    back = _register_url(kind, request.POST.get("back"))
    raw = request.POST.getlist("ids")
    ids = _selected_ids(raw)
    if not raw:
        messages.error(request, _("Chưa chọn hồ sơ nào để xác nhận."))
        return redirect(back)
    if ids is None:
        messages.error(request, _("Danh sách hồ sơ đã chọn không hợp lệ; vui lòng tải lại trang và chọn lại."))
        return redirect(back)
    visible = roles.visible_activities(request.user, Activity.objects.filter(kind=kind, pk__in=ids)).values("pk")
    if request.POST.get("action") != "confirm":
        records = list(model.objects.filter(pk__in=visible).select_related("responsible_unit").order_by("start_date", "pk"))
        pending = [a for a in records if not a.is_confirmed]
        return render(request, "programme/confirm_selected.html", {
            "kind": ActivityKind(kind), "records": pending, "already": [a for a in records if a.is_confirmed],
            "missing": len(ids) - len(records), "back": request.POST.get("back", ""), "back_url": back,
            "not_completed": sum(1 for a in pending if a.status != Activity.Status.COMPLETED)})
    allowed = set(visible.values_list("pk", flat=True))
    result = services.confirm_many(kind, [i for i in ids if i in allowed], request.user)
    missing = len(result.missing) + len(ids) - len(allowed)
    if result.confirmed:
        messages.success(request, _("Đã xác nhận %(n)s hồ sơ; các hồ sơ này bị khóa.") % {"n": len(result.confirmed)})
        waiting = [a for a in result.confirmed if a.status != Activity.Status.COMPLETED]
        if waiting:
            messages.warning(request, _("%(n)s hồ sơ chưa hoàn thành nên CHƯA được tính vào kết quả: %(t)s.") % {
                "n": len(waiting), "t": "; ".join(a.title for a in waiting)})
    if result.already:
        messages.warning(request, _("%(n)s hồ sơ đã được xác nhận trước đó, không xác nhận lại: %(t)s.") % {
            "n": len(result.already), "t": "; ".join(a.title for a in result.already)})
    if missing:
        messages.warning(request, _("%(n)s hồ sơ không còn trong sổ này (đã bị xóa hoặc thuộc sổ khác).") % {"n": missing})
    if not result.confirmed and not result.already and not missing:
        messages.error(request, _("Chưa chọn hồ sơ nào để xác nhận."))
    return redirect(back)


@login_required
def activity_create(request, kind):
    _kind_or_404(kind)
    if not roles.can_create_activity(request.user):
        raise PermissionDenied
    Form = form_class(kind)
    if request.method == "POST":
        form = Form(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            if not roles.can_create_activity(request.user, form.cleaned_data.get("responsible_unit")):
                raise PermissionDenied
            try:
                obj = services.save_activity(form, request.user, token=form.cleaned_data.get("token"),
                                             evidence=form.evidence())
            except services.StaleForm as e:
                form.add_error(None, str(e))
            else:
                n = len(form.evidence()[1])
                messages.success(request, (_("Đã lưu hồ sơ “%(t)s” cùng %(n)s tệp minh chứng.") if n else
                                           _("Đã lưu hồ sơ “%(t)s”.")) % {"t": obj.title, "n": n})
                return redirect("activity_detail", kind=kind, pk=obj.pk)
        if request.FILES:  # a browser never sends chosen files again: say so where the user reads
            form.add_error(None, _("Chưa lưu hồ sơ; chọn lại các tệp minh chứng sau khi sửa các ô báo lỗi."))
    else:
        form = Form(user=request.user)
    return render(request, "programme/activity_form.html", {"form": form, "kind": ActivityKind(kind)})


@login_required
def activity_detail(request, kind, pk):
    obj = _visible_or_404(request, kind, pk)
    fields = [(f.verbose_name, _display(obj, f)) for f in exports.register_columns(kind)]
    return render(request, "programme/activity_detail.html", {
        "obj": obj, "kind": ActivityKind(kind), "fields": fields,
        "can_edit": roles.can_edit_activity(request.user, obj),
        "can_confirm": roles.can_confirm(request.user),
        "evidence_form": EvidenceForm(), "evidence": obj.evidence.all(),
        "participants": obj.participant_rows() if kind == "class" else None,
        "max_mb": settings.NSCL_EVIDENCE_MAX_BYTES // 1048576, "extensions": ", ".join(settings.NSCL_EVIDENCE_EXTENSIONS),
    })


def _display(obj, field):
    if field.name == "title":
        return services.activity_title(obj)
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    value = getattr(obj, field.name)
    if is_money(field) and value is not None:
        return fmt_vnd(value, get_language())
    if isinstance(value, datetime.date):
        return fmt_date(value)
    if field.get_internal_type() == "DecimalField" and value is not None:
        return fmt_num(value, get_language())
    return value if value not in (None, "") else "—"


@login_required
def activity_edit(request, kind, pk):
    obj = _visible_or_404(request, kind, pk)
    if obj.is_confirmed:
        messages.error(request, _("Hồ sơ đã được xác nhận và bị khóa; cần mở lại trước khi sửa."))
        return redirect("activity_detail", kind=kind, pk=pk)
    if not roles.can_edit_activity(request.user, obj):
        raise PermissionDenied
    Form = form_class(kind)
    if request.method == "POST":
        form = Form(request.POST, instance=obj, user=request.user)
        if form.is_valid():
            if not roles.can_create_activity(request.user, form.cleaned_data.get("responsible_unit")):
                raise PermissionDenied
            try:
                services.save_activity(form, request.user, expected_version=form.cleaned_data["version"])
            except services.StaleForm as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, _("Đã cập nhật hồ sơ."))
                return redirect("activity_detail", kind=kind, pk=pk)
    else:
        form = Form(instance=obj, user=request.user)
    return render(request, "programme/activity_form.html", {"form": form, "kind": ActivityKind(kind), "obj": obj})


@login_required
@require_POST
def activity_delete(request, kind, pk):
    obj = _visible_or_404(request, kind, pk)
    if not roles.can_edit_activity(request.user, obj):
        raise PermissionDenied
    with transaction.atomic():
        obj.delete()
    messages.success(request, _("Đã xóa hồ sơ."))
    return redirect("register_list", kind=kind)


@login_required
@require_POST
def activity_confirm(request, kind, pk):
    obj = _visible_or_404(request, kind, pk)
    if not roles.can_confirm(request.user):
        raise PermissionDenied
    obj = services.confirm(obj, request.user)
    if obj.status == Activity.Status.COMPLETED:
        messages.success(request, _("Đã xác nhận; hồ sơ được tính vào kết quả năm %(y)s và bị khóa.") % {"y": obj.count_year})
    else:
        # only completed records count: say so rather than promise what will not happen
        messages.warning(request, _("Đã xác nhận và khóa hồ sơ, nhưng hồ sơ đang ở trạng thái “%(s)s” nên CHƯA được "
                                    "tính vào kết quả. Khi hoạt động hoàn thành: mở lại, cập nhật trạng thái "
                                    "“Hoàn thành” và ngày kết thúc, rồi xác nhận lại.") % {"s": obj.get_status_display()})
    return redirect("activity_detail", kind=kind, pk=pk)


@login_required
@require_POST
def activity_reopen(request, kind, pk):
    obj = _visible_or_404(request, kind, pk)
    if not roles.can_confirm(request.user):
        raise PermissionDenied
    services.reopen(obj, request.user)
    messages.warning(request, _("Đã mở lại hồ sơ; hồ sơ không được tính cho đến khi xác nhận lại."))
    return redirect("activity_detail", kind=kind, pk=pk)


@login_required
@require_POST
def evidence_upload(request, kind, pk):
    obj = _visible_or_404(request, kind, pk)
    if not roles.can_edit_activity(request.user, obj):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        ev = form.save(commit=False)
        ev.activity = obj
        ev.size = form.cleaned_data["file"].size
        ev.uploaded_by = request.user
        ev.save()
        messages.success(request, _("Đã tải lên minh chứng."))
        return redirect("activity_detail", kind=kind, pk=pk)
    for errs in form.errors.values():
        for e in errs:
            messages.error(request, e)
    return redirect("activity_detail", kind=kind, pk=pk)


@login_required
def evidence_download(request, pk):
    ev = get_object_or_404(Evidence, pk=pk)
    _visible_or_404(request, ev.activity.kind, ev.activity_id)
    return FileResponse(ev.file.open("rb"), as_attachment=True, filename=ev.file.name.rsplit("/", 1)[-1])


@login_required
def annual_report(request):
    if not roles.can_view_reports(request.user):
        raise PermissionDenied
    if request.GET.get("year"):
        form = ReportForm(request.GET)
        if form.is_valid():
            d = form.cleaned_data
            try:
                rep = report.build(d["year"], number=d["number"] or "…/BC-SKHCN", signer=d["signer"] or "",
                                   signer_title=d["signer_title"] or "")
            except ValueError as e:
                form.add_error("year", str(e))
            else:
                name = f"bao-cao-nscl-{d['year']}"
                if request.GET.get("format") == "pdf":
                    return attachment(report.to_pdf(rep), name + ".pdf", PDF)
                return attachment(report.to_docx(rep), name + ".docx", DOCX)
    else:
        form = ReportForm(initial={"year": timezone.localdate().year})
    return render(request, "programme/report_form.html", {
        "form": form, "closing_year": int_param(request.GET.get("year"), lo=2021, hi=2100) or timezone.localdate().year,
        "can_write_closing": roles.can_write_report_closing(request.user)})


@login_required
def report_closing(request):
    """The annual report's closing sections of a year (?year=, this year by default): written here,
    kept per year, placed in the .docx/.pdf as sections V-VIII."""
    if not roles.can_write_report_closing(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = ReportClosingForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.save_report_closing(d["year"], d, request.user, expected_version=d["version"])
            except services.StaleForm as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, _("Đã lưu phần đánh giá của báo cáo năm %(y)s.") % {"y": d["year"]})
                return redirect(f"{reverse('report_closing')}?year={d['year']}")
        year = int_param(request.POST.get("year"), lo=2021, hi=2100)
    else:
        year = int_param(request.GET.get("year"), lo=2021, hi=2100) or timezone.localdate().year
        closing = ReportClosing.objects.filter(year=year).first()
        form = ReportClosingForm(instance=closing, initial={"year": year, "version": closing.version if closing else 0})
    closing = ReportClosing.objects.filter(year=year).select_related("updated_by").first() if year else None
    return render(request, "programme/report_closing.html", {
        "form": form, "year": year, "closing": closing, "years": range(2021, timezone.localdate().year + 2)})
