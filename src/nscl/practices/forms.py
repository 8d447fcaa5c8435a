"""Forms of the library's management pages (the public pages only read)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from nscl.common.fields import number_formfield
from nscl.common.uploads import check_evidence_file

from .models import PHOTO_EXTENSIONS, CaseFile, Indicator, PracticeCase
from .services import eligible_dossiers


class CaseForm(forms.ModelForm):
    class Meta:
        model = PracticeCase
        fields = ["title", "summary", "results", "model_enterprise", "model_reference"]
        # what officers typed is data: the page's language does not apply to it
        widgets = {"summary": forms.Textarea(attrs={"rows": 6, "translate": "no"}),
                   "results": forms.Textarea(attrs={"rows": 4, "translate": "no"})}

    def clean(self):
        data = super().clean()
        if data.get("model_enterprise") and not (data.get("model_reference") or "").strip():
            self.add_error("model_reference", _("Ghi căn cứ công nhận doanh nghiệp điển hình (văn bản, năm)."))
        return data


class NewCaseForm(CaseForm):
    dossier = forms.ModelChoiceField(label=_("Hồ sơ hỗ trợ đã nghiệm thu"), queryset=None)

    class Meta(CaseForm.Meta):
        fields = ["dossier", *CaseForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossier"].queryset = eligible_dossiers()
        self.fields["dossier"].label_from_instance = lambda d: f"{d.enterprise.name} — {d.content} ({d.title})"


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "before", "after", "lower_is_better", "period"]
        formfield_callback = number_formfield  # "1.250,5" as typed


class ConsentForm(forms.Form):
    figures_public = forms.BooleanField(label=_("Đồng ý công khai cả số liệu (chi phí, mức hỗ trợ, năng suất, chỉ số đo)"),
                                        required=False)
    basis = forms.CharField(label=_("Căn cứ (văn bản đồng ý, khi cán bộ ghi nhận thay)"), max_length=300, required=False)


class CaseFileForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=CaseFile.Kind.choices)
    file = forms.FileField(label=_("Tệp"))
    caption = forms.CharField(label=_("Chú thích"), max_length=300, required=False)
    is_public = forms.BooleanField(label=_("Công khai"), required=False)

    def clean_file(self):
        return check_evidence_file(self.cleaned_data["file"])

    def clean(self):
        data = super().clean()
        f = data.get("file")
        if f is not None and data.get("kind") == CaseFile.Kind.PHOTO and \
                f.name.rsplit(".", 1)[-1].lower() not in PHOTO_EXTENSIONS:
            self.add_error("file", _("Hình ảnh phải là tệp .jpg hoặc .png."))
        return data
