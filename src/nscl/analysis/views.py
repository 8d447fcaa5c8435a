"""The analysis pages: thin views over forms (forms.py), the worker (runner.py), the downloads
(exports.py) and the charts (charts.py). Who may see or run what is decided by nscl.accounts.roles."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nscl.accounts import roles
from nscl.common.downloads import CSV, XLSX, attachment
from nscl.productivity import interpret
from nscl.productivity.firm.groups import grouped_summary, skip_reason
from nscl.productivity.firm.results import summary_text
from nscl.productivity.methods import AGGREGATIONS, codes, get

from . import charts, exports, runner, support_impact
from .forms import MappingForm, UploadForm
from .models import AnalysisJob


def _visible(user):
    return roles.visible_analyses(user, AnalysisJob.objects.all())


def _job(request, pk):
    if not roles.can_view_analysis(request.user):
        raise PermissionDenied
    runner.reap()  # a job whose worker died is shown failed, never "running" for ever
    job = _visible(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def _done(request, pk):
    job = _job(request, pk)
    if job.status != AnalysisJob.Status.DONE or not job.result:
        raise Http404
    return job


@login_required
def index(request):
    if not roles.can_view_analysis(request.user):
        raise PermissionDenied
    can_run = roles.can_run_analysis(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        if form.is_valid():
            job = form.create_job(request.user)
            return redirect("analysis_map", pk=job.pk)
    runner.reap()
    return render(request, "analysis/index.html", {"form": form, "jobs": _visible(request.user)[:50],
                                                   "can_run": can_run})


@login_required
def mapping(request, pk):
    job = _job(request, pk)
    if not roles.can_run_analysis(request.user):
        raise PermissionDenied
    form = MappingForm(job, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if job.status != AnalysisJob.Status.NEW:
            # a re-run: a new job on the same stored file; this one and its results are kept
            job = job.copy_for_rerun(request.user)
            messages.info(request, _("Chạy lại thành phân tích mới #%(n)s; kết quả trước vẫn được giữ.") % {"n": job.pk})
        job.params = form.cleaned_data
        job.save()
        runner.start(job)
        return redirect("analysis_detail", pk=job.pk)
    return render(request, "analysis/map.html", {"job": job, "form": form})


def _firm_rows(r):
    ci = r.get("conf_int") or {}
    lower, upper = ci.get("lower") or {}, ci.get("upper") or {}
    return [(n, r["coefficients"][n], (r["std_errors"] or {}).get(n), lower.get(n), upper.get(n))
            for n in r.get("names") or list(r["coefficients"])]


def _firm_groups(r, params, language):
    """The groups side by side: a row per coefficient (estimate and standard error in each group's
    column), the counts, each group's notes, and the groups not estimated with why."""
    groups = list(r["groups"].items())
    names = list(dict.fromkeys(n for _, g in groups for n in g.get("names") or list(g["coefficients"])))
    return {"grouped": True, "by": r["by"], "group_keys": [k for k, _ in groups],
            "group_rows": [(n, [(g["coefficients"].get(n), (g["std_errors"] or {}).get(n)) for _, g in groups])
                           for n in names],
            "group_results": [g for _, g in groups],
            "group_notes": [(k, interpret.firm_notes(g, params, language), bool(g.get("tfp_distribution")))
                            for k, g in groups],
            "skipped": [(k, skip_reason(info, language)) for k, info in (r.get("skipped_detail") or {}).items()],
            "summary": grouped_summary(r, language)}


def _impact_rows(r, language):
    aggs = r["aggregations"]
    return [(get(AGGREGATIONS, typ).label(language), aggs[typ]["att"], aggs[typ]["se"], aggs[typ].get("lower"),
             aggs[typ].get("upper"))
            for typ in r.get("aggregation_order") or codes(AGGREGATIONS)]


@login_required
def detail(request, pk):
    job = _job(request, pk)
    ctx = {"job": job, "can_run": roles.can_run_analysis(request.user)}
    language = translation.get_language() or "vi"
    if job.status == AnalysisJob.Status.DONE and job.result:
        r = job.result
        if job.kind == AnalysisJob.Kind.FIRM_TFP and "groups" in r:
            ctx.update(_firm_groups(r, job.params, language))
        elif job.kind == AnalysisJob.Kind.FIRM_TFP:
            ctx["coefficients"] = _firm_rows(r)
            ctx["level"] = (r.get("conf_int") or {}).get("level")
            ctx["summary"] = summary_text(r, language)
            ctx["notes"] = interpret.firm_notes(r, job.params, language)
        else:
            ctx["impact_rows"] = _impact_rows(r, language)
            # a registry estimate's outcome in words ("log năng suất lao động"), an uploaded panel's column by its name
            outcome = support_impact.outcome_label(job.params) or job.params.get("outcome")
            ctx["notes"] = interpret.impact_notes(r, outcome, language)
            ctx["dynamic"] = [(e["e"], e["att"], e["se"], e.get("lower"), e.get("upper"))
                              for e in r["aggregations"]["dynamic"]["by"]]
            ctx["level"] = r.get("level")
    return render(request, "analysis/detail.html", ctx)


@login_required
def status(request, pk):
    job = _job(request, pk)
    return JsonResponse({"status": job.status, "label": job.get_status_display(), "progress": job.progress,
                         "note": job.progress_note, "error": job.error})


@login_required
@require_POST
def rerun(request, pk):
    """The same file and parameters (seed included) as a new job; this one is kept."""
    job = _job(request, pk)
    if not roles.can_run_analysis(request.user):
        raise PermissionDenied
    if job.active or job.status == AnalysisJob.Status.NEW:
        messages.warning(request, _("Phân tích này chưa kết thúc nên chưa chạy lại được."))
        return redirect("analysis_detail", pk=pk)
    new = runner.rerun(job, request.user)
    messages.info(request, _("Chạy lại thành phân tích mới #%(n)s; kết quả trước vẫn được giữ.") % {"n": new.pk})
    return redirect("analysis_detail", pk=new.pk)


@login_required
@require_POST
def cancel(request, pk):
    job = _job(request, pk)
    if not roles.can_run_analysis(request.user):
        raise PermissionDenied
    runner.cancel(job)
    messages.warning(request, _("Đã hủy phân tích."))
    return redirect("analysis_detail", pk=pk)


@login_required
def chart(request, pk, name):
    job = _done(request, pk)
    if name == "tfp" and job.kind == AnalysisJob.Kind.FIRM_TFP:
        r = job.result
        if "groups" in r:   # ?group=<value>: that group's distribution
            r = r["groups"].get(request.GET.get("group", ""))
        if not (r or {}).get("tfp_distribution"):  # no group of that name, or no finite TFP to draw
            raise Http404
        return HttpResponse(charts.tfp_histogram(r["tfp_distribution"]), content_type="image/svg+xml")
    if name == "event" and job.kind == AnalysisJob.Kind.IMPACT:
        return HttpResponse(charts.event_study(job.result["aggregations"]["dynamic"]["by"],
                                               level=job.result.get("level") or 0.95), content_type="image/svg+xml")
    raise Http404


@login_required
def download(request, pk):
    job = _done(request, pk)
    return attachment(exports.results_xlsx(job, translation.get_language() or "vi"), f"phan-tich-{job.pk}.xlsx", XLSX)


@login_required
def tfp_csv(request, pk):
    job = _done(request, pk)
    if job.kind != AnalysisJob.Kind.FIRM_TFP:
        raise Http404
    data = exports.tfp_csv(job)
    if data is None:
        raise Http404
    return attachment(data, f"tfp-doanh-nghiep-{job.pk}.csv", CSV)
