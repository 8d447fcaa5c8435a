"""The enterprise registry: enterprises (by tax code), their industry codes (version, code), contacts,
yearly figures; the support catalogue and its dated amount rules; support dossiers with their steps
and attachments; certificates. It took over the programme's Organisation list and its support
register (migrations enterprises 0003, accounts 0002, programme 0004)."""
import os
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from nscl.common.formatting import english

from . import size as sizes
from . import vsic

MONEY = dict(max_digits=18, decimal_places=0, validators=[MinValueValidator(0)])


def fold(text: str) -> str:
    """Lower case without diacritics (đ → d): what a name search compares."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in text if unicodedata.category(c) != "Mn").lower().split())


class Ownership(models.TextChoices):
    STATE = "state", _("Nhà nước")
    PRIVATE = "private", _("Tư nhân")
    FDI = "fdi", _("Có vốn đầu tư nước ngoài")
    COOPERATIVE = "cooperative", _("Hợp tác xã")
    OTHER = "other", _("Khác")


class LegalForm(models.TextChoices):
    LLC_ONE = "llc1", _("Công ty TNHH một thành viên")
    LLC = "llc", _("Công ty TNHH hai thành viên trở lên")
    JSC = "jsc", _("Công ty cổ phần")
    PARTNERSHIP = "partnership", _("Công ty hợp danh")
    PRIVATE = "private", _("Doanh nghiệp tư nhân")
    COOPERATIVE = "cooperative", _("Hợp tác xã")
    BRANCH = "branch", _("Chi nhánh, đơn vị phụ thuộc")
    OTHER = "other", _("Khác")


class SectorGroup(models.TextChoices):
    AGRICULTURE = sizes.AGRICULTURE, _("Nông nghiệp, lâm nghiệp, thủy sản")
    INDUSTRY = sizes.INDUSTRY, _("Công nghiệp, xây dựng")
    TRADE = sizes.TRADE, _("Thương mại, dịch vụ")


class SizeClass(models.TextChoices):
    MICRO = sizes.MICRO, _("Siêu nhỏ")
    SMALL = sizes.SMALL, _("Nhỏ")
    MEDIUM = sizes.MEDIUM, _("Vừa")
    LARGE = sizes.LARGE, _("Lớn")


class Enterprise(models.Model):
    """An enterprise or a branch (13-digit tax code, parent = the 10-digit one)."""

    enterprise_tax_code_lookup = "tax_code"  # what roles.visible_enterprises filters on

    tax_code = models.CharField(_("mã số thuế"), max_length=14, unique=True)
    name = models.CharField(_("tên doanh nghiệp"), max_length=250)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=250, blank=True)
    legal_form = models.CharField(_("loại hình"), max_length=20, choices=LegalForm.choices, default=LegalForm.OTHER)
    ownership = models.CharField(_("sở hữu"), max_length=20, choices=Ownership.choices, default=Ownership.PRIVATE)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    commune = models.ForeignKey("geo.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("xã/phường"))
    registered_on = models.DateField(_("ngày đăng ký / ngày ghi nhận"), null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="branches",
                               verbose_name=_("doanh nghiệp mẹ"))
    sector_group = models.CharField(_("nhóm lĩnh vực"), max_length=30, choices=SectorGroup.choices,
                                    default=SectorGroup.INDUSTRY)
    # the latest year's size class (Decree 80), refreshed when yearly figures are saved: lists filter on it
    size_class = models.CharField(_("quy mô"), max_length=10, choices=SizeClass.choices, blank=True, db_index=True)
    size_year = models.PositiveIntegerField(_("năm xác định quy mô"), null=True, blank=True)
    size_rule = models.CharField(_("căn cứ xác định quy mô"), max_length=400, blank=True)
    search_text = models.CharField(_("chuỗi tìm kiếm"), max_length=520, blank=True, editable=False)
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "tax_code"]
        verbose_name = _("doanh nghiệp")
        verbose_name_plural = _("doanh nghiệp")
        indexes = [models.Index(fields=["name", "tax_code"], name="ent_name_idx"),
                   models.Index(fields=["commune", "name"], name="ent_commune_idx")]

    def __str__(self):
        return f"{self.name} ({self.tax_code})"

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.name} {self.name_en}")[:520]
        super().save(*args, **kwargs)

    @property
    def size_rule_shown(self) -> str:
        """The size rule in the reader's language, said again from the figures of the year it was decided
        on (amounts rounded as `size._bn` does now; the stored text when those figures are gone)."""
        fig = self.figures.filter(year=self.size_year).first() if self.size_class and self.size_year else None
        if fig is None or fig.employees is None or (fig.revenue is None and fig.total_capital is None):
            return self.size_rule
        try:
            return sizes.rule_text(self.sector_group, fig.employees, fig.revenue, fig.total_capital,
                                   "en" if english(get_language()) else "vi")
        except (sizes.SizeInputError, KeyError):
            return self.size_rule

    @property
    def is_branch(self) -> bool:
        return len(self.tax_code) == 14

    def primary_industry(self):
        return next((i for i in self.industries.all() if i.is_primary), None)


class IndustryCode(models.Model):
    """A VSIC code of an enterprise, with the version it belongs to (2025 for current registrations,
    2018 for historical records): the same digits mean different lines in the two versions."""

    enterprise_tax_code_lookup = "enterprise__tax_code"

    class Version(models.TextChoices):
        V2025 = vsic.V2025, "VSIC 2025"
        V2018 = vsic.V2018, "VSIC 2018"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="industries")
    version = models.CharField(_("phiên bản VSIC"), max_length=4, choices=Version.choices, default=Version.V2025)
    code = models.CharField(_("mã ngành"), max_length=5)
    is_primary = models.BooleanField(_("ngành chính"), default=False)

    class Meta:
        ordering = ["-is_primary", "version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "version", "code"], name="unique_enterprise_industry"),
            models.UniqueConstraint(fields=["enterprise"], condition=models.Q(is_primary=True),
                                    name="one_primary_industry"),
        ]
        indexes = [models.Index(fields=["version", "code"], name="ent_industry_code_idx")]
        verbose_name = _("ngành kinh tế")

    def __str__(self):
        item = self.industry
        return f"{self.code} — {item.name if item else '?'} (VSIC {self.version})"

    @property
    def industry(self):
        return vsic.lookup(self.version, self.code)

    def converts_to(self):
        """The VSIC 2025 codes a 2018 code converts to (empty for a 2025 code)."""
        return vsic.converts_to(self.code) if self.version == vsic.V2018 else []

    def clean(self):
        if not vsic.exists(self.version, self.code):
            raise ValidationError({"code": _("Mã ngành %(code)s không có trong VSIC %(version)s.")
                                   % {"code": self.code, "version": self.version}})


class Contact(models.Model):
    enterprise_tax_code_lookup = "enterprise__tax_code"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("họ tên"), max_length=120)
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("người liên hệ")

    def __str__(self):
        return self.name


class YearlyFigures(models.Model):
    """One enterprise's figures for one year (đồng; employees = yearly average insured)."""

    enterprise_tax_code_lookup = "enterprise__tax_code"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveIntegerField(_("năm"))
    revenue = models.DecimalField(_("doanh thu (đ)"), null=True, blank=True, **MONEY)
    value_added = models.DecimalField(_("giá trị tăng thêm (đ)"), null=True, blank=True, **MONEY)
    intermediate_costs = models.DecimalField(_("chi phí trung gian (đ)"), null=True, blank=True, **MONEY)
    employees = models.DecimalField(_("lao động bình quân (người)"), max_digits=9, decimal_places=1, null=True,
                                    blank=True, validators=[MinValueValidator(0)])
    wage_bill = models.DecimalField(_("quỹ lương (đ)"), null=True, blank=True, **MONEY)
    total_capital = models.DecimalField(_("tổng nguồn vốn (đ)"), null=True, blank=True, **MONEY)
    fixed_assets = models.DecimalField(_("tài sản cố định (đ)"), null=True, blank=True, **MONEY)
    materials = models.DecimalField(_("nguyên vật liệu (đ)"), null=True, blank=True, **MONEY)
    energy = models.DecimalField(_("năng lượng (đ)"), null=True, blank=True, **MONEY)
    investment = models.DecimalField(_("vốn đầu tư (đ)"), null=True, blank=True, **MONEY)
    exports = models.DecimalField(_("kim ngạch xuất khẩu (đ)"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["enterprise", "year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="unique_enterprise_year"),
            models.CheckConstraint(condition=models.Q(employees__gte=0) | models.Q(employees__isnull=True),
                                   name="figures_employees_not_negative"),
            models.CheckConstraint(condition=models.Q(revenue__gte=0) | models.Q(revenue__isnull=True),
                                   name="figures_revenue_not_negative"),
        ]
        verbose_name = _("số liệu năm")
        verbose_name_plural = _("số liệu năm")

    def __str__(self):
        return f"{self.enterprise.tax_code} {self.year}"

    @property
    def value_added_or_computed(self):
        """Value added as entered, else revenue − intermediate costs (None when neither is known)."""
        if self.value_added is not None:
            return self.value_added
        if self.revenue is not None and self.intermediate_costs is not None:
            return self.revenue - self.intermediate_costs
        return None

    @property
    def labour_productivity(self):
        """Value added per employee (đồng/person), None without value added or employees."""
        va = self.value_added_or_computed
        if va is None or not self.employees:
            return None
        return va / self.employees

    def size(self):
        if self.employees is None or (self.revenue is None and self.total_capital is None):
            return None
        return sizes.classify(self.enterprise.sector_group, self.employees, self.revenue, self.total_capital)


class SupportContent(models.Model):
    """What support is given for (the catalogue: TCCS, hợp chuẩn, ISO 9001, 5S, ...)."""

    class Group(models.TextChoices):
        CONFORMITY = "conformity", _("Tiêu chuẩn, đánh giá sự phù hợp")
        SYSTEM = "system", _("Hệ thống quản lý, thực hành")
        TOOL = "tool", _("Công cụ cải tiến năng suất")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    group = models.CharField(_("nhóm"), max_length=20, choices=Group.choices)
    reference = models.CharField(_("tiêu chuẩn tham chiếu"), max_length=120, blank=True)
    edition = models.CharField(_("phiên bản"), max_length=40, blank=True)
    certifiable = models.BooleanField(_("có chứng nhận"), default=False)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        ordering = ["group", "name"]
        verbose_name = _("nội dung hỗ trợ")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language: the English name on an English page when there is one."""
        return self.name_en if self.name_en and english(get_language()) else self.name


class SupportRule(models.Model):
    """How much may be granted for a content between two dates: a share of the cost, capped, with
    its legal basis (data, not code: the province's resolution sets the levels)."""

    content = models.ForeignKey(SupportContent, on_delete=models.CASCADE, related_name="rules", verbose_name=_("nội dung"))
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    share_pct = models.DecimalField(_("tỷ lệ hỗ trợ (% chi phí)"), max_digits=5, decimal_places=2,
                                    validators=[MinValueValidator(0)])
    cap = models.DecimalField(_("mức tối đa (đ)"), **MONEY)
    legal_basis = models.CharField(_("căn cứ"), max_length=300)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["content", "-valid_from"]
        verbose_name = _("quy định mức hỗ trợ")

    def __str__(self):
        return f"{self.content}: {self.share_pct}% ≤ {self.cap} ({self.legal_basis})"

    def max_amount(self, cost):
        from decimal import ROUND_DOWN, Decimal

        by_share = (Decimal(cost) * self.share_pct / 100).quantize(Decimal(1), rounding=ROUND_DOWN)
        return min(by_share, self.cap)

    def applies_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def attachment_path(instance, filename):
    ext = os.path.splitext(filename)[1].lower()
    return f"enterprises/dossiers/{instance.dossier_id}/{uuid.uuid4().hex}{ext}"


from .dossiers import Certificate, Dossier, DossierAttachment, DossierStep  # noqa: E402,F401
from .duties import ReportingDuty  # noqa: E402,F401


class ImportJob(models.Model):
    """An import sent on the web (enterprises, yearly figures, past support), run by a background
    worker (`nscl enterprise run-import ID`, nscl.enterprises.import_jobs) so a 50,000-row file never
    runs inside a request; the per-row report is stored with it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ chạy")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")

    kind = models.CharField(_("dữ liệu"), max_length=20)
    dry_run = models.BooleanField(_("chỉ kiểm tra"), default=False)
    file = models.FileField(_("tệp"), upload_to="imports/")
    file_name = models.CharField(_("tên tệp"), max_length=255)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(_("tiến độ"), default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    result = models.JSONField(_("kết quả"), null=True, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    pid = models.IntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lần nhập dữ liệu")
        verbose_name_plural = _("lần nhập dữ liệu")

    def __str__(self):
        return f"#{self.pk} {self.file_name}"

    @property
    def active(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def report_path(self) -> str:
        """The per-row report (.xlsx) the worker writes next to the file (the one place its name is made)."""
        return os.path.join(os.path.dirname(self.file.path), f"job-{self.pk}-report.xlsx")


class PeriodReopening(models.Model):
    """An officer's reopening of a closed reporting year for one enterprise's figures, with the
    reason (nscl.enterprises.periods): until `until`, the year's figures can be entered or changed
    again. Kept, never edited: the history of who reopened what and why (and audited)."""

    enterprise_tax_code_lookup = "enterprise__tax_code"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="reopenings")
    year = models.PositiveIntegerField(_("năm"))
    reason = models.CharField(_("lý do"), max_length=500)
    until = models.DateField(_("mở đến ngày"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("mở lại năm báo cáo")
        verbose_name_plural = _("mở lại năm báo cáo")

    def __str__(self):
        return f"{self.enterprise} {self.year} → {self.until:%d/%m/%Y}"
