import io
import os

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from nscl.accounts import roles
from nscl.productivity.impact import AGGREGATIONS
from nscl.productivity.tables import read_table

from . import charts, runner
from .models import AnalysisJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 200 * 1024 * 1024


can_run = roles.can_run_analysis


def _visible(user):
    return roles.visible_analyses(user, AnalysisJob.objects.all())


def _job(request, pk):
    if not roles.can_view_analysis(request.user):
        raise PermissionDenied
    job = _visible(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


class UploadForm(forms.Form):
    title = forms.CharField(label=_l("Tên phân tích"), max_length=200)
    kind = forms.ChoiceField(label=_l("Loại phân tích"), choices=AnalysisJob.Kind.choices)
    file = forms.FileField(label=_l("Bảng số liệu (CSV, Excel hoặc Parquet)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".xlsx", ".parquet", ".txt")):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv, .xlsx hoặc .parquet."))
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 200 MB)."))
        return f


@login_required
def index(request):
    if not roles.can_view_analysis(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_run(request.user):
            raise PermissionDenied
        if form.is_valid():
            job = AnalysisJob(kind=form.cleaned_data["kind"], title=form.cleaned_data["title"], created_by=request.user)
            job.input_file = form.cleaned_data["file"]
            job.save()
            try:
                data = read_table(job.input_file.path)
            except Exception as e:  # noqa: BLE001
                job.input_file.delete(save=False)
                job.delete()
                form.add_error("file", _("Không đọc được bảng số liệu: %(e)s") % {"e": e.__class__.__name__})
            else:
                job.columns = [str(c) for c in data.columns]
                job.n_rows = len(data)
                job.save()
                return redirect("analysis_map", pk=job.pk)
    return render(request, "analysis/index.html", {"form": form, "jobs": _visible(request.user)[:50],
                                                   "can_run": can_run(request.user)})


def _mapping_form(job, data=None):
    choices = [("", "—")] + [(c, c) for c in job.columns]
    multi = [(c, c) for c in job.columns]

    class MappingForm(forms.Form):
        id = forms.ChoiceField(label=_l("Mã doanh nghiệp"), choices=choices)
        time = forms.ChoiceField(label=_l("Năm"), choices=choices)

        def clean(self):
            cd = super().clean()
            used = [v for k, v in cd.items() if k in ("id", "time", "output", "outcome", "first_treated", "proxy") and v]
            if len(used) != len(set(used)):
                raise forms.ValidationError(_("Mỗi cột chỉ được dùng cho một vai trò."))
            return cd

    f = MappingForm
    if job.kind == AnalysisJob.Kind.FIRM_TFP:
        f.base_fields.update({
            "output": forms.ChoiceField(label=_l("Sản lượng / giá trị tăng thêm (log)"), choices=choices),
            "free": forms.MultipleChoiceField(label=_l("Biến tự do (lao động)"), choices=multi),
            "state": forms.MultipleChoiceField(label=_l("Biến trạng thái (vốn)"), choices=multi),
            "proxy": forms.ChoiceField(label=_l("Biến đại diện (đầu tư cho OP, nguyên vật liệu cho LP/ACF/Wooldridge)"),
                                       choices=choices, required=False),
            "controls": forms.MultipleChoiceField(label=_l("Biến kiểm soát"), choices=multi, required=False),
            "method": forms.ChoiceField(label=_l("Phương pháp"), choices=[
                ("lp", "Levinsohn-Petrin"), ("op", "Olley-Pakes"), ("acf", "Ackerberg-Caves-Frazer"),
                ("wrdg", "Wooldridge IV"), ("wrdg-gmm", "Wooldridge GMM"), ("ols", "OLS"), ("fe", _l("Tác động cố định"))]),
            "log_inputs": forms.BooleanField(label=_l("Lấy logarit (số liệu ở dạng mức)"), required=False),
            "bootstrap": forms.IntegerField(label=_l("Số lần bootstrap"), min_value=0, max_value=2000, initial=50),
            "seed": forms.IntegerField(label=_l("Hạt giống ngẫu nhiên"), initial=1),
            "jobs": forms.IntegerField(label=_l("Số tiến trình song song"), min_value=1, max_value=os.cpu_count() or 1,
                                       initial=min(2, os.cpu_count() or 1)),
        })
    else:
        f.base_fields.update({
            "outcome": forms.ChoiceField(label=_l("Kết quả (vd. log năng suất lao động, TFP)"), choices=choices),
            "first_treated": forms.ChoiceField(label=_l("Năm được hỗ trợ đầu tiên (0 = chưa bao giờ)"), choices=choices),
            "control": forms.ChoiceField(label=_l("Nhóm đối chứng"), choices=[("never", _l("Chưa bao giờ được hỗ trợ")),
                                                                             ("notyet", _l("Chưa được hỗ trợ tính đến năm đó"))]),
            "estimator": forms.ChoiceField(label=_l("Ước lượng"), choices=[("dr", _l("Kép vững (doubly robust)")),
                                                                           ("reg", _l("Hồi quy kết quả")),
                                                                           ("ipw", _l("Trọng số xác suất nghịch đảo"))]),
            "covariates": forms.MultipleChoiceField(label=_l("Biến kiểm soát"), choices=multi, required=False),
        })
    return f(data, initial=job.params or None)


@login_required
def mapping(request, pk):
    job = _job(request, pk)
    if not can_run(request.user):
        raise PermissionDenied
    form = _mapping_form(job, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if job.active:
            messages.error(request, _("Phân tích đang chạy; hủy trước khi chạy lại."))
        else:
            job.params = form.cleaned_data
            job.save()
            runner.start(job)
            return redirect("analysis_detail", pk=job.pk)
    return render(request, "analysis/map.html", {"job": job, "form": form})


@login_required
def detail(request, pk):
    job = _job(request, pk)
    ctx = {"job": job, "can_run": can_run(request.user)}
    if job.status == AnalysisJob.Status.DONE and job.kind == AnalysisJob.Kind.FIRM_TFP:
        r = job.result
        ctx["coefficients"] = [(n, r["coefficients"][n], (r["std_errors"] or {}).get(n))
                               for n in r.get("names") or list(r["coefficients"])]
    if job.status == AnalysisJob.Status.DONE and job.kind == AnalysisJob.Kind.IMPACT:
        from nscl.productivity.impact import ci

        rows = []
        for typ in AGGREGATIONS:
            agg = job.result["aggregations"][typ]
            lo, hi = ci(agg["att"], agg["se"])
            rows.append((typ, agg["att"], agg["se"], lo, hi))
        ctx["impact_rows"] = rows
        ctx["dynamic"] = [(e["e"], e["att"], e["se"], *ci(e["att"], e["se"])) for e in job.result["aggregations"]["dynamic"]["by"]]
    return render(request, "analysis/detail.html", ctx)


@login_required
def status(request, pk):
    job = _job(request, pk)
    return JsonResponse({"status": job.status, "label": job.get_status_display(), "progress": job.progress,
                         "note": job.progress_note, "error": job.error})


@login_required
@require_POST
def cancel(request, pk):
    job = _job(request, pk)
    if not can_run(request.user):
        raise PermissionDenied
    runner.cancel(job)
    messages.warning(request, _("Đã hủy phân tích."))
    return redirect("analysis_detail", pk=pk)


@login_required
def chart(request, pk, name):
    job = _job(request, pk)
    if job.status != AnalysisJob.Status.DONE:
        raise Http404
    if name == "tfp" and job.kind == AnalysisJob.Kind.FIRM_TFP:
        return HttpResponse(charts.tfp_histogram(job.result["tfp_distribution"]), content_type="image/svg+xml")
    if name == "event" and job.kind == AnalysisJob.Kind.IMPACT:
        return HttpResponse(charts.event_study(job.result["aggregations"]["dynamic"]["by"]), content_type="image/svg+xml")
    raise Http404


@login_required
def download(request, pk):
    job = _job(request, pk)
    if job.status != AnalysisJob.Status.DONE:
        raise Http404
    resp = HttpResponse(results_xlsx(job), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="phan-tich-{job.pk}.xlsx"'
    return resp


@login_required
def tfp_csv(request, pk):
    job = _job(request, pk)
    name = (job.result or {}).get("tfp_file")
    if not name:
        raise Http404
    path = os.path.join(os.path.dirname(job.input_file.path), name)
    if not os.path.exists(path):
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"tfp-doanh-nghiep-{job.pk}.csv")


def results_xlsx(job) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from nscl.productivity.impact import ci

    wb = Workbook()
    ws = wb.active
    r = job.result
    if job.kind == AnalysisJob.Kind.FIRM_TFP:
        ws.title = "He so"
        ws.append(["Biến", "Hệ số", "Sai số chuẩn"])
        for name in r.get("names") or list(r["coefficients"]):
            ws.append([name, r["coefficients"][name], (r["std_errors"] or {}).get(name)])
        ws.append([])
        ws.append(["Phương pháp", r["method"]])
        ws.append(["Số quan sát", r["n_obs"]])
        ws.append(["Số doanh nghiệp", r["n_firms"]])
        ws.append(["Giá trị hàm mục tiêu", r["criterion"]])
        ws.append(["Bootstrap (lần / lỗi)", r["bootstrap"]["reps"], r["bootstrap"]["failed"]])
        d = wb.create_sheet("Phan bo TFP")
        d.append(["Cận dưới log TFP", "Cận trên", "Số doanh nghiệp-năm"])
        dist = r["tfp_distribution"]
        for lo, hi, c in zip(dist["edges"][:-1], dist["edges"][1:], dist["counts"]):
            d.append([lo, hi, c])
        name = r.get("tfp_file")
        path = os.path.join(os.path.dirname(job.input_file.path), name) if name else None
        if path and os.path.exists(path) and job.n_rows <= 200_000:
            import pandas as pd

            t = wb.create_sheet("TFP doanh nghiep")
            t.append(["Doanh nghiệp", "Năm", "log TFP", "Chỉ số TFP"])
            for row in pd.read_csv(path).itertuples(index=False):
                t.append(list(row))
    else:
        ws.title = "ATT(g,t)"
        ws.append(["Nhóm (năm hỗ trợ đầu)", "Năm", "ATT", "Sai số chuẩn", "KTC 95% dưới", "KTC 95% trên"])
        for a in r["att_gt"]:
            ws.append([a["group"], a["time"], a["att"], a["se"], *ci(a["att"], a["se"])])
        s = wb.create_sheet("Tong hop")
        s.append(["Cách tổng hợp", "Theo", "ATT", "Sai số chuẩn", "KTC 95% dưới", "KTC 95% trên"])
        for typ in AGGREGATIONS:
            agg = r["aggregations"][typ]
            s.append([typ, "tổng", agg["att"], agg["se"], *ci(agg["att"], agg["se"])])
            for e in agg.get("by", []):
                key = next(k for k in e if k not in ("att", "se"))
                s.append([typ, e[key], e["att"], e["se"], *ci(e["att"], e["se"])])
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
