"""Forms of an enterprise's traceability records: locations (GLN), products (GTIN), API keys, sharing.
Keys are checked with their check digits by nscl.traceability.keys (Vietnamese messages)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from nscl.common.uploads import matches_extension
from nscl.enterprises.dossiers import Certificate
from nscl.enterprises.models import Enterprise, SupportContent
from nscl.traceability import keys
from nscl.traceability import prefixes as gs1_prefixes

from . import prefixes
from .labels import digital_link
from .models import ApiKey, CompanyPrefix, Location, Product

IMAGE_MAX_BYTES = 3 * 1024 * 1024


def _under_prefix(form, number: str, field_name: str) -> str:
    """The number, when the owner may register it: under its verified GS1 company prefix, or under
    one awaiting verification (a draft: `form.draft_prefix`). Unchanged numbers of a saved record
    are not checked again (events and the consumer page check them)."""
    form.draft_prefix = None
    if form.instance.pk and getattr(form.instance, field_name) == number:
        return number
    standing = prefixes.standing(form.owner, number)
    if standing.status is None:
        raise forms.ValidationError(standing.reason)
    if standing.status == prefixes.PENDING:
        form.draft_prefix = standing.prefix
    return number


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["gln", "name", "name_en", "address"]

    def __init__(self, *args, owner: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.draft_prefix = None

    def clean_gln(self):
        try:
            gln = keys.validate_gln(self.cleaned_data["gln"].strip())
        except keys.InvalidKey as e:
            raise forms.ValidationError(e.message_vi) from None
        return _under_prefix(self, gln, "gln")


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
        self.draft_prefix = None
        self.fields["standards"].queryset = SupportContent.objects.filter(
            group__in=[SupportContent.Group.CONFORMITY, SupportContent.Group.SYSTEM])
        self.fields["certificates"].queryset = Certificate.objects.filter(enterprise=owner).select_related("standard")

    def clean_gtin(self):
        try:
            gtin = keys.validate_gtin(self.cleaned_data["gtin"].strip())
        except keys.InvalidKey as e:
            raise forms.ValidationError(e.message_vi) from None
        return _under_prefix(self, gtin, "gtin")

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


class PrefixForm(forms.ModelForm):
    """An enterprise declares a GS1 company prefix with its GS1 Vietnam certificate (pending until verified)."""

    class Meta:
        model = CompanyPrefix
        fields = ["prefix", "certificate_number", "valid_from", "valid_to", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, owner: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        for name in ("certificate_number", "valid_from", "valid_to"):  # the evidence an officer checks
            self.fields[name].required = True
        self.fields["note"].label = _("Ghi chú cho cán bộ")

    def clean_prefix(self):
        try:
            prefix = gs1_prefixes.validate_prefix(self.cleaned_data["prefix"])
        except keys.InvalidKey as e:
            raise forms.ValidationError(e.message_vi) from None
        if CompanyPrefix.objects.filter(enterprise=self.owner, prefix=prefix).exists():
            raise forms.ValidationError(_("Doanh nghiệp đã khai báo tiền tố này."))
        if CompanyPrefix.objects.filter(prefix=prefix, status=CompanyPrefix.Status.VERIFIED).exists():
            raise forms.ValidationError(_("Tiền tố này đã được xác minh cho một doanh nghiệp khác; nếu có nhầm lẫn, "
                                          "hãy liên hệ Sở Khoa học và Công nghệ."))
        return prefix

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
        return data


class VerifyPrefixForm(forms.Form):
    """What the officer checked on the certificate (prefilled with what the enterprise declared)."""

    certificate_number = forms.CharField(label=_("Số giấy chứng nhận quyền sử dụng mã số mã vạch"), max_length=80)
    valid_from = forms.DateField(label=_("Hiệu lực từ ngày"))
    valid_to = forms.DateField(label=_("Hiệu lực đến ngày"))
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
        return data


class RejectPrefixForm(forms.Form):
    note = forms.CharField(label=_("Lý do từ chối"), widget=forms.Textarea(attrs={"rows": 3}))


class RecallForm(forms.Form):
    """Lots of the enterprise's products that events name, why, and what consumers should do."""

    lots = forms.MultipleChoiceField(label=_("Các lô thu hồi"), widget=forms.CheckboxSelectMultiple)
    reason = forms.CharField(label=_("Lý do thu hồi"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    instructions = forms.CharField(label=_("Hướng dẫn cho người tiêu dùng"), max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("Hiện ở đầu trang sản phẩm khi người tiêu dùng quét mã, ví dụ: "
                                               "ngừng sử dụng, mang trả nơi mua để được hoàn tiền, số điện thoại."))
    instructions_en = forms.CharField(label=_("Hướng dẫn cho người tiêu dùng (tiếng Anh)"), max_length=2000,
                                      required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, choices: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = {f"{p.gtin}|{lot}": (p, lot) for p, lot in choices}
        self.fields["lots"].choices = [(k, f"{p.name} — {_('Lô')} {lot}") for k, (p, lot) in self.known.items()]

    def clean_lots(self):
        return [self.known[k] for k in self.cleaned_data["lots"]]


class EndRecallForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú khi kết thúc"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Ví dụ: đã thu về bao nhiêu, đã tiêu hủy ra sao."))


class ReportForm(forms.Form):
    """A consumer's report of a code that may be fake (public: no login)."""

    gtin = forms.CharField(max_length=14, widget=forms.HiddenInput)
    lot = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput)
    serial = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput)
    message = forms.CharField(label=_("Bạn thấy gì bất thường?"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label=_("Nơi mua (cửa hàng, địa chỉ, trang bán hàng)"), max_length=300, required=False)
    contact = forms.CharField(label=_("Số điện thoại hoặc thư điện tử để Sở liên hệ (không bắt buộc)"),
                              max_length=200, required=False)

    def clean_gtin(self):
        try:
            return keys.validate_gtin(self.cleaned_data["gtin"])
        except keys.InvalidKey as e:
            raise forms.ValidationError(e.message_vi) from None


class HandleReportForm(forms.Form):
    handling_note = forms.CharField(label=_("Ghi chú xử lý"), max_length=2000, required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
