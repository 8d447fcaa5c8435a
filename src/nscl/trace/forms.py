"""Forms of an enterprise's traceability records: locations (GLN), products (GTIN), API keys, sharing.
Keys are checked with their check digits by nscl.traceability.keys (Vietnamese messages)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from nscl.common.uploads import matches_extension
from nscl.enterprises.dossiers import Certificate
from nscl.enterprises.models import Enterprise, SupportContent
from nscl.traceability import keys

from .labels import digital_link
from .models import ApiKey, Location, Product

IMAGE_MAX_BYTES = 3 * 1024 * 1024


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["gln", "name", "name_en", "address"]

    def clean_gln(self):
        try:
            return keys.validate_gln(self.cleaned_data["gln"].strip())
        except keys.InvalidKey as e:
            raise forms.ValidationError(e.message_vi) from None


class ProductForm(forms.ModelForm):
    image = forms.FileField(label=_("Thêm ảnh (JPG, PNG; tối đa 3 MB)"), required=False)

    class Meta:
        model = Product
        fields = ["gtin", "name", "name_en", "description", "description_en", "origin", "shelf_life_days",
                  "storage", "storage_en", "warnings", "warnings_en", "standards", "certificates"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "description_en": forms.Textarea(attrs={"rows": 3}),
                   "warnings": forms.Textarea(attrs={"rows": 2}), "warnings_en": forms.Textarea(attrs={"rows": 2}),
                   "standards": forms.CheckboxSelectMultiple, "certificates": forms.CheckboxSelectMultiple}

    def __init__(self, *args, owner: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.fields["standards"].queryset = SupportContent.objects.filter(
            group__in=[SupportContent.Group.CONFORMITY, SupportContent.Group.SYSTEM])
        self.fields["certificates"].queryset = Certificate.objects.filter(enterprise=owner).select_related("standard")

    def clean_gtin(self):
        try:
            return keys.validate_gtin(self.cleaned_data["gtin"].strip())
        except keys.InvalidKey as e:
            raise forms.ValidationError(e.message_vi) from None

    def clean_image(self):
        f = self.cleaned_data.get("image")
        if not f:
            return None
        ext = f.name.rsplit(".", 1)[-1].lower() if "." in f.name else ""
        if ext not in ("jpg", "jpeg", "png"):
            raise forms.ValidationError(_("Ảnh phải là tệp JPG hoặc PNG."))
        if f.size > IMAGE_MAX_BYTES:
            raise forms.ValidationError(_("Ảnh quá lớn (tối đa 3 MB)."))
        data = f.read()
        f.seek(0)
        if not matches_extension(data, ext):
            raise forms.ValidationError(_("Nội dung tệp không phải ảnh %(ext)s.") % {"ext": ext.upper()})
        return f


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "locations"]
        widgets = {"locations": forms.CheckboxSelectMultiple}

    def __init__(self, *args, owner: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].queryset = Location.objects.filter(owner=owner)
        self.fields["locations"].help_text = _("Để trống: mọi địa điểm của doanh nghiệp.")


class ShareForm(forms.Form):
    partner = forms.CharField(label=_("Mã số thuế của đối tác"), max_length=14)

    def __init__(self, *args, owner: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner

    def clean_partner(self):
        code = self.cleaned_data["partner"].strip()
        partner = Enterprise.objects.filter(tax_code=code).first()
        if partner is None:
            raise forms.ValidationError(_("Không có doanh nghiệp mã số thuế %(code)s trong danh sách.") % {"code": code})
        if partner.pk == self.owner.pk:
            raise forms.ValidationError(_("Không chia sẻ với chính mình."))
        return partner


class LabelForm(forms.Form):
    lot = forms.CharField(label=_("Số lô"), max_length=20, required=False)
    serial = forms.CharField(label=_("Số sê-ri"), max_length=20, required=False)
    count = forms.IntegerField(label=_("Số nhãn"), min_value=1, max_value=400, initial=24, required=False)

    def __init__(self, *args, gtin: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.gtin = gtin

    def clean(self):
        data = super().clean()
        try:
            keys.parse(digital_link("https://id.gs1.org", self.gtin, data.get("lot"), data.get("serial")))
        except keys.InvalidKey as e:
            raise forms.ValidationError(e.message_vi) from None
        return data
