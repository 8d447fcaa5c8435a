"""The analysis forms: the upload (checked once, here) and the column mapping of a job.

An upload is checked in full here except for the parse of every row: its type and size, that it
reads as a table (header and first rows parsed), its columns and its row count (Parquet metadata,
Excel rows streamed, CSV line ends: `peek_table`). The worker parses the whole stored file once,
when it runs, and sets the exact row count."""
import os

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from nscl.common.formatting import fmt_num
from nscl.common.uploads import UnsafeOfficeFile, check_office_zip, office_limits
from nscl.productivity import methods
from nscl.productivity.firm.panel import value_scale
from nscl.productivity.tables import guess_roles, head_table, peek_table

from .models import AnalysisJob

MAX_UPLOAD = 200 * 1024 * 1024
EXTENSIONS = (".csv", ".xlsx", ".parquet", ".txt")
MIN_COLUMNS = 3  # unit, year and one variable at least
SAMPLE_ROWS = 200  # rows the mapping form reads to tell levels from logarithms
LOGGED_ROLES = ("output", "free", "state", "proxy")  # the columns "Lấy logarit" applies to


class UploadForm(forms.Form):
    title = forms.CharField(label=_l("Tên phân tích"), max_length=200)
    kind = forms.ChoiceField(label=_l("Loại phân tích"), choices=AnalysisJob.Kind.choices)
    file = forms.FileField(label=_l("Bảng số liệu (CSV, Excel hoặc Parquet)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv, .xlsx hoặc .parquet."))
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 200 MB)."))
        try:
            check_office_zip(f, f.name)  # a decompression bomb: refused with the limits in words
            f.seek(0)
            columns, n_rows = peek_table(f, f.name, **office_limits())
        except UnsafeOfficeFile as e:
            raise forms.ValidationError(str(e)) from None
        except Exception as e:  # noqa: BLE001 - any parser failure means "not a table"
            raise forms.ValidationError(_("Không đọc được bảng số liệu: %(e)s") % {"e": e.__class__.__name__}) from None
        finally:
            f.seek(0)
        if len(columns) < MIN_COLUMNS:
            raise forms.ValidationError(_("Bảng cần ít nhất %(n)d cột (mã đơn vị, năm, biến số).") % {"n": MIN_COLUMNS})
        if n_rows < 1:
            raise forms.ValidationError(_("Bảng không có dòng số liệu nào."))
        self.columns, self.n_rows = columns, n_rows
        return f

    def create_job(self, user) -> AnalysisJob:
        d = self.cleaned_data
        job = AnalysisJob(kind=d["kind"], title=d["title"], created_by=user, columns=self.columns, n_rows=self.n_rows)
        job.input_file = d["file"]
        job.save()
        return job


def _options(options):
    language = translation.get_language() or "vi"
    return methods.choices(options, language)


HELP = {
    "id": _l("Cột mã của mỗi doanh nghiệp (số hoặc chữ, vd. DN001 hay mã số thuế)."),
    "time": _l("Cột năm của số liệu: mỗi doanh nghiệp một dòng cho mỗi năm."),
    "output": _l("Sản lượng hoặc giá trị tăng thêm của doanh nghiệp, ở dạng logarit (hoặc đánh dấu “Lấy logarit”)."),
    "free": _l("Biến tự do: đầu vào doanh nghiệp điều chỉnh ngay trong năm theo năng suất, thường là lao động."),
    "state": _l("Biến trạng thái: đầu vào tích lũy qua nhiều năm, không đổi ngay được, thường là vốn."),
    "proxy": _l("Biến đại diện: một lựa chọn của doanh nghiệp cho biết năng suất mà số liệu không ghi — đầu tư (OP) "
                "hoặc nguyên vật liệu (LP, ACF, Wooldridge); OLS và FE không cần."),
    "controls": _l("Biến khác ảnh hưởng đến sản lượng nhưng không phải đầu vào (vd. tuổi doanh nghiệp); không bắt buộc."),
    "method": _l("Cách ước lượng: LP hoặc ACF khi có nguyên vật liệu, OP khi có đầu tư; OLS và FE bỏ qua việc doanh "
                 "nghiệp chọn đầu vào theo năng suất."),
    "log_inputs": _l("Đánh dấu nếu số liệu ở dạng mức (đồng, người); để trống nếu các cột đã là logarit."),
    "confirm_scale": _l("Hệ thống đoán dạng số liệu từ 200 dòng đầu của bảng; chỉ đánh dấu khi đã kiểm tra rằng lựa "
                        "chọn “Lấy logarit” là đúng."),
    "bootstrap": _l("Số lần lấy mẫu lại các doanh nghiệp để tính sai số chuẩn và khoảng tin cậy; 0 = không tính "
                    "(nhanh), thường dùng 50–200."),
    "seed": _l("Số khởi đầu của việc lấy mẫu ngẫu nhiên: cùng số thì chạy lại cho cùng kết quả."),
    "jobs": _l("Số tiến trình chạy bootstrap song song trên các lõi máy chủ: nhiều hơn thì nhanh hơn, kết quả không đổi."),
    "by": _l("Không bắt buộc: ước lượng riêng cho từng giá trị của cột này (vd. ngành VSIC 2 chữ số), song song "
             "trên các lõi; mỗi nhóm cho kết quả như chạy riêng trên các dòng của nhóm đó."),
    "min_group": _l("Nhóm có ít doanh nghiệp-năm hơn số này không được ước lượng và được báo trong kết quả."),
    "outcome": _l("Chỉ tiêu muốn đo tác động, vd. log năng suất lao động hoặc TFP của doanh nghiệp."),
    "first_treated": _l("Năm doanh nghiệp bắt đầu được hỗ trợ; 0 hoặc để trống nếu chưa bao giờ được hỗ trợ."),
    "control": _l("Các đơn vị dùng để so sánh với đơn vị được hỗ trợ."),
    "estimator": _l("Cách điều chỉnh khác biệt giữa hai nhóm theo biến kiểm soát; kép vững (mặc định) an toàn nhất."),
    "covariates": _l("Đặc điểm trước hỗ trợ làm hai nhóm khác nhau (vd. quy mô, ngành); không bắt buộc."),
}


