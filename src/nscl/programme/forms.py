"""Forms of the registers: one ModelForm per activity kind, with the checks a user must be told about (dates, hidden fields, tax code, evidence content)."""
import uuid

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from nscl.accounts import roles
from nscl.common.fields import number_formfield
from nscl.common.uploads import check_evidence_file
from nscl.geo.models import AdministrativeUnit

from .models import KIND_MODELS, CatalogueItem, Evidence, ProgrammeDocument, ReportClosing, Target, Unit

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "class": "date"})
COMMON_FIELDS = ["title", "start_date", "end_date", "status", "responsible_unit", "location",
                 "budget_planned", "budget_spent", "fund_source", "notes"]


class LocationField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        era = _("từ 01/07/2025") if unit.valid_to is None else _("trước 01/07/2025")
        return f"{unit} ({era})"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none is chosen). The files' own
    checks are the form's (ActivityForm.clean_evidence_files), so that every refusal is listed."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


EVIDENCE_MAX_FILES = 10


class ActivityForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.widget = DATE_WIDGET
                field.input_formats = ["%d/%m/%Y", "%Y-%m-%d"]
                field.error_messages["invalid"] = _("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy.")
            if isinstance(field, (forms.DecimalField, forms.IntegerField)):
                field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator)]
                field.validators.append(MinValueValidator(0, _("Giá trị không được âm.")))
        if "location" in self.fields:
            self.fields["location"] = LocationField(
                queryset=AdministrativeUnit.objects.select_related("parent").order_by("-valid_from", "level", "name"),
                required=False, label=_("Địa điểm"),
            )
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                field.error_messages["invalid_choice"] = _("“%(label)s” đã chọn không có trong danh mục.") % {
                    "label": field.label}
        fixed = roles.fixed_unit_id(user) if user is not None else None
        if fixed is not None:
            self.fields["responsible_unit"].queryset = Unit.objects.filter(pk=fixed)
            self.fields["responsible_unit"].initial = fixed
        if "topic" in self.fields:
            self.fields["topic"].queryset = CatalogueItem.objects.all()
        if not self.instance.pk:
            self.fields["token"].initial = uuid.uuid4()
        else:
            self.fields["version"].initial = self.instance.version
        for field in self.fields.values():
            if isinstance(field.widget, (forms.Textarea,)):
                field.widget.attrs.setdefault("rows", 3)
        if not self.instance.pk:  # evidence with the new record; an existing one takes it on its page
            self.fields["evidence_type"] = forms.ChoiceField(
                label=_("Loại minh chứng kèm theo"), required=False,
                choices=[("", "—")] + list(Evidence.Type.choices))
            self.fields["evidence_files"] = MultipleFileField(
                label=_("Tệp minh chứng kèm theo"), required=False,
                help_text=_("Có thể chọn nhiều tệp (tối đa %(n)s), mỗi tệp tối đa %(mb)s MB; định dạng: %(ext)s. "
                            "Nếu biểu mẫu báo lỗi, cần chọn lại các tệp.") % {
                    "n": EVIDENCE_MAX_FILES, "mb": settings.NSCL_EVIDENCE_MAX_BYTES // 1048576,
                    "ext": ", ".join(settings.NSCL_EVIDENCE_EXTENSIONS)})

    def clean_evidence_files(self):
        """Every file held to the evidence rule (common.uploads.check_evidence_file); each refusal
        named with its file, all of them at once."""
        files = self.cleaned_data.get("evidence_files") or []
        if len(files) > EVIDENCE_MAX_FILES:
            raise forms.ValidationError(_("Tối đa %(n)s tệp minh chứng mỗi lần (đã chọn %(m)s).") % {
                "n": EVIDENCE_MAX_FILES, "m": len(files)})
        errors = []
        for f in files:
            try:
                check_evidence_file(f)
            except forms.ValidationError as e:
                errors += [f"“{f.name}”: {m}" for m in e.messages]
        if errors:
            raise forms.ValidationError(errors)
        return files

    def evidence(self):
        """(type, files) to attach to the new record; files is empty when none was chosen."""
        cd = getattr(self, "cleaned_data", {})
        return cd.get("evidence_type") or "", list(cd.get("evidence_files") or [])

    def clean(self):
        cd = super().clean()
        # hidden fields have no place to show an error: say it where the user reads
        if self.has_error("version") or self.has_error("token"):
            raise forms.ValidationError(_("Biểu mẫu bị thay đổi hoặc đã cũ (thông tin ẩn không hợp lệ). "
                                          "Vui lòng tải lại trang và nhập lại."))
        if not self.instance.pk and not cd.get("token"):
            raise forms.ValidationError(_("Biểu mẫu thiếu mã gửi; vui lòng tải lại trang để tránh tạo hồ sơ hai lần."))
        if self.instance.pk and cd.get("version") is None:
            raise forms.ValidationError(_("Biểu mẫu thiếu số phiên bản của hồ sơ; vui lòng tải lại trang và nhập lại."))
        if cd.get("evidence_files") and not cd.get("evidence_type"):
            self.add_error("evidence_type", _("Chọn loại minh chứng cho các tệp kèm theo."))
        return cd


