"""The good-practice library: a case built from an accepted (or closed) support dossier, the
enterprise's consent to publish it (who, when, whether figures are public; revocable), the
indicators measured before and after, photos and documents. Nothing of a case is public without
an active consent (services.public_cases is the one rule)."""
import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from nscl.common.uploads import delete_file_on_commit
from nscl.enterprises.models import fold


class PracticeCase(models.Model):
    enterprise_tax_code_lookup = "dossier__enterprise__tax_code"  # roles.visible_enterprises

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang biên tập")
        PUBLISHED = "published", _("Đã công bố")

    dossier = models.OneToOneField("enterprises.Dossier", on_delete=models.PROTECT, related_name="practice_case",
                                   verbose_name=_("hồ sơ hỗ trợ"))
    title = models.CharField(_("tên điển hình"), max_length=300)
    summary = models.TextField(_("doanh nghiệp đã làm gì"))
    results = models.TextField(_("kết quả, bài học"), blank=True)
    model_enterprise = models.BooleanField(_("doanh nghiệp điển hình của Chương trình quốc gia"), default=False,
                                           help_text=_("Mô hình điểm được Chương trình 1322 công nhận"))
    model_reference = models.CharField(_("căn cứ công nhận điển hình"), max_length=300, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", editable=False)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("điển hình")
        verbose_name_plural = _("điển hình")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """The search string: words of the story, the enterprise, the tool and the consultant, without
        diacritics; never a figure (what a search can find is what the consent lets be public)."""
        d = self.dossier
        self.search_text = fold(" ".join([self.title, self.summary, self.results, d.enterprise.name,
                                          d.content.name, d.content.reference, d.provider]))[:1000]
        super().save(*args, **kwargs)

    @property
    def enterprise(self):
        return self.dossier.enterprise


class Consent(models.Model):
    """The enterprise's agreement to publish a case. One row per agreement: revoking closes it,
    agreeing again opens a new one, so the history stays."""

    enterprise_tax_code_lookup = "case__dossier__enterprise__tax_code"

    case = models.ForeignKey(PracticeCase, on_delete=models.CASCADE, related_name="consents")
    figures_public = models.BooleanField(
        _("công khai số liệu"), default=False,
        help_text=_("Chi phí, mức hỗ trợ, năng suất lao động và các chỉ số đo trước/sau"))
    basis = models.CharField(_("căn cứ"), max_length=300, blank=True,
                             help_text=_("Văn bản đồng ý của doanh nghiệp (bắt buộc khi cán bộ ghi nhận thay)"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("người ghi nhận"))
    given_at = models.DateTimeField(_("đồng ý lúc"))
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("người rút"))
    revoked_at = models.DateTimeField(_("rút lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["case"], condition=models.Q(revoked_at__isnull=True),
                                               name="one_active_consent_per_case")]
        verbose_name = _("sự đồng ý công khai")
        verbose_name_plural = _("sự đồng ý công khai")

    def __str__(self):
        return f"{self.case_id}: {self.given_at:%d/%m/%Y}"


class Indicator(models.Model):
    """A figure the case measured before and after (defect rate, energy per unit, lead time...)."""

    enterprise_tax_code_lookup = "case__dossier__enterprise__tax_code"

    case = models.ForeignKey(PracticeCase, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("chỉ số"), max_length=200)
    unit = models.CharField(_("đơn vị tính"), max_length=60)
    before = models.DecimalField(_("trước"), max_digits=20, decimal_places=4)
    after = models.DecimalField(_("sau"), max_digits=20, decimal_places=4)
    lower_is_better = models.BooleanField(_("càng thấp càng tốt"), default=True)
    period = models.CharField(_("thời điểm đo"), max_length=120, blank=True,
                              help_text=_("Ví dụ: quý I/2023 so với quý I/2024"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("chỉ số đo trước/sau")
        verbose_name_plural = _("chỉ số đo trước/sau")

    def __str__(self):
        return self.name

    @property
    def change_pct(self):
        """Change from before to after in per cent of before (None when before is 0)."""
        return float((self.after - self.before) / self.before * 100) if self.before else None

    @property
    def improved(self):
        if self.after == self.before:
            return None
        return (self.after < self.before) == self.lower_is_better


def case_file_path(instance, filename):
    ext = os.path.splitext(filename)[1].lower()
    return f"practices/{instance.case_id}/{uuid.uuid4().hex}{ext}"


PHOTO_EXTENSIONS = ("jpg", "jpeg", "png")


class CaseFile(models.Model):
    enterprise_tax_code_lookup = "case__dossier__enterprise__tax_code"

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Hình ảnh")
        DOCUMENT = "document", _("Tài liệu")

    case = models.ForeignKey(PracticeCase, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("tệp"), upload_to=case_file_path)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    caption = models.CharField(_("chú thích"), max_length=300, blank=True)
    is_public = models.BooleanField(_("công khai"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "uploaded_at", "pk"]
        verbose_name = _("hình ảnh, tài liệu")
        verbose_name_plural = _("hình ảnh, tài liệu")

    def __str__(self):
        return self.original_name

    def clean(self):
        ext = os.path.splitext(self.original_name or "")[1].lower().lstrip(".")
        if self.kind == self.Kind.PHOTO and ext not in PHOTO_EXTENSIONS:
            raise ValidationError({"file": _("Hình ảnh phải là tệp .jpg hoặc .png.")})


@receiver(post_delete, sender=CaseFile)
def _delete_case_file(sender, instance, **kwargs):
    delete_file_on_commit(instance.file)