def column_scales(job: AnalysisJob) -> dict:
    """{column: ("level" | "log", the value that shows it)} for the columns whose first rows tell
    levels from logarithms (firm panels only; productivity.firm.panel.value_scale); {} when the file
    cannot be read."""
    if job.kind != AnalysisJob.Kind.FIRM_TFP or not job.input_file:
        return {}
    try:
        sample = head_table(job.input_file.path, rows=SAMPLE_ROWS)
    except Exception:  # noqa: BLE001 - hints only: the worker reports a file it cannot read
        return {}
    scales = {str(c): value_scale(sample[c]) for c in sample.columns}
    return {c: s for c, s in scales.items() if s[0]}


def _logged_columns(values: dict) -> list:
    """The columns "Lấy logarit" applies to in a mapping (initial values or cleaned data)."""
    cols = []
    for role in LOGGED_ROLES:
        v = values.get(role)
        cols += list(v) if isinstance(v, (list, tuple)) else [v]
    return [c for c in dict.fromkeys(cols) if c]


def scale_mismatch(scales: dict, values: dict) -> tuple[str | None, list, float | None]:
    """("level", columns, example) when logarithms are not to be taken but some mapped columns are
    levels; ("log", columns, example) when they are to be taken but some columns hold values ≤ 0;
    (None, [], None) when the choice fits what the first rows show."""
    wrong = "log" if values.get("log_inputs") else "level"
    cols = [c for c in _logged_columns(values) if scales.get(c, (None,))[0] == wrong]
    if not cols:
        return None, [], None
    return wrong, cols, scales[cols[0]][1]


def guessed_initial(kind: str, columns, scales: dict | None = None) -> dict:
    """The mapping a panel's column names suggest (see tables.guess_roles), with "Lấy logarit"
    ticked when a suggested column's first rows are levels (`scales`: column_scales)."""
    g = guess_roles(columns)
    out = {k: g[k] for k in ("id", "time") if k in g}
    if kind == AnalysisJob.Kind.FIRM_TFP:
        out.update({k: g[k] for k in ("output",) if k in g})
        out.update({k: [g[k]] for k in ("free", "state") if k in g})
        if "materials" in g:
            out["proxy"] = g["materials"]
        elif "investment" in g:
            out["proxy"], out["method"] = g["investment"], "op"
        if scale_mismatch(scales or {}, out)[0] == "level":
            out["log_inputs"] = True
    else:
        outcome = g.get("outcome") or g.get("output")
        if outcome:
            out["outcome"] = outcome
        if "first_treated" in g:
            out["first_treated"] = g["first_treated"]
    return out


