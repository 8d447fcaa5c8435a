"""A notification to one user (shown in the inbox, e-mailed, or both, as the user chose) and each
user's choice per kind. The text is not stored: `kind` + `params` are rendered in the reader's
language when shown (nscl.notifications.kinds)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    NONE = "", _("không gửi thư")
    PENDING = "pending", _("chờ gửi")
    SENDING = "sending", _("đang gửi")
    SENT = "sent", _("đã gửi")
    FAILED = "failed", _("gửi không được")
    SKIPPED = "skipped", _("bỏ qua")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("người nhận"))
    kind = models.CharField(_("loại"), max_length=40)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    # the same event told once per user however often the caller asks (a daily reminder run twice)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    in_app = models.BooleanField(_("trong hệ thống"), default=True)  # False: only e-mailed (the user's choice)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    email_to = models.CharField(_("gửi tới"), max_length=254, blank=True)
    email_status = models.CharField(_("thư điện tử"), max_length=10, choices=EmailStatus.choices, blank=True,
                                    default=EmailStatus.NONE)
    email_at = models.DateTimeField(_("gửi thư lúc"), null=True, blank=True)  # sent, or the failed attempt
    email_error = models.TextField(_("lỗi gửi thư"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        constraints = [models.UniqueConstraint(fields=["user", "dedupe_key"], condition=Q(dedupe_key__isnull=False),
                                               name="notification_once_per_key")]
        indexes = [
            # the header's unread count: one index-only lookup per page
            models.Index(fields=["user"], condition=Q(read_at__isnull=True, in_app=True), name="notification_unread_idx"),
            models.Index(fields=["user", "-created_at"], name="notification_inbox_idx"),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """A user's choice for one kind; no row means both on (the default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences",
                             verbose_name=_("người dùng"))
    kind = models.CharField(_("loại"), max_length=40)
    in_app = models.BooleanField(_("trong hệ thống"), default=True)
    email = models.BooleanField(_("thư điện tử"), default=True)

    class Meta:
        verbose_name = _("lựa chọn nhận thông báo")
        verbose_name_plural = _("lựa chọn nhận thông báo")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self):
        return f"{self.user_id}: {self.kind}"
