"""Forms of the registry: every refusal is a Vietnamese message on the form, nothing saved."""
from __future__ import annotations

import copy
import datetime
import os
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from nscl.common.fields import MoneyField, number_formfield
from nscl.common.uploads import UnsafeOfficeFile, check_evidence_file, check_office_zip
from nscl.geo.models import AdministrativeUnit

from . import mst, vsic
from .dossiers import Certificate, Dossier
from .models import Contact, Enterprise, IndustryCode, SupportContent, YearlyFigures

DATE = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class CommuneChoice(forms.ModelChoiceField):
    def label_from_instance(self, u):
        when = " (đến 30/06/2025)" if u.valid_to else ""
        return f"{u.code} — {u}{when}"


class EnterpriseForm(forms.ModelForm):
    commune = CommuneChoice(queryset=AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.COMMUNE)
                            .select_related("parent").order_by("-valid_from", "name"), required=False, label=_("Xã/phường"))
    registered_on = forms.DateField(label=_("Ngày đăng ký / ngày ghi nhận"), required=False, widget=DATE,
                                    input_formats=DATE_FORMATS)
    vsic_code = forms.CharField(label=_("Mã ngành chính (VSIC)"), max_length=5, required=False)
    vsic_version = forms.ChoiceField(label=_("Phiên bản VSIC"), choices=IndustryCode.Version.choices, initial=vsic.V2025)

    class Meta:
        model = Enterprise
        fields = ["tax_code", "name", "name_en", "legal_form", "ownership", "sector_group", "address", "commune",
                  "registered_on"]

    def __init__(self, *args, can_change_tax_code=True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            primary = self.instance.industries.filter(is_primary=True).first()
            if primary:
                self.initial.setdefault("vsic_code", primary.code)
                self.initial.setdefault("vsic_version", primary.version)
        if not can_change_tax_code:
            self.fields["tax_code"].disabled = True

    def clean_tax_code(self):
        r = mst.check(self.cleaned_data["tax_code"])
        if not r.valid:
            raise forms.ValidationError(r.reason)
        if Enterprise.objects.filter(tax_code=r.normalized).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Mã số thuế %(code)s đã có trong danh sách doanh nghiệp.") % {"code": r.normalized})
        return r.normalized

    def clean(self):
        data = super().clean()
        day = data.get("registered_on") or datetime.date.today()
        if data.get("registered_on") and not (datetime.date(1945, 1, 1) <= day <= datetime.date.today()):
            self.add_error("registered_on", _("Ngày đăng ký không hợp lý."))
        commune = data.get("commune")
        if commune and not commune.is_valid_on(day):
            self.add_error("commune", _("Xã/phường %(name)s không còn/chưa có hiệu lực vào ngày %(day)s (đơn vị cũ đến "
                                        "30/06/2025, đơn vị mới từ 01/07/2025).") % {"name": commune.name,
                                                                                      "day": day.strftime("%d/%m/%Y")})
        code = (data.get("vsic_code") or "").strip()
        if code and not vsic.exists(data.get("vsic_version", ""), code):
            self.add_error("vsic_code", _("Mã ngành %(code)s không có trong VSIC %(v)s.") % {"code": code, "v": data.get("vsic_version")})
        return data

    def save_industry(self, enterprise):
        code = (self.cleaned_data.get("vsic_code") or "").strip()
        if not code:
            return
        version = self.cleaned_data["vsic_version"]
        current = enterprise.industries.filter(is_primary=True).first()
        if current and (current.version, current.code) == (version, code):
            return
        if current:
            current.delete()
        enterprise.industries.filter(version=version, code=code).delete()
        IndustryCode.objects.create(enterprise=enterprise, version=version, code=code, is_primary=True)


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "position", "phone", "email"]


class IndustryForm(forms.ModelForm):
    class Meta:
        model = IndustryCode
        fields = ["version", "code"]

    def __init__(self, *args, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise

    def clean(self):
        data = super().clean()
        if data.get("code") and not vsic.exists(data.get("version", ""), data["code"]):
            raise forms.ValidationError(_("Mã ngành %(code)s không có trong VSIC %(v)s.") % {"code": data["code"], "v": data.get("version")})
        if self.enterprise and self.enterprise.industries.filter(version=data.get("version"), code=data.get("code")).exists():
            raise forms.ValidationError(_("Doanh nghiệp đã có mã ngành này."))
        return data


class FiguresForm(forms.ModelForm):
    class Meta:
        model = YearlyFigures
        fields = ["year", "revenue", "value_added", "intermediate_costs", "employees", "wage_bill", "total_capital",
                  "fixed_assets", "materials", "energy", "investment", "exports"]
        formfield_callback = number_formfield  # "18.500.000" and "12,5" as officers type them

    def clean_year(self):
        y = self.cleaned_data["year"]
        if not (2000 <= y <= datetime.date.today().year):
            raise forms.ValidationError(_("Năm phải từ 2000 đến %(y)s.") % {"y": datetime.date.today().year})
        return y


class DossierForm(forms.ModelForm):
    applied_on = forms.DateField(label=_("Ngày nộp"), widget=DATE, input_formats=DATE_FORMATS, initial=datetime.date.today)
    # one key per rendered form: posting it again finds the dossier it made (workflow.submit)
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)

    class Meta:
        model = Dossier
        fields = ["content", "title", "total_cost", "requested_amount", "applied_on"]
        formfield_callback = number_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content"].queryset = SupportContent.objects.all()

    def clean(self):
        data = super().clean()
        if not data.get("submission_key"):  # missing or not a key: said at the top, not as a hidden field's
            self._errors.pop("submission_key", None)
            self.add_error(None, _("Biểu mẫu không còn hợp lệ: hãy tải lại trang và nộp lại."))
        day = data.get("applied_on")
        if day and not (datetime.date(2021, 1, 1) <= day <= datetime.date.today()):
            self.add_error("applied_on", _("Ngày nộp phải từ 01/01/2021 đến hôm nay."))
        if data.get("requested_amount") is not None and data.get("total_cost") is not None \
                and data["requested_amount"] > data["total_cost"]:
            self.add_error("requested_amount", _("Kinh phí đề nghị hỗ trợ không được lớn hơn tổng chi phí."))
        return data