def form_class(kind):
    model = KIND_MODELS[kind]
    own = [f.name for f in model._meta.get_fields()
           if f.concrete and getattr(f, "model", None) is model and f.editable and not f.auto_created]
    # money and counts typed as officers type them ("18.500.000"): common.fields
    return forms.modelform_factory(model, form=ActivityForm, fields=COMMON_FIELDS + own,
                                   formfield_callback=number_formfield)


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = ["type", "file"]

    def clean_file(self):
        return check_evidence_file(self.cleaned_data["file"])


class ReportForm(forms.Form):
    """The annual report's year, number and signer; signer and title left empty take the defaults of
    settings NSCL_SIGNER_NAME / NSCL_SIGNER_TITLE (also shown as the fields' initial values)."""

    year = forms.IntegerField(label=_l("Năm báo cáo"), min_value=2021, max_value=2100)
    number = forms.CharField(label=_l("Số, ký hiệu"), max_length=60, initial="…/BC-SKHCN", required=False)
    signer = forms.CharField(label=_l("Người ký"), max_length=120, required=False,
                             initial=lambda: settings.NSCL_SIGNER_NAME)
    signer_title = forms.CharField(label=_l("Chức vụ"), max_length=120, required=False,
                                   initial=lambda: settings.NSCL_SIGNER_TITLE)


CLOSING_MAX_CHARS = 20000
YEAR_MESSAGE = _l("Năm báo cáo phải từ 2021 đến 2100.")


