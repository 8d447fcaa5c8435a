"""TFP series (one row per year, each column with its source), runs and publications."""
from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from nscl.common.formatting import english, fmt_decimal

COLUMNS = [
    # name, Vietnamese label, English label, required (a label may end with its default unit, as the
    # entry form shows it; a table heads the column with the label less that unit, then the unit)
    ("output", "GRDP giá so sánh", "GRDP at constant prices", True),
    ("capital", "Vốn (tài sản cố định)", "Capital stock", False),
    ("investment", "Vốn đầu tư thực hiện", "Realised investment", False),
    ("investment_price_index", "Chỉ số giá đầu tư (năm gốc = 100)", "Investment price index (base = 100)", False),
    ("labour", "Lao động có việc làm", "Employed persons", True),
    ("labour_share", "Tỷ trọng thu nhập lao động (0-1)", "Labour share (0-1)", False),
    ("hours", "Giờ làm việc bình quân", "Average hours", False),
    ("human_capital", "Chỉ số chất lượng lao động", "Labour quality index", False),
    ("trained_share", "Tỷ lệ lao động qua đào tạo (%)", "Trained share of the workforce (%)", False),
]

# the unit of each column in a provincial series (statistical yearbook); a series may say otherwise
# in TfpSeries.units (the PWT reference series is in USD and millions of persons)
DEFAULT_UNITS = {"output": ("triệu đồng", "million VND"), "capital": ("triệu đồng", "million VND"),
                 "investment": ("triệu đồng", "million VND"), "investment_price_index": ("năm gốc = 100", "base = 100"),
                 "labour": ("người", "persons"), "labour_share": ("0-1", "0-1"), "hours": ("giờ/năm", "hours/year"),
                 "human_capital": ("chỉ số", "index"), "trained_share": ("%", "%")}


def parameter_text(value, lang=None) -> str:
    """A run's parameter (α, δ, 1 − α) as it was typed, without trailing zeros ("0,38", "0,3", "0,05"),
    in `lang` (the active language when None): a decimal comma in Vietnamese, a point in English."""
    lang = lang or get_language()
    text = fmt_decimal(None if value is None else round(float(value), 6), 6, lang)
    sep = "." if english(lang) else ","
    return text.rstrip("0").rstrip(sep) if sep in text else text


def _without_unit(label: str, unit: str) -> str:
    """`label` less a trailing "(unit)": "Tỷ lệ lao động qua đào tạo (%)" → "Tỷ lệ lao động qua đào tạo"."""
    suffix = f" ({unit})"
    return label[:-len(suffix)] if unit and label.endswith(suffix) else label


