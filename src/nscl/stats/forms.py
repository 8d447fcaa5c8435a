"""Forms of the TFP pages; the whole series is validated by services.check_frame before anything is saved."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
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


def default_publish_year(years, published):
    """The data year the publish menu offers first: the latest of `years` not yet published, else the
    latest (to republish it); None without years."""
    years = sorted(set(years))
    pending = [y for y in years if y not in set(published)]
    return (pending or years or [None])[-1]


class PublishForm(forms.Form):
    """A run's figure published for a data year, on the day it was published (carried out): that day
    decides the phase whose objective 6 the measurement counts toward (README, "Objective 6 across
    phases"); the figure belongs to its data year."""

    year = forms.TypedChoiceField(label=_l("Công bố làm số liệu chính thức cho năm"), coerce=int)
    published_on = forms.DateField(
        label=_l("Ngày công bố"), required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "class": "date"}),
        help_text=_l("Để trống: hôm nay khi công bố lần đầu, giữ ngày đã ghi khi công bố lại. Ghi ngày thật khi nhập "
                     "lại số liệu đã công bố trước đây: lần đo được tính vào năm của ngày này."))

    def __init__(self, *args, years=(), published=(), **kwargs):
        super().__init__(*args, **kwargs)
        done = set(published)
        self.fields["year"].choices = [(y, _("%(y)s (đã công bố)") % {"y": y} if y in done else str(y))
                                       for y in sorted(set(years), reverse=True)]
        self.fields["year"].initial = default_publish_year(years, published)
        self.fields["year"].error_messages["invalid_choice"] = _(
            "Năm “%(value)s” không có tỷ trọng TFP trong lần tính này; chọn một năm trong danh sách.")
        self.fields["published_on"].error_messages["invalid"] = _("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy.")

    def clean(self):
        cd = super().clean()
        year, day = cd.get("year"), cd.get("published_on")
        if day is not None and day > timezone.localdate():
            self.add_error("published_on", _("Ngày công bố %(d)s chưa đến.") % {"d": day.strftime("%d/%m/%Y")})
        elif day is not None and year is not None and day.year < year:
            self.add_error("published_on", _("Số liệu năm %(y)s không thể công bố ngày %(d)s, trước khi năm đó bắt đầu.")
                           % {"y": year, "d": day.strftime("%d/%m/%Y")})
        return cd


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
