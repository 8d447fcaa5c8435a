"""Support dossiers (application → appraisal → approval → implementation → acceptance → closed, or
rejected / withdrawn), the steps that moved them, their attachments, and certificates.
The allowed moves are in workflow.py; who may make them in accounts/roles.py."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from nscl.common.uploads import delete_file_on_commit

from .models import MONEY, Enterprise, SupportContent, SupportRule, attachment_path


class Status(models.TextChoices):
    APPLIED = "applied", _("Đã nộp hồ sơ")
    APPRAISED = "appraised", _("Đã thẩm định")
    APPROVED = "approved", _("Đã phê duyệt")
    IMPLEMENTING = "implementing", _("Đang thực hiện")
    ACCEPTED = "accepted", _("Đã nghiệm thu")
    CLOSED = "closed", _("Đã kết thúc")
    REJECTED = "rejected", _("Không phê duyệt")
    WITHDRAWN = "withdrawn", _("Đã rút hồ sơ")


# What the programme counts as supported (objective 5, MT5; the support impact's treated): an
# enterprise is supported in the year its dossier was accepted (nghiệm thu); a closed dossier was
# accepted first. The one definition: services, analysis and practices import it from here.
COUNTED = (Status.ACCEPTED, Status.CLOSED)

# from approval on, the amounts are those of the decision
LOCKED = {Status.APPROVED, Status.IMPLEMENTING, Status.ACCEPTED, Status.CLOSED}
LOCKED_FIELDS = ("total_cost", "requested_amount", "approved_amount", "rule_id")


class Dossier(models.Model):
    enterprise_tax_code_lookup = "enterprise__tax_code"
    Status = Status

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="dossiers",
                                   verbose_name=_("doanh nghiệp"))
    content = models.ForeignKey(SupportContent, on_delete=models.PROTECT, related_name="dossiers",
                                verbose_name=_("nội dung hỗ trợ"))
    title = models.CharField(_("tên nhiệm vụ hỗ trợ"), max_length=300)
    status = models.CharField(_("trạng thái"), max_length=15, choices=Status.choices, default=Status.APPLIED,
                              db_index=True)
    applied_on = models.DateField(_("ngày nộp"))
    total_cost = models.DecimalField(_("tổng chi phí dự kiến (đ)"), **MONEY)
    requested_amount = models.DecimalField(_("kinh phí đề nghị hỗ trợ (đ)"), **MONEY)
    proposed_amount = models.DecimalField(_("mức đề xuất sau thẩm định (đ)"), null=True, blank=True, **MONEY)
    approved_amount = models.DecimalField(_("mức hỗ trợ được duyệt (đ)"), null=True, blank=True, **MONEY)
    paid_amount = models.DecimalField(_("kinh phí đã thanh toán (đ)"), null=True, blank=True, **MONEY)
    rule = models.ForeignKey(SupportRule, null=True, blank=True, on_delete=models.PROTECT,
                             verbose_name=_("quy định mức hỗ trợ áp dụng"))
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_body = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    provider = models.CharField(_("tổ chức tư vấn / chứng nhận"), max_length=250, blank=True)
    contract_number = models.CharField(_("số hợp đồng"), max_length=60, blank=True)
    contract_date = models.DateField(_("ngày hợp đồng"), null=True, blank=True)
    accepted_on = models.DateField(_("ngày nghiệm thu"), null=True, blank=True)
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False)
    # the application form's one-time key: the same form posted again (a double click, parallel
    # posts) finds this dossier instead of making another; imported and demo dossiers have none
    submission_key = models.UUIDField(_("mã biểu mẫu nộp"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-applied_on", "-pk"]
        indexes = [models.Index(fields=["enterprise", "status"], name="dossier_ent_status_idx")]
        verbose_name = _("hồ sơ hỗ trợ")
        verbose_name_plural = _("hồ sơ hỗ trợ")

    def __str__(self):
        return f"{self.title} — {self.enterprise.name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            old = type(self).objects.filter(pk=self.pk).values("status", *LOCKED_FIELDS).first()
            if old and old["status"] in LOCKED:
                changed = [f for f in LOCKED_FIELDS if old[f] != getattr(self, f)]
                if changed:
                    raise ValidationError(_("Hồ sơ đã được phê duyệt: không sửa được kinh phí đã duyệt."))
        super().save(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED


class DossierStep(models.Model):
    """One move of a dossier: who, when, from which status to which, with notes."""

    enterprise_tax_code_lookup = "dossier__enterprise__tax_code"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    transition = models.CharField(_("bước"), max_length=20)
    from_status = models.CharField(max_length=15, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                           verbose_name=_("người thực hiện"))
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    notes = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("bước xử lý hồ sơ")

    def __str__(self):
        return f"{self.dossier_id}: {self.from_status} → {self.to_status}"


class DossierAttachment(models.Model):
    enterprise_tax_code_lookup = "dossier__enterprise__tax_code"

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    step = models.ForeignKey(DossierStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    file = models.FileField(_("tệp"), upload_to=attachment_path)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    description = models.CharField(_("mô tả"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("tệp minh chứng")

    def __str__(self):
        return self.original_name


@receiver(post_delete, sender=DossierAttachment)
def _delete_attachment_file(sender, instance, **kwargs):
    delete_file_on_commit(instance.file)


class Certificate(models.Model):
    enterprise_tax_code_lookup = "enterprise__tax_code"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="certificates",
                                   verbose_name=_("doanh nghiệp"))
    standard = models.ForeignKey(SupportContent, on_delete=models.PROTECT, related_name="certificates",
                                 verbose_name=_("tiêu chuẩn"))
    number = models.CharField(_("số chứng chỉ"), max_length=80)
    body = models.CharField(_("tổ chức chứng nhận"), max_length=250)
    issued_on = models.DateField(_("ngày cấp"))
    expires_on = models.DateField(_("ngày hết hạn"), null=True, blank=True, db_index=True)
    scope = models.TextField(_("phạm vi"), blank=True)
    dossier = models.ForeignKey(Dossier, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates",
                                verbose_name=_("hồ sơ hỗ trợ"))

    class Meta:
        ordering = ["-issued_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["standard", "body", "number"], name="unique_certificate")]
        indexes = [models.Index(fields=["standard", "issued_on"], name="cert_standard_year_idx")]
        verbose_name = _("chứng chỉ")

    def __str__(self):
        return f"{self.standard} — {self.number}"

    def clean(self):
        if self.expires_on and self.issued_on and self.expires_on < self.issued_on:
            raise ValidationError({"expires_on": _("Ngày hết hạn phải sau ngày cấp.")})
