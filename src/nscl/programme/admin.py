"""Reference data (documents, phases, targets, units, catalogue) is maintained by
administrators in Django's admin; every change there is audited like any other write."""
from django.contrib import admin

from .models import CatalogueItem, Phase, ProgrammeDocument, Target, Unit

admin.site.site_header = "NSCL — quản trị"
admin.site.site_title = "NSCL"


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["code", "phase", "kind", "min_value", "max_value", "unit", "activity_kind", "responsible_unit"]
    list_filter = ["phase", "kind", "activity_kind", "responsible_unit"]
    search_fields = ["code", "description"]


@admin.register(CatalogueItem)
class CatalogueItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "reference", "edition", "valid_from", "valid_to"]
    list_filter = ["group"]
    search_fields = ["name", "reference"]


admin.site.register(ProgrammeDocument)
admin.site.register(Phase)
admin.site.register(Unit)
