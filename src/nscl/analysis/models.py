import os

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AnalysisJob(models.Model):
    """An estimation on an uploaded panel, run in a background process with progress and cancel."""

    class Kind(models.TextChoices):
        FIRM_TFP = "firm_tfp", _("TFP doanh nghiệp (hàm sản xuất)")
        IMPACT = "impact", _("Tác động của hỗ trợ (DiD so le)")

    class Status(models.TextChoices):
        NEW = "new", _("Chờ chọn cột")
        QUEUED = "queued", _("Đang chờ chạy")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")
        CANCELLED = "cancelled", _("Đã hủy")

    kind = models.CharField(_("loại phân tích"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("tên"), max_length=200)
    input_file = models.FileField(_("tệp số liệu"), upload_to="analysis/")
    columns = models.JSONField(_("các cột"), default=list)
    n_rows = models.PositiveIntegerField(_("số dòng"), default=0)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.NEW)
    progress = models.FloatField(_("tiến độ"), default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    result = models.JSONField(_("kết quả"), null=True, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    pid = models.IntegerField(null=True, blank=True)
    # the worker's lease: renewed every few seconds while it lives (runner.LEASE_SECONDS)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("phân tích")
        verbose_name_plural = _("phân tích")  # Vietnamese nouns have no plural form

    def copy_for_rerun(self, user) -> "AnalysisJob":
        """A new job on the same stored input file, its parameters copied (to start the form
        from): re-running keeps this job and its results."""
        return AnalysisJob.objects.create(kind=self.kind, title=self.title, input_file=self.input_file.name,
                                          columns=self.columns, n_rows=self.n_rows, params=dict(self.params or {}),
                                          created_by=user)

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def display_title(self) -> str:
        """The title in the reader's language: a registry estimate's is made again from its parameters
        (the stored one is Vietnamese); an uploaded panel's is the name its user gave."""
        from .support_impact import job_title

        return job_title(self.params) or self.title

    @property
    def active(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def tfp_path(self) -> str:
        """The firm-year TFP table the worker writes next to the input (the one place its name is made)."""
        return os.path.join(os.path.dirname(self.input_file.path), f"job-{self.pk}-tfp.csv")
