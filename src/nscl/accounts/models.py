"""A user's profile: role, and the unit (partner) or enterprise (enterprise user) they act for."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị viên")
    OFFICER = "officer", _("Cán bộ chương trình")
    PARTNER = "partner", _("Đơn vị phối hợp")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    VIEWER = "viewer", _("Người xem")


class Profile(models.Model):
    """What a user may do: a role, and the unit or enterprise whose data they act for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    unit = models.ForeignKey("programme.Unit", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("đơn vị"))
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, null=True, blank=True, related_name="users",
        verbose_name=_("doanh nghiệp")
    )
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False)

    def __str__(self):
        return f"{self.user.username} ({self.get_role_display()})"