class ReportClosingForm(forms.ModelForm):
    """A year's closing sections of the annual report; `version` is the one the page was opened on
    (services.save_report_closing refuses a page someone else saved meanwhile)."""

    year = forms.IntegerField(label=_l("Năm báo cáo"), min_value=2021, max_value=2100, widget=forms.HiddenInput,
                              error_messages={"invalid": YEAR_MESSAGE, "min_value": YEAR_MESSAGE,
                                              "max_value": YEAR_MESSAGE, "required": YEAR_MESSAGE})
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = ReportClosing
        fields = list(ReportClosing.TEXT_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in ReportClosing.TEXT_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ReportClosing.TEXT_FIELDS:
            field = self.fields[name]
            field.max_length = CLOSING_MAX_CHARS
            field.validators.append(MaxLengthValidator(CLOSING_MAX_CHARS, _l(
                "Mỗi phần tối đa 20.000 ký tự (đã nhập %(show_value)s).")))
            field.label = field.label[:1].upper() + field.label[1:]
        self.fields["directions"].help_text = _l("Nhiệm vụ của năm sau năm báo cáo.")


TARGET_FIELDS = ["code", "objective", "description", "description_en", "unit", "kind", "min_value", "max_value",
                 "tolerance_pct", "every_year", "activity_kind", "condition"]
# the numbers each kind of target has: exact N, range min-max, at least N, about N ± tolerance
KIND_FIELDS = {"min_value": ("exact", "range", "at_least", "about"), "max_value": ("range",), "tolerance_pct": ("about",)}
VALUE_LABELS = {"exact": _l("Giá trị"), "range": _l("Từ"), "at_least": _l("Ít nhất"), "about": _l("Khoảng")}


class DraftTargetForm(forms.ModelForm):
    """One target of a phase: each kind shows only its own numbers (`rows`); the page's script
    shows and hides them as the kind changes, and without it the page shows the saved kind's."""

    class Meta:
        model = Target
        fields = TARGET_FIELDS
        formfield_callback = number_formfield  # "1,5" and "1.000" as typed; shown as 1,5 and 1.000, not 1.50
        # the values are the plan's own wording (data), whatever the interface's language
        widgets = {"description": forms.Textarea(attrs={"rows": 2, "translate": "no"}),
                   "description_en": forms.Textarea(attrs={"rows": 2, "translate": "no"}),
                   "condition": forms.Textarea(attrs={"rows": 1, "translate": "no"}),
                   "unit": forms.TextInput(attrs={"translate": "no"})}

    def __init__(self, *args, amending=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_value"].label = _l("Đến")
        self.fields["tolerance_pct"].label = _l("Dung sai (±%)")
        self.fields["kind"].widget.attrs["data-target-kind"] = "1"
        if amending:  # a published target keeps its code: the history follows it
            self.fields["code"].disabled = True

    def current_kind(self) -> str:
        value = self["kind"].value()
        return value if value in KIND_FIELDS["min_value"] else (self.instance.kind or "exact")

    def rows(self):
        """(bound field, kinds it belongs to or "", shown now, label now) of each visible field."""
        kind = self.current_kind()
        for bf in self.visible_fields():
            kinds = KIND_FIELDS.get(bf.name)
            label = VALUE_LABELS[kind] if bf.name == "min_value" else bf.label
            yield bf, " ".join(kinds or ()), kinds is None or kind in kinds, label

    def clean(self):
        cd = super().clean()
        for name in ("min_value", "max_value"):
            if cd.get(name) is not None and cd[name] < 0:
                self.add_error(name, _("Giá trị không được âm."))
        tol = cd.get("tolerance_pct")
        if cd.get("kind") == Target.Kind.ABOUT and tol is not None and not 0 <= tol < 100:
            self.add_error("tolerance_pct", _("Dung sai phải từ 0 đến dưới 100%."))
        return cd


DraftTargetFormSet = forms.modelformset_factory(Target, form=DraftTargetForm, extra=0, can_delete=True)
AmendTargetFormSet = forms.modelformset_factory(Target, form=DraftTargetForm, extra=0, can_delete=False)


class TargetsDocumentForm(forms.ModelForm):
    """The document that sets a phase's targets (a decision or plan of the provincial People's
    Committee). Needed to publish or amend (`required`); a draft may be saved without it, but a
    document begun must be complete. Never saved by the form: services find or create it."""

    class Meta:
        model = ProgrammeDocument
        fields = ["number", "title", "issued_on", "issuer"]
        widgets = {"issued_on": DATE_WIDGET}

    def __init__(self, *args, required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.required = required
        self.fields["issued_on"].input_formats = ["%d/%m/%Y", "%Y-%m-%d"]
        self.fields["issued_on"].error_messages["invalid"] = _("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy.")
        for field in self.fields.values():
            field.required = False

    def clean(self):
        cd = super().clean()
        names = list(self.fields)
        if not self.required and not any(cd.get(n) for n in names) and not self.errors:
            return cd
        for name in names:
            if not cd.get(name) and name not in self.errors:
                self.add_error(name, _("Cần ghi %(f)s của văn bản ban hành chỉ tiêu.") % {
                    "f": self.fields[name].label.lower()})
        return cd

    def document(self) -> dict | None:
        """The document's values, or None for a draft saved without one."""
        cd = self.cleaned_data
        if not any(cd.get(n) for n in self.fields):
            return None
        return {n: cd[n].strip() if isinstance(cd[n], str) else cd[n] for n in self.fields}
