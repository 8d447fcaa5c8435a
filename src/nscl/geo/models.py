"""Administrative units with validity dates (old units end on 30/06/2025, new ones start on 01/07/2025) and their succession."""
import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

MERGER_DATE = datetime.date(2025, 7, 1)


class AdministrativeUnit(models.Model):
    """A province, district or commune valid between two dates.

    Codes are reused across the 1 July 2025 reform (new Hưng Yên is 33 like the old one; new
    communes take a former commune's code), so a unit is keyed by (level, code, valid_from).
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh/Thành phố")
        DISTRICT = "district", _("Huyện/Quận")
        COMMUNE = "commune", _("Xã/Phường")

    code = models.CharField(_("mã"), max_length=10)
    name = models.CharField(_("tên"), max_length=120)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    unit_type = models.CharField(_("loại"), max_length=40, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    formed_from = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="successors", through="UnitSuccession",
        through_fields=("successor", "predecessor"),
    )
    formed_from_text = models.TextField(_("hình thành từ"), blank=True)

    audit_skip = True  # reference data, loaded by `nscl init`

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "code", "valid_from"], name="unique_unit_version")]
        ordering = ["level", "name"]
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")  # Vietnamese nouns have no plural form

    def __str__(self):
        if self.parent_id and self.level != self.Level.PROVINCE:
            return f"{self.name}, {self.parent.name}"
        return self.name

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def province(self):
        unit = self
        while unit.parent_id is not None:
            unit = unit.parent
        return unit

    def current_province(self):
        """The province this unit belongs to after the 2025 reform (itself when still valid)."""
        province = self.province
        if province.valid_to is None:
            return province
        successor = province.successors.filter(valid_to__isnull=True).first()
        return successor or province

    def current_communes(self):
        """New communes (from 1 July 2025) formed from this former commune, wholly or in part."""
        if self.valid_to is None:
            return [self]
        return list(self.successors.filter(valid_to__isnull=True))


class UnitSuccession(models.Model):
    successor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+")
    predecessor = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+")
    partial = models.BooleanField(_("một phần"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["successor", "predecessor"], name="unique_succession")]
        verbose_name = _("liên kết sáp nhập")
        verbose_name_plural = _("liên kết sáp nhập")


def units_valid_on(day: datetime.date, level=None):
    """The units in force on `day`: the old communes and districts before the merger of 1/7/2025,
    the new two-level units from it (where a record's place is chosen, e.g. the demo's locations)."""
    qs = AdministrativeUnit.objects.filter(
        models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day),
        models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day),
    )
    return qs.filter(level=level) if level else qs
