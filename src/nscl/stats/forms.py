"""Forms of the TFP pages; the whole series is validated by services.check_frame before anything is saved."""
from django import forms
from django.utils.translation import gettext_lazy as _l

from nscl.common.fields import FloatField

from nscl.productivity.growth import DEFAULT_ALPHA, DEFAULT_DEPRECIATION

from .models import TfpSeries


class SeriesForm(forms.ModelForm):
    class Meta:
        model = TfpSeries
        fields = ["name", "territory", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class RunForm(forms.Form):
    method = forms.ChoiceField(label=_l("Phương pháp"), choices=[("gso", _l("GSO (Tổng cục Thống kê)")), ("tornqvist", "Törnqvist (PWT)")],
                               initial="gso")
    # "0,38" as typed (common.fields)
    alpha = FloatField(label=_l("Tỷ trọng vốn α"), initial=DEFAULT_ALPHA, min_value=0.01, max_value=0.99)
    depreciation = FloatField(label=_l("Tỷ lệ khấu hao δ"), initial=DEFAULT_DEPRECIATION, min_value=0, max_value=0.5)
    base_year = forms.IntegerField(label=_l("Năm gốc chỉ số TFP"), required=False)
    periods = forms.CharField(label=_l("Giai đoạn"), required=False, help_text=_l("Ví dụ: 2011-2015,2016-2020"))
    adjusted_labour = forms.BooleanField(
        label=_l("Lao động điều chỉnh theo giờ làm việc và chất lượng lao động"), required=False,
        help_text=_l("Phương pháp GSO mặc định dùng số người có việc làm (chỉ tiêu chính thức); đánh dấu để nhân với "
                     "các cột hours, human_capital. Törnqvist luôn điều chỉnh."))


class ImportForm(forms.Form):
    file = forms.FileField(label=_l("Tệp CSV hoặc Excel"))
    confirm_drop = forms.BooleanField(label=_l("Đồng ý xóa các năm không có trong tệp"), required=False)


class PublishForm(forms.Form):
    year = forms.IntegerField(label=_l("Năm công bố"))


class NoteForm(forms.Form):
    year = forms.IntegerField(required=False)
    number = forms.CharField(required=False, max_length=60)
    signer = forms.CharField(required=False, max_length=120)
    signer_title = forms.CharField(required=False, max_length=120)


class ObservationForm(forms.Form):
    """One year typed in by hand; the whole series is re-validated before anything is saved."""

    year = forms.IntegerField(label=_l("Năm"), min_value=1900, max_value=2100)

    def __init__(self, *args, lang="vi", **kwargs):
        from .models import COLUMNS

        super().__init__(*args, **kwargs)
        for name, label, en, required in COLUMNS:
            self.fields[name] = FloatField(label=en if lang == "en" else label, required=required)
