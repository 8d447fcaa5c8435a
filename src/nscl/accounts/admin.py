from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User

from .models import Profile


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


class NsclUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "last_name", "is_active", "role"]

    @admin.display(description="vai trò")
    def role(self, obj):
        return getattr(getattr(obj, "profile", None), "role", "—")


admin.site.unregister(User)
admin.site.register(User, NsclUserAdmin)
admin.site.unregister(Group)
