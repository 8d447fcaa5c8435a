"""An audit entry: the acting user, the action and the object's fields before and after."""
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _


COMMON_FIELD_LABELS = {
    "created_at": _("tạo lúc"), "updated_at": _("sửa lúc"), "created_by": _("người tạo"),
    "confirmed_by": _("người xác nhận"), "published_by": _("người công bố"), "published_at": _("công bố lúc"),
    "uploaded_by": _("người tải lên"), "uploaded_at": _("tải lên lúc"), "finished_at": _("xong lúc"),
    "version": _("phiên bản"), "submission_token": _("mã gửi biểu mẫu"), "order": _("thứ tự"),
    "is_demo": _("dữ liệu minh họa"), "activity_ptr": _("hoạt động"), "from_status": _("từ trạng thái"),
    "to_status": _("sang trạng thái"), "progress_note": _("ghi chú tiến độ"), "pid": _("mã tiến trình"),
}


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]  # str.capitalize would lower "TFP" to "tfp"


class AuditEntry(models.Model):
    """Who changed which object when, with its values before and after. Never edited."""

    class Action(models.TextChoices):
        CREATE = "create", _("Tạo")
        UPDATE = "update", _("Sửa")
        DELETE = "delete", _("Xóa")
        CONFIRM = "confirm", _("Xác nhận")
        REOPEN = "reopen", _("Mở lại")

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("người thực hiện"))
    username = models.CharField(_("tên đăng nhập"), max_length=150, blank=True)
    action = models.CharField(_("hành động"), max_length=10, choices=Action.choices, db_index=True)
    model = models.CharField(_("loại đối tượng"), max_length=100, db_index=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, db_index=True)
    object_repr = models.CharField(_("đối tượng"), max_length=300)
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField(_("sau"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("mục nhật ký")
        verbose_name_plural = _("mục nhật ký")  # Vietnamese nouns have no plural form

    def _model_class(self):
        try:
            return apps.get_model(self.model)
        except (LookupError, ValueError):
            return None

    @property
    def model_name(self) -> str:
        """What the object is, in words ("Lớp tập huấn"), not its code ("programme.TrainingClass")."""
        cls = self._model_class()
        return _first_upper(str(cls._meta.verbose_name)) if cls else self.model

    def field_label(self, name: str) -> str:
        """The field's label; for fields declared without one (bookkeeping, links), a common label
        or the linked model's name, never Django's English default."""
        cls = self._model_class()
        try:
            field = cls._meta.get_field(name) if cls else None
        except FieldDoesNotExist:
            field = None
        if field is None:
            return str(COMMON_FIELD_LABELS.get(name, name))
        label = field.verbose_name
        if str(label) == name.replace("_", " "):  # Django's default: no label was declared
            if name in COMMON_FIELD_LABELS:
                label = COMMON_FIELD_LABELS[name]
            elif field.is_relation and field.related_model is not None:
                label = field.related_model._meta.verbose_name
        return _first_upper(str(label))

    def changed_fields(self):
        """(field name, before, after) of every field that changed."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]

    def changed_rows(self):
        """The same, with the field's label, for people."""
        return [(self.field_label(k), b, a) for k, b, a in self.changed_fields()]
