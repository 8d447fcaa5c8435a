"""TFP pages: series entry and import, runs, publication, the note (.docx/.pdf), charts and the ASEAN comparison. Permissions from accounts.roles; the work in services."""
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from nscl.accounts import roles
from nscl.common import officedoc
from nscl.common.downloads import DOCX, PDF, XLSX, attachment
from nscl.common.formatting import fmt_decimal
from nscl.common.params import float_param
from nscl.productivity.growth import DEFAULT_ALPHA, GrowthInputError
from nscl.programme import services as programme_services
from nscl.programme.models import Phase

from . import charts, note, services
from .forms import ImportForm, NoteForm, ObservationForm, PublishForm, RunForm, SeriesForm
from .models import COLUMNS, TfpPublication, TfpRun, TfpSeries, parameter_text



def _need(check, user):
    if not check(user):
        raise PermissionDenied


@login_required
def tfp_index(request):
    _need(roles.can_view_tfp, request.user)
    form = SeriesForm(request.POST or None)
    if request.method == "POST":
        _need(roles.can_edit_tfp, request.user)
        if form.is_valid():
            series = form.save(commit=False)
            series.created_by = request.user
            series.save()
            return redirect("tfp_series", pk=series.pk)
    series = [(s, services.year_range_text(s)) for s in TfpSeries.objects.all()]
    return render(request, "stats/index.html", {
        "series": series, "form": form, "runs": TfpRun.objects.select_related("series", "author")[:20],
        "publications": services.published_shares(),
        "can_edit": roles.can_edit_tfp(request.user),
    })


@login_required
def series_detail(request, pk):
    _need(roles.can_view_tfp, request.user)
    series = get_object_or_404(TfpSeries, pk=pk)
    run_form = RunForm(request.POST or None, initial={"periods": services.default_periods(series),
                                                      "alpha": services.default_alpha()})
    if request.method == "POST":
        _need(roles.can_edit_tfp, request.user)
        if run_form.is_valid():
            d = run_form.cleaned_data
            try:
                run = services.run(series, request.user, d["method"], d["alpha"], d["depreciation"], d["base_year"],
                                   d["periods"] or "", labour_input="adjusted" if d.get("adjusted_labour") else None)
            except GrowthInputError as e:
                run_form.add_error(None, str(e))
            else:
                messages.success(request, _("Đã tính và lưu lần tính #%(n)s.") % {"n": run.pk})
                return redirect("tfp_run", pk=run.pk)
    lang = translation.get_language()
    cols = series.columns(lang)
    rows = [[o.year] + [getattr(o, c) for c, *_ in cols] for o in series.observations.all()]
    return render(request, "stats/series.html", {
        "series": series, "rows": rows, "cols": cols, "run_form": run_form, "import_form": ImportForm(),
        "row_form": ObservationForm(lang=lang),
        "sources": [(label, series.sources.get(c, "")) for c, label, *_ in cols if series.sources.get(c)],
        "can_edit": roles.can_edit_tfp(request.user) and not series.is_reference,
        "can_run": roles.can_edit_tfp(request.user), "runs": series.runs.all()[:20],
    })


def _editable_series(request, pk):
    """A series the user may change: never the shipped reference series."""
    _need(roles.can_edit_tfp, request.user)
    series = get_object_or_404(TfpSeries, pk=pk)
    if series.is_reference:
        raise PermissionDenied
    return series