class TfpSeries(models.Model):
    """A yearly provincial (or national) series with the source of each column."""

    class Territory(models.TextChoices):
        HY_OLD = "hy_old", _("Tỉnh Hưng Yên trước 01/07/2025 (chưa hợp nhất)")
        HY_NEW = "hy_new", _("Tỉnh Hưng Yên từ 01/07/2025 (gồm Thái Bình cũ)")
        HY_NEW_BACKCAST = "hy_new_backcast", _("Tỉnh Hưng Yên mới, số liệu quá khứ cộng gộp Hưng Yên + Thái Bình")
        NATIONAL = "national", _("Toàn quốc")

    name = models.CharField(_("tên chuỗi số liệu"), max_length=200)
    territory = models.CharField(_("phạm vi lãnh thổ"), max_length=20, choices=Territory.choices)
    sources = models.JSONField(_("nguồn số liệu theo cột"), default=dict, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    units = models.JSONField(_("đơn vị tính theo cột"), default=dict, blank=True,
                             help_text=_("Để trống: đơn vị mặc định (GRDP, vốn: triệu đồng; lao động: người)"))
    is_reference = models.BooleanField(_("số liệu tham chiếu"), default=False, editable=False)
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_reference", "name"]
        verbose_name = _("chuỗi số liệu TFP")
        verbose_name_plural = _("chuỗi số liệu TFP")  # Vietnamese nouns have no plural form

    def __str__(self):
        return self.name

    def unit_of(self, column: str, lang: str = "vi") -> str:
        if column in self.units:
            return self.units[column]
        vi, en = DEFAULT_UNITS.get(column, ("", ""))
        return en if lang == "en" else vi

    def columns(self, lang: str = "vi"):
        """(column, label, unit, unit typed for this series) in the interface's language; the label
        without the default unit it may carry, which the unit says (once)."""
        out = []
        for c, vi, en, _req in COLUMNS:
            default = DEFAULT_UNITS.get(c, ("", ""))[1 if lang == "en" else 0]
            out.append((c, _without_unit(en if lang == "en" else vi, default), self.unit_of(c, lang), c in self.units))
        return out

    def frame(self):
        import pandas as pd

        rows = list(self.observations.order_by("year").values("year", *[c for c, *_ in COLUMNS]))
        df = pd.DataFrame(rows)
        if df.empty:
            return df
        return df.dropna(axis=1, how="all").drop(columns=["trained_share"], errors="ignore")


class TfpObservation(models.Model):
    series = models.ForeignKey(TfpSeries, on_delete=models.CASCADE, related_name="observations")
    year = models.PositiveIntegerField(_("năm"))
    output = models.FloatField(_("GRDP giá so sánh"))
    capital = models.FloatField(_("vốn"), null=True, blank=True)
    investment = models.FloatField(_("vốn đầu tư thực hiện"), null=True, blank=True)
    investment_price_index = models.FloatField(_("chỉ số giá đầu tư"), null=True, blank=True)
    labour = models.FloatField(_("lao động có việc làm"))
    labour_share = models.FloatField(_("tỷ trọng thu nhập lao động"), null=True, blank=True)
    hours = models.FloatField(_("giờ làm việc"), null=True, blank=True)
    human_capital = models.FloatField(_("chỉ số chất lượng lao động"), null=True, blank=True)
    trained_share = models.FloatField(_("tỷ lệ lao động qua đào tạo (%)"), null=True, blank=True)

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="unique_series_year")]
        verbose_name = _("số liệu TFP một năm")
        verbose_name_plural = _("số liệu TFP một năm")

    def __str__(self):
        return f"Chuỗi số liệu TFP {self.series.name}, năm {self.year}"


class TfpRun(models.Model):
    """One computation, kept with its inputs, parameters and results so it can be reproduced."""

    series = models.ForeignKey(TfpSeries, on_delete=models.PROTECT, related_name="runs")
    method = models.CharField(_("phương pháp"), max_length=10, choices=[("gso", "GSO"), ("tornqvist", "Törnqvist")])
    alpha = models.FloatField(_("tỷ trọng vốn α"))
    depreciation = models.FloatField(_("tỷ lệ khấu hao δ"))
    base_year = models.PositiveIntegerField(_("năm gốc"), null=True, blank=True)
    periods = models.CharField(_("giai đoạn"), max_length=200, blank=True)
    inputs = models.JSONField(_("số liệu đầu vào"))
    sources = models.JSONField(_("nguồn"), default=dict)
    territory = models.CharField(_("phạm vi lãnh thổ"), max_length=20)
    results = models.JSONField(_("kết quả"))
    sensitivity = models.JSONField(_("độ nhạy"), default=list)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name=_("người chạy"))
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lần tính TFP")
        verbose_name_plural = _("lần tính TFP")  # Vietnamese nouns have no plural form

    def __str__(self):
        return f"#{self.pk} {self.series} ({self.get_method_display()}, α={parameter_text(self.alpha)})"

    def year_result(self, year):
        return next((y for y in self.results["years"] if y["year"] == year), None)


class TfpPublication(models.Model):
    """The run whose figure is the published one for a year; it counts toward the plan's TFP target."""

    year = models.PositiveIntegerField(_("năm"), unique=True)
    run = models.ForeignKey(TfpRun, on_delete=models.PROTECT, related_name="publications")
    activity = models.OneToOneField("programme.TfpMeasurement", null=True, on_delete=models.SET_NULL, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("số liệu TFP công bố")
        verbose_name_plural = _("số liệu TFP công bố")  # Vietnamese nouns have no plural form

    def __str__(self):
        return f"TFP {self.year}: run #{self.run_id}"


from .deflators import DeflatorSeries, DeflatorValue  # noqa: E402,F401
