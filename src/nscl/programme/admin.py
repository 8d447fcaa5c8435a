"""Reference data (documents, phases, targets, units, catalogue) is maintained by
administrators in Django's admin; every change there is audited like any other write."""
from django.contrib import admin
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from nscl.common.fields import format_number, number_formfield

from .models import CatalogueItem, Phase, ProgrammeDocument, Target, Unit

admin.site.site_header = "NSCL — quản trị"
admin.site.site_title = "NSCL"


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    """Targets of a published phase are changed only by an amendment citing its document (the phase's
    page, /phases/<phase>/targets/), so that their history is kept: here they are read-only."""

    list_display = ["code", "phase", "kind", "plan_min", "plan_max", "unit", "activity_kind", "responsible_unit"]
    list_filter = ["phase", "kind", "activity_kind", "responsible_unit"]
    search_fields = ["code", "description"]

    @admin.display(description=_("giá trị (tối thiểu)"), ordering="min_value")
    def plan_min(self, obj):
        return format_number(obj.min_value, get_language())

    @admin.display(description=_("giá trị tối đa"), ordering="max_value")
    def plan_max(self, obj):
        return format_number(obj.max_value, get_language()) or "—"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DecimalField):  # 20 and 1,5 as officers type them, not 20.00
            return number_formfield(db_field, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.phase.targets_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.phase.targets_published:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(CatalogueItem)
class CatalogueItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "reference", "edition", "valid_from", "valid_to"]
    list_filter = ["group"]
    search_fields = ["name", "reference"]


admin.site.register(ProgrammeDocument)
admin.site.register(Phase)
admin.site.register(Unit)
