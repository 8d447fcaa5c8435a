from django.contrib import admin

from .models import CaseFile, Consent, Indicator, PracticeCase


class ConsentInline(admin.TabularInline):
    """The consent history is read here, written only through the library's pages (roles decide)."""
    model = Consent
    extra = 0
    can_delete = False
    readonly_fields = ["figures_public", "basis", "given_by", "given_at", "revoked_by", "revoked_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PracticeCase)
class PracticeCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "model_enterprise", "is_demo"]
    list_filter = ["status", "model_enterprise", "is_demo"]
    search_fields = ["title", "dossier__enterprise__name", "dossier__enterprise__tax_code"]
    raw_id_fields = ["dossier"]
    inlines = [ConsentInline]


admin.site.register(Indicator)
admin.site.register(CaseFile)