@login_required
@require_POST
def series_import(request, pk):
    series = _editable_series(request, pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Chọn một tệp CSV hoặc Excel."))
        return redirect("tfp_series", pk=pk)
    try:
        df, sources = services.read_upload(form.cleaned_data["file"])
        n = services.replace_observations(series, df, sources, allow_drop=form.cleaned_data["confirm_drop"])
    except GrowthInputError as e:
        if len(e.problems) > 1:  # every problem of the sheet at once, so it is corrected in one go
            messages.error(request, _("Không nhập được, không có gì được lưu; bảng có %(n)s lỗi: %(e)s")
                           % {"n": len(e.problems), "e": e})
        else:
            messages.error(request, _("Không nhập được, không có gì được lưu: %(e)s") % {"e": e})
    else:
        messages.success(request, _("Đã nhập %(n)s năm số liệu.") % {"n": n})
    return redirect("tfp_series", pk=pk)


@login_required
@require_POST
def series_row(request, pk):
    """Add or replace one year's values; the whole series is checked first, nothing saved on error."""
    import pandas as pd

    series = _editable_series(request, pk)
    form = ObservationForm(request.POST, lang=translation.get_language())
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}: {' '.join(errs)}")
        return redirect("tfp_series", pk=pk)
    row = {k: v for k, v in form.cleaned_data.items() if v is not None}
    current = pd.DataFrame(list(series.observations.values("year", *[c for c, *_ in COLUMNS])))
    if not current.empty:
        current = current[current["year"] != row["year"]]
    merged = pd.concat([current, pd.DataFrame([row])], ignore_index=True).dropna(axis=1, how="all")
    try:
        services.replace_observations(series, merged)
    except GrowthInputError as e:
        messages.error(request, _("Không lưu năm %(y)s: %(e)s") % {"y": row["year"], "e": e})
    else:
        messages.success(request, _("Đã lưu số liệu năm %(y)s.") % {"y": row["year"]})
    return redirect("tfp_series", pk=pk)


def template_xlsx(request):
    return attachment(services.template_xlsx(), "mau-so-lieu-tfp.xlsx", XLSX)


_FLAT = re.compile(r"Output growth is zero \(or within (\S+) of it\) in (.+): shares are undefined there\.$")


def note_text(text: str) -> str:
    """A note of the growth-accounting library (English, stored with the run) in the page's language."""
    m = _FLAT.match(text)
    if m:
        return _("Tăng trưởng sản lượng bằng 0 (sai khác dưới %(tol)s) ở năm %(years)s: tỷ phần đóng góp không "
                 "xác định ở đó.") % {"tol": m.group(1), "years": m.group(2)}
    if text.startswith("Adjusted labour was asked for but the series has no hours or human_capital column"):
        return _("Đã chọn lao động điều chỉnh nhưng chuỗi không có cột hours hay human_capital: lao động là số "
                 "người có việc làm.")
    return text


@login_required
def run_detail(request, pk):
    _need(roles.can_view_tfp, request.user)
    run = get_object_or_404(TfpRun.objects.select_related("series", "author"), pk=pk)
    years = run.results["years"]
    sens_keys = sorted(k for k in (run.sensitivity[0] if run.sensitivity else {}) if k.startswith("tfp_share_"))
    return render(request, "stats/run.html", {
        "run": run, "years": years, "periods": run.results["periods"],
        "notes": [note_text(n) for n in run.results.get("notes", [])],
        "alpha_text": parameter_text(run.alpha), "depreciation_text": parameter_text(run.depreciation),
        "sensitivity": [{**r, "alpha_text": parameter_text(r.get("alpha")),
                         "depreciation_text": "—" if r.get("depreciation") is None else parameter_text(r["depreciation"])}
                        for r in run.sensitivity],
        "sens_keys": sens_keys,
        "sens_labels": [k.replace("tfp_share_", "").replace("_pct", "").replace("_", "-") for k in sens_keys],
        "territory": TfpSeries.Territory(run.territory).label,
        "publish_form": _publish_form(run),
        "published": list(run.publications.values_list("year", flat=True)),
        "can_publish": roles.can_publish_tfp(request.user),
        "signer_default": officedoc.default_signer()[0], "signer_title_default": officedoc.default_signer()[1],
        "reproduced": services.rerun(run)["years"] == run.results["years"],
    })


@login_required
def run_chart(request, pk, name):
    _need(roles.can_view_tfp, request.user)
    run = get_object_or_404(TfpRun, pk=pk)
    if name == "contributions":  # drawn in the request's language: its words here, its numbers in render
        svg = charts.contributions(run, labels={"capital": _("Vốn"), "labour": pgettext("TFP", "Lao động"), "output": _("Tăng trưởng"),
                                                "y": _("điểm phần trăm")})
    elif name == "share":
        svg = charts.tfp_share(run, labels={"share": _("Tỷ trọng TFP (%)"), "nat": _("Mục tiêu quốc gia 2025: 45%"),
                                            "prov": _("Quy hoạch tỉnh 2021-2030: 50-55%")})
    elif name == "index":
        svg = charts.tfp_index(run)
    else:
        raise Http404
    return HttpResponse(svg, content_type="image/svg+xml")


