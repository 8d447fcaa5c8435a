"""Price deflator series (one index per year, base year = 100) that turn the registry's nominal đồng
into real values for the impact page. Entered like the TFP series: by hand (year and index lines)
or from a two-column table, with their source.

A deflator common to every enterprise moves each year's log values by the same amount, so it does
not change a difference-in-differences estimate on a log outcome; it changes the levels shown and,
through the production function, firm TFP."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class DeflatorSeries(models.Model):
    name = models.CharField(_("tên chỉ số giảm phát"), max_length=200)
    base_year = models.PositiveIntegerField(_("năm gốc (chỉ số = 100)"))
    source = models.CharField(_("nguồn"), max_length=300)
    note = models.TextField(_("ghi chú"), blank=True)
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("chỉ số giảm phát")
        verbose_name_plural = _("chỉ số giảm phát")  # Vietnamese nouns have no plural form

    def __str__(self):
        return self.name

    def factors(self) -> dict[int, float]:
        """Year → index / 100: a nominal value divided by it is in the base year's prices."""
        return {v.year: v.index / 100 for v in self.values.all()}


class DeflatorValue(models.Model):
    series = models.ForeignKey(DeflatorSeries, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveIntegerField(_("năm"))
    index = models.FloatField(_("chỉ số (năm gốc = 100)"), validators=[MinValueValidator(0.001)])

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="unique_deflator_year"),
                       models.CheckConstraint(condition=models.Q(index__gt=0), name="deflator_index_positive")]
        verbose_name = _("chỉ số giảm phát một năm")
        verbose_name_plural = _("chỉ số giảm phát một năm")

    def __str__(self):
        return f"{self.series.name} {self.year}: {self.index:g}"


@transaction.atomic
def create_series(*, name: str, base_year: int, source: str, note: str, values: dict[int, float],
                  user) -> DeflatorSeries:
    """A new series with its values (year → index), whole or not at all; each row in the audit log."""
    series = DeflatorSeries.objects.create(name=name, base_year=base_year, source=source, note=note,
                                           created_by=user)
    for year, index in sorted(values.items()):
        DeflatorValue.objects.create(series=series, year=year, index=index)
    return series


@transaction.atomic
def replace_values(series: DeflatorSeries, values: dict[int, float]) -> None:
    """The series' values replaced as a whole (year → index); each change in the audit log."""
    for v in series.values.all():
        v.delete()
    for year, index in sorted(values.items()):
        DeflatorValue.objects.create(series=series, year=year, index=index)