class TransitionForm(forms.Form):
    """Every value a move may record; `move_form` takes the fields of one move from it."""

    notes = forms.CharField(label=_("Ghi chú / ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    proposed_amount = MoneyField(label=_("Mức đề xuất (đ)"), required=False, min_value=0, max_digits=18)
    decision_number = forms.CharField(label=_("Số quyết định"), required=False, max_length=60)
    decision_date = forms.DateField(label=_("Ngày quyết định"), required=False, widget=DATE, input_formats=DATE_FORMATS)
    decision_body = forms.CharField(label=_("Cơ quan ban hành"), required=False, max_length=200)
    approved_amount = MoneyField(label=_("Mức hỗ trợ được duyệt (đ)"), required=False, min_value=0, max_digits=18)
    provider = forms.CharField(label=_("Tổ chức tư vấn / chứng nhận"), required=False, max_length=250)
    contract_number = forms.CharField(label=_("Số hợp đồng"), required=False, max_length=60)
    contract_date = forms.DateField(label=_("Ngày hợp đồng"), required=False, widget=DATE, input_formats=DATE_FORMATS)
    accepted_on = forms.DateField(label=_("Ngày nghiệm thu"), required=False, widget=DATE, input_formats=DATE_FORMATS)
    closed_on = forms.DateField(label=_("Ngày kết thúc"), required=False, widget=DATE, input_formats=DATE_FORMATS)
    paid_amount = MoneyField(label=_("Kinh phí đã thanh toán (đ)"), required=False, min_value=0, max_digits=18)


class MoveForm(forms.Form):
    """One move's form: just the fields it records, the required ones marked as such, each with its
    rule in words (workflow.field_rules); the status it was shown in (a re-post is recognised)."""

    transition = forms.CharField(widget=forms.HiddenInput)
    from_status = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, move, dossier, rules, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .workflow import FIELD_LABELS

        self.move = move
        self.initial.update(transition=move.name, from_status=dossier.status)
        for name in move.required + move.optional:
            field = self.fields[name] = copy.deepcopy(TransitionForm.base_fields[name])
            field.required = name in move.required
            field.help_text = rules.get(name, "")
            field.error_messages["required"] = _("Cần nhập: %(fields)s.") % {"fields": FIELD_LABELS[name]}
        notes = self.fields["notes"] = copy.deepcopy(TransitionForm.base_fields["notes"])
        if move.notes_required:
            notes.label, notes.required = _("Lý do"), True
            notes.error_messages["required"] = _("Cần ghi rõ lý do.")
            notes.help_text = _("Ghi vào các bước xử lý và nhật ký; doanh nghiệp và cán bộ được thông báo.")

    def clean_notes(self):
        notes = self.cleaned_data["notes"].strip()
        if self.move.notes_required and not notes:
            raise forms.ValidationError(_("Cần ghi rõ lý do."))
        return notes

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("transition", "from_status", "notes")}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Tệp minh chứng"))
    description = forms.CharField(label=_("Mô tả"), max_length=255, required=False)

    def clean_file(self):
        return check_evidence_file(self.cleaned_data["file"])


class CertificateForm(forms.ModelForm):
    issued_on = forms.DateField(label=_("Ngày cấp"), widget=DATE, input_formats=DATE_FORMATS)
    expires_on = forms.DateField(label=_("Ngày hết hạn"), widget=DATE, input_formats=DATE_FORMATS, required=False)

    class Meta:
        model = Certificate
        fields = ["standard", "number", "body", "issued_on", "expires_on", "scope"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = SupportContent.objects.filter(certifiable=True)

    def clean(self):
        data = super().clean()
        issued, expires = data.get("issued_on"), data.get("expires_on")
        if issued and not (datetime.date(2000, 1, 1) <= issued <= datetime.date.today()):
            self.add_error("issued_on", _("Ngày cấp phải từ 01/01/2000 đến hôm nay."))
        if issued and expires and expires < issued:
            self.add_error("expires_on", _("Ngày hết hạn phải sau ngày cấp."))
        return data


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Dữ liệu"), choices=[("enterprises", _("Danh sách doanh nghiệp")),
                                                          ("figures", _("Số liệu năm")),
                                                          ("support", _("Hỗ trợ các năm trước (đã nghiệm thu)"))])
    file = forms.FileField(label=_("Tệp .xlsx hoặc .csv"))
    dry_run = forms.BooleanField(label=_("Chỉ kiểm tra, không ghi"), required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        ext = os.path.splitext(f.name)[1].lower()
        if ext not in (".xlsx", ".csv"):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if f.size > 50 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 50 MB)."))
        if ext == ".xlsx":
            try:
                check_office_zip(f, f.name)  # a decompression bomb is refused at the upload, whoever reads it later
            except UnsafeOfficeFile as e:
                raise forms.ValidationError(str(e)) from None
        return f