class MappingForm(forms.Form):
    """Which column plays which role, and the method's options; the fields depend on the job's kind
    and columns and are built for each form (the class itself is never changed). The initial
    values are the job's parameters (a re-run) or else those its column names suggest."""

    ROLES = ("id", "time", "output", "outcome", "first_treated", "proxy", "by")

    def __init__(self, job: AnalysisJob, data=None):
        self.scales = column_scales(job)
        super().__init__(data, initial=job.params or guessed_initial(job.kind, job.columns, self.scales))
        self.job = job
        one = [("", "—")] + [(c, c) for c in job.columns]
        many = [(c, c) for c in job.columns]
        f = self.fields

        def multiple(label, required=True):
            return forms.MultipleChoiceField(label=label, choices=many, required=required,
                                             widget=forms.CheckboxSelectMultiple)
        f["id"] = forms.ChoiceField(label=_l("Mã doanh nghiệp"), choices=one)
        f["time"] = forms.ChoiceField(label=_l("Năm"), choices=one)
        if job.kind == AnalysisJob.Kind.FIRM_TFP:
            cpus = os.cpu_count() or 1
            f["output"] = forms.ChoiceField(label=_l("Sản lượng / giá trị tăng thêm (log)"), choices=one)
            f["free"] = multiple(_l("Biến tự do (lao động)"))
            f["state"] = multiple(_l("Biến trạng thái (vốn)"))
            f["proxy"] = forms.ChoiceField(
                label=_l("Biến đại diện (đầu tư cho OP, nguyên vật liệu cho LP/ACF/Wooldridge)"), choices=one,
                required=False)
            f["controls"] = multiple(_l("Biến kiểm soát"), required=False)
            f["method"] = forms.ChoiceField(label=_l("Phương pháp"), choices=_options(methods.FIRM_METHODS),
                                            initial="lp")
            f["log_inputs"] = forms.BooleanField(label=_l("Lấy logarit (số liệu ở dạng mức)"), required=False)
            if self.scales:
                f["confirm_scale"] = forms.BooleanField(
                    label=_l("Vẫn chạy như đã chọn (đã kiểm tra dạng số liệu)"), required=False)
            f["bootstrap"] = forms.IntegerField(label=_l("Số lần bootstrap"), min_value=0, max_value=2000, initial=50)
            f["seed"] = forms.IntegerField(label=_l("Hạt giống ngẫu nhiên"), initial=1)
            f["jobs"] = forms.IntegerField(label=_l("Số tiến trình song song"), min_value=1, max_value=cpus,
                                           initial=min(2, cpus))
            f["by"] = forms.ChoiceField(label=_l("Ước lượng theo nhóm (cột)"), choices=one, required=False)
            f["min_group"] = forms.IntegerField(label=_l("Số doanh nghiệp-năm tối thiểu mỗi nhóm"), min_value=1,
                                                initial=methods.FIRM_MIN_GROUP, required=False)
        else:
            f["outcome"] = forms.ChoiceField(label=_l("Kết quả (vd. log năng suất lao động, TFP)"), choices=one)
            f["first_treated"] = forms.ChoiceField(label=_l("Năm được hỗ trợ đầu tiên (0 = chưa bao giờ)"), choices=one)
            f["control"] = forms.ChoiceField(label=_l("Nhóm đối chứng"), choices=_options(methods.CONTROL_GROUPS))
            f["estimator"] = forms.ChoiceField(label=_l("Ước lượng"), choices=_options(methods.IMPACT_ESTIMATORS))
            f["covariates"] = multiple(_l("Biến kiểm soát"), required=False)
        for name, field in f.items():
            field.help_text = HELP[name]

    def clean(self):
        cd = super().clean()
        used = [v for k, v in cd.items() if k in self.ROLES and v]
        if len(used) != len(set(used)):
            raise forms.ValidationError(_("Mỗi cột chỉ được dùng cho một vai trò."))
        if cd.get("by") and cd["by"] in [c for k in ("free", "state", "controls") for c in cd.get(k) or []]:
            self.add_error("by", _("Cột nhóm không được là một biến của hàm sản xuất."))
        if "min_group" in self.fields and not cd.get("min_group"):
            cd["min_group"] = methods.FIRM_MIN_GROUP
        if not cd.pop("confirm_scale", False) and "log_inputs" in self.fields and scale_mismatch(self.scales, cd)[0]:
            self.add_error("log_inputs", self.scale_warning(cd))
        return cd

    def scale_warning(self, values=None) -> str:
        """Why the "Lấy logarit" choice (of `values`, else of an unbound form's initial values: a
        re-run) does not fit the mapped columns' first rows; "" when it does."""
        if values is None and self.is_bound:
            return ""  # a bound form says it on the field
        kind, cols, example = scale_mismatch(self.scales, self.initial if values is None else values)
        if kind is None:
            return ""
        lang = translation.get_language()
        args = {"cols": ", ".join(cols), "value": fmt_num(example, lang)}
        if kind == "level":
            return _("Cột %(cols)s có giá trị như %(value)s: đây là số liệu dạng mức (đồng, người), không phải logarit. "
                     "Đánh dấu “Lấy logarit (số liệu ở dạng mức)”, hoặc đánh dấu “Vẫn chạy như đã chọn” nếu chắc "
                     "chắn.") % args
        return _("Cột %(cols)s có giá trị %(value)s (≤ 0): không lấy logarit được, có vẻ các cột đã là logarit. Bỏ "
                 "đánh dấu “Lấy logarit (số liệu ở dạng mức)”, hoặc đánh dấu “Vẫn chạy như đã chọn” nếu chắc chắn.") % args

    def scale_note(self) -> str:
        """On an unbound form: the level columns of the first rows, and that the option is ticked for them."""
        if self.is_bound or not self.initial.get("log_inputs"):
            return ""
        cols = [c for c in _logged_columns(self.initial) if self.scales.get(c, (None,))[0] == "level"]
        if not cols:
            return ""
        return _("Cột %(cols)s có giá trị như %(value)s, không thể là logarit: đã đánh dấu sẵn “Lấy logarit (số liệu "
                 "ở dạng mức)”.") % {"cols": ", ".join(cols),
                                     "value": fmt_num(self.scales[cols[0]][1], translation.get_language())}
