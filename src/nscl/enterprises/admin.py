from django.contrib import admin

from .dossiers import Certificate, Dossier, DossierStep
from .models import Contact, Enterprise, IndustryCode, SupportContent, SupportRule, YearlyFigures


class IndustryInline(admin.TabularInline):
    model = IndustryCode
    extra = 0


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["tax_code", "name", "ownership", "sector_group", "size_class", "is_demo"]
    search_fields = ["tax_code", "name", "search_text"]
    list_filter = ["ownership", "sector_group", "size_class", "is_demo"]
    raw_id_fields = ["commune", "parent"]
    readonly_fields = ["size_class", "size_year", "size_rule"]
    inlines = [IndustryInline, ContactInline]


@admin.register(SupportContent)
class SupportContentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "reference", "edition", "certifiable"]
    list_filter = ["group"]


@admin.register(SupportRule)
class SupportRuleAdmin(admin.ModelAdmin):
    """The support levels are data: officers set them from the province's resolution."""
    list_display = ["content", "valid_from", "valid_to", "share_pct", "cap", "legal_basis"]
    list_filter = ["content__group"]


class StepInline(admin.TabularInline):
    model = DossierStep
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "from_status", "to_status", "by", "at", "notes"]


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Read here; the status changes only through the dossier page (workflow, permission-checked)."""
    list_display = ["title", "enterprise", "content", "status", "approved_amount"]
    list_filter = ["status", "content"]
    raw_id_fields = ["enterprise"]
    inlines = [StepInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Dossier._meta.fields]


admin.site.register(YearlyFigures, list_display=["enterprise", "year", "revenue", "employees"], raw_id_fields=["enterprise"])
admin.site.register(Certificate, list_display=["number", "standard", "enterprise", "issued_on", "expires_on"],
                    raw_id_fields=["enterprise", "dossier"])