def _publish_form(run, data=None):
    """The publish menu of a run: its years with a TFP share, the latest not yet published first."""
    years = [y["year"] for y in run.results["years"] if y["contribution_tfp_pct"] is not None]
    return PublishForm(data, years=years, published=TfpPublication.objects.values_list("year", flat=True))


@login_required
@require_POST
def run_publish(request, pk):
    _need(roles.can_publish_tfp, request.user)
    run = get_object_or_404(TfpRun, pk=pk)
    form = _publish_form(run, request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, _("Chưa công bố: %(e)s") % {"e": e})
        return redirect("tfp_run", pk=pk)
    year = form.cleaned_data["year"]
    try:
        with transaction.atomic(), programme_services.tfp_carried_out_on(form.cleaned_data["published_on"]):
            pub = services.publish(run, year, request.user)
    except (GrowthInputError, ValueError) as e:
        messages.error(request, str(e))
    else:
        day = pub.activity.end_date
        phase = next((p for p in Phase.objects.all() if p.contains(day.year)), None)
        messages.success(request, _("Đã công bố số liệu TFP năm %(y)s (ngày công bố %(d)s); lần đo được tính vào năm "
                                    "%(c)s của chỉ tiêu đo lường TFP, giai đoạn %(p)s.")
                         % {"y": year, "d": day.strftime("%d/%m/%Y"), "c": day.year, "p": phase.code if phase else "—"})
    return redirect("tfp_run", pk=pk)


@login_required
def run_note(request, pk, fmt):
    _need(roles.can_view_tfp, request.user)
    run = get_object_or_404(TfpRun, pk=pk)
    form = NoteForm(request.GET)
    form.is_valid()
    d = form.cleaned_data
    kw = {"year": d.get("year"), "number": d.get("number") or "…/BC-TK", "signer": d.get("signer") or "",
          "signer_title": d.get("signer_title") or ""}
    if fmt == "pdf":
        return attachment(note.to_pdf(run, **kw), f"ghi-chu-tfp-{run.pk}.pdf", PDF)
    return attachment(note.to_docx(run, **kw), f"ghi-chu-tfp-{run.pk}.docx", DOCX)


@login_required
def asean(request):
    _need(roles.can_view_tfp, request.user)
    alpha = DEFAULT_ALPHA
    if "alpha" in request.GET:
        alpha = float_param(request.GET["alpha"], 0.001, 0.999)  # Vietnamese decimal comma accepted
        if alpha is None:
            alpha = DEFAULT_ALPHA
            messages.error(request, _("α phải nằm trong khoảng (0, 1); dùng %(a)s.") % {"a": fmt_decimal(DEFAULT_ALPHA, 2)})
    table = services.asean_comparison(round(alpha, 3))
    names = services.country_names(translation.get_language())
    if request.GET.get("format") == "svg":
        shown = table[table.output_growth.abs() >= services.MIN_COMPARISON_GROWTH]
        return HttpResponse(charts.asean(shown, names=names, labels={"nat": _("Mục tiêu Việt Nam 2025: 45%")}),
                            content_type="image/svg+xml")
    shown = table.assign(tfp_share_pct=table.tfp_share_pct.where(table.output_growth.abs() >= services.MIN_COMPARISON_GROWTH))
    # rows in the chart's order (the ASEAN list), not alphabetically by ISO code
    order = [c for c in services.ASEAN if c in set(table["country"])]
    pivot = shown.pivot(index="country", columns="period", values="tfp_share_pct").reindex(order)
    return render(request, "stats/asean.html", {"alpha": alpha, "alpha_text": f"{alpha:g}", "periods": list(pivot.columns),
                                                "rows": [(names.get(c, c), list(r)) for c, r in pivot.iterrows()],
                                                "min_growth_pct": f"{100 * services.MIN_COMPARISON_GROWTH:g}"})
