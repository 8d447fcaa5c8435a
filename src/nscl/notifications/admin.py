from django.contrib import admin

from .models import Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: what was sent to whom and how the e-mail went (a message is never edited after the fact)."""

    list_display = ("created_at", "user", "kind", "in_app", "read_at", "email_status", "email_at")
    list_filter = ("kind", "email_status", "in_app")
    search_fields = ("user__username", "email_to", "dedupe_key")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "in_app", "email")
    list_filter = ("kind",)
    search_fields = ("user__username",)
