"""The registry impact page (what the registry's panel holds, and a form that starts the estimate as
an analysis job) and the deflator series it may use. Who may see, run or edit is decided by
nscl.accounts.roles (as for the other analyses; deflators as TFP series)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Min
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nscl.accounts import roles
from nscl.stats.deflators import DeflatorSeries, create_series, replace_values

from . import support_impact as ri
from .forms_support_impact import DeflatorSeriesForm, DeflatorValuesForm, SupportImpactForm
from .models import AnalysisJob


def _viewer(request):
    if not roles.can_view_analysis(request.user):
        raise PermissionDenied


@login_required
def support_impact(request):
    _viewer(request)
    can_run = roles.can_run_analysis(request.user)
    if request.method == "POST" and not can_run:
        raise PermissionDenied
    bound = request.POST if request.method == "POST" else (request.GET if "outcome" in request.GET else None)
    form = SupportImpactForm(bound)
    panel = error = None
    if form.is_bound and form.is_valid():
        options, control = form.options(), form.cleaned_data["control"]
    elif not form.is_bound:
        options, control = {"outcome": ri.DEFAULT_OUTCOME}, "never"
    else:
        options = control = None
    if options is not None:
        try:
            panel = ri.build_panel(**options)
            ri.check_numbers(panel, control)
        except ri.RegistryPanelError as e:
            error = str(e)
    if request.method == "POST" and panel is not None and error is None:
        job = ri.start_job(panel, control, form.cleaned_data["estimator"], request.user)
        messages.info(request, _("Đã bắt đầu ước lượng trên bảng số liệu từ sổ doanh nghiệp."))
        return redirect("analysis_detail", pk=job.pk)
    jobs = ri.registry_jobs(roles.visible_analyses(request.user, AnalysisJob.objects.all()))[:20]
    status = 400 if form.is_bound and (form.errors or error) else 200
    return render(request, "analysis/support_impact.html", {
        "form": form, "panel": panel.describe() if panel is not None else None, "error": error, "jobs": jobs,
        "can_run": can_run, "can_edit_deflators": roles.can_edit_tfp(request.user), "groups": form.groups,
        "min_per_cohort": ri.MIN_PER_COHORT, "min_controls": ri.MIN_CONTROLS}, status=status)


@login_required
def deflators(request):
    _viewer(request)
    can_edit = roles.can_edit_tfp(request.user)
    form = DeflatorSeriesForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            cd = form.cleaned_data
            series = create_series(name=cd["name"], base_year=cd["base_year"], source=cd["source"], note=cd["note"],
                                   values=cd["parsed"], user=request.user)
            return redirect("analysis_deflator", series=series.pk)
    status = 400 if form.errors else 200
    return render(request, "analysis/support_impact_deflators.html", {
        "form": form, "can_edit": can_edit,
        "series": DeflatorSeries.objects.annotate(first_year=Min("values__year"), last_year=Max("values__year"))},
        status=status)


@login_required
def deflator(request, series):
    _viewer(request)
    s = DeflatorSeries.objects.filter(pk=series).first()
    if s is None:
        raise Http404
    can_edit = roles.can_edit_tfp(request.user)
    typed = "\n".join(f"{v.year} {v.index:g}".replace(".", ",") for v in s.values.all())
    form = DeflatorValuesForm(request.POST or None, request.FILES or None, base_year=s.base_year,
                              initial={"values": typed})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            replace_values(s, form.cleaned_data["parsed"])
            messages.success(request, _("Đã thay các chỉ số của chuỗi."))
            return redirect("analysis_deflator", series=s.pk)
    return render(request, "analysis/support_impact_deflator.html", {"s": s, "form": form, "can_edit": can_edit},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def deflator_delete(request, series):
    _viewer(request)
    if not roles.can_edit_tfp(request.user):
        raise PermissionDenied
    s = DeflatorSeries.objects.filter(pk=series).first()
    if s is None:
        raise Http404
    s.delete()
    messages.success(request, _("Đã xóa chuỗi chỉ số giảm phát."))
    return redirect("analysis_deflators")
