"""The plan and its registers: units, enterprises, phases, targets, the catalogue, one model per activity kind (multi-table inheritance from Activity), evidence."""
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from nscl.common.fields import EARLIEST_DATE, LATEST_DATE, Money
from nscl.common.uploads import delete_file_on_commit


class Unit(models.Model):
    """A department, locality or body responsible for targets and activities."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")  # Vietnamese nouns have no plural form

    def __str__(self):
        return self.name


class ProgrammeDocument(models.Model):
    number = models.CharField(_("số, ký hiệu"), max_length=60)
    title = models.CharField(_("trích yếu"), max_length=400)
    title_en = models.CharField(_("trích yếu (tiếng Anh)"), max_length=400, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    file = models.FileField(_("tệp"), upload_to="documents/", blank=True)

    class Meta:
        ordering = ["issued_on"]
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")  # Vietnamese nouns have no plural form

    def __str__(self):
        return f"{self.number} — {self.title}"


class Phase(models.Model):
    """A phase of the plan. Its targets are a draft, seen only by officers and administrators, until
    published with the document that sets them (the province sets 2026-2030's after the plan)."""

    code = models.CharField(_("giai đoạn"), max_length=9, unique=True)
    start_year = models.PositiveIntegerField(_("từ năm"))
    end_year = models.PositiveIntegerField(_("đến năm"))
    document = models.ForeignKey(ProgrammeDocument, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("văn bản"))
    targets_document = models.ForeignKey(ProgrammeDocument, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("văn bản ban hành chỉ tiêu"))
    targets_published_at = models.DateTimeField(_("công bố chỉ tiêu lúc"), null=True, blank=True)
    targets_published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                             related_name="+", verbose_name=_("người công bố"))

    class Meta:
        ordering = ["start_year"]
        verbose_name = _("giai đoạn")
        verbose_name_plural = _("giai đoạn")

    def __str__(self):
        return self.code

    @property
    def targets_published(self) -> bool:
        return self.targets_published_at is not None

    def contains(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year

    @property
    def years(self):
        return list(range(self.start_year, self.end_year + 1))


class TargetRevision(models.Model):
    """One act that set, changed or withdrew a phase's published targets: which document (number,
    date) set which values, when and by whom. The history is only appended to; `values` holds every
    target of the phase as that act left it (code → wording, kind and numbers as text)."""

    class Action(models.TextChoices):
        PUBLISH = "publish", _("Công bố")
        AMEND = "amend", _("Sửa đổi")
        UNPUBLISH = "unpublish", _("Thu hồi công bố")

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("giai đoạn"))
    action = models.CharField(_("hành động"), max_length=10, choices=Action.choices)
    document = models.ForeignKey(ProgrammeDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("văn bản"))
    values = models.JSONField(_("giá trị chỉ tiêu"), default=dict, blank=True)
    changed = models.JSONField(_("chỉ tiêu thay đổi"), default=list, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    at = models.DateTimeField(_("thời điểm"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                           verbose_name=_("người thực hiện"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("lần ban hành chỉ tiêu")
        verbose_name_plural = _("lần ban hành chỉ tiêu")  # Vietnamese nouns have no plural form

    def __str__(self):
        return f"{self.phase.code}: {self.get_action_display()} {self.at:%d/%m/%Y}"


class ActivityKind(models.TextChoices):
    EXPERT = "expert", _("Đào tạo, chứng nhận chuyên gia")
    EDUCATION = "education", _("Đào tạo tại cơ sở giáo dục")
    CLASS = "class", _("Lớp tập huấn")
    CAMPAIGN = "campaign", _("Đợt tuyên truyền")
    SUPPORT = "support", _("Hỗ trợ doanh nghiệp")
    TFP = "tfp", _("Đo lường TFP")
    BODY = "body", _("Hỗ trợ tổ chức tư vấn, chứng nhận")
    LAB = "lab", _("Đầu tư năng lực thử nghiệm")
    PROJECT = "project", _("Nhiệm vụ KH&CN, đổi mới sáng tạo")


class Target(models.Model):
    """A number the plan promises; its actual is always computed from confirmed records."""

    class Kind(models.TextChoices):
        EXACT = "exact", _("đúng")
        RANGE = "range", _("khoảng từ… đến…")
        AT_LEAST = "at_least", _("ít nhất")
        ABOUT = "about", _("khoảng")

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="targets", verbose_name=_("giai đoạn"))
    code = models.CharField(_("mã"), max_length=20)
    objective = models.PositiveSmallIntegerField(_("mục tiêu số"))
    description = models.TextField(_("nội dung"))
    description_en = models.TextField(_("nội dung (tiếng Anh)"), blank=True)
    unit = models.CharField(_("đơn vị tính"), max_length=60)
    unit_en = models.CharField(_("đơn vị tính (tiếng Anh)"), max_length=60, blank=True)
    activity_kind = models.CharField(_("loại hoạt động"), max_length=20, choices=ActivityKind.choices)
    criteria = models.JSONField(_("điều kiện lọc"), default=dict, blank=True,
                                help_text=_("Trường của hồ sơ phải có giá trị này, ví dụ {\"field\": \"pq\"}"))
    distinct_by = models.CharField(_("đếm theo"), max_length=40, blank=True,
                                   help_text=_("Để trống: đếm hồ sơ; hoặc tên trường để đếm giá trị khác nhau"))
    kind = models.CharField(_("dạng chỉ tiêu"), max_length=10, choices=Kind.choices)
    min_value = models.DecimalField(_("giá trị (tối thiểu)"), max_digits=12, decimal_places=2)
    max_value = models.DecimalField(_("giá trị tối đa"), max_digits=12, decimal_places=2, null=True, blank=True)
    tolerance_pct = models.DecimalField(_("dung sai (%)"), max_digits=5, decimal_places=2, default=10)
    every_year = models.BooleanField(_("chỉ tiêu từng năm"), default=False,
                                     help_text=_("Giá trị chia đều cho từng năm của giai đoạn"))
    condition = models.TextField(_("điều kiện"), blank=True)
    condition_en = models.TextField(_("điều kiện (tiếng Anh)"), blank=True)
    responsible_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("đơn vị chủ trì"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["phase", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["phase", "code"], name="unique_target_code")]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")  # Vietnamese nouns have no plural form

    def __str__(self):
        return f"{self.code}: {self.description[:60]}"

    def clean(self):
        if self.kind == self.Kind.RANGE:
            if self.max_value is None or self.max_value < self.min_value:
                raise ValidationError({"max_value": _("Chỉ tiêu dạng khoảng cần giá trị tối đa không nhỏ hơn tối thiểu.")})
        elif self.kind != self.Kind.RANGE:
            self.max_value = None

    def plan_bounds(self) -> tuple[float, float | None]:
        """The plan's numbers as published (API, exports): about N and exact N give (N, N), at least N
        gives (N, None), a range its ends. The judging bounds (N ± tolerance) are progress.bounds."""
        lo = float(self.min_value)
        if self.kind == self.Kind.RANGE:
            return lo, float(self.max_value)
        if self.kind == self.Kind.AT_LEAST:
            return lo, None
        return lo, lo

    def description_for(self, lang):
        return self.description_en if lang == "en" and self.description_en else self.description

    def unit_for(self, lang):
        return self.unit_en if lang == "en" and self.unit_en else self.unit


class CatalogueItem(models.Model):
    """A tool, standard or practice the programme trains on (data, not code: editions change)."""

    class Group(models.TextChoices):
        TOOL = "tool", _("Công cụ cải tiến năng suất")
        SYSTEM = "system", _("Hệ thống quản lý, thực hành")
        CONFORMITY = "conformity", _("Đánh giá sự phù hợp")
        TRACE = "trace", _("Truy xuất nguồn gốc")
        AWARD = "award", _("Giải thưởng")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    group = models.CharField(_("nhóm"), max_length=20, choices=Group.choices)
    reference = models.CharField(_("tiêu chuẩn tham chiếu"), max_length=120, blank=True)
    edition = models.CharField(_("phiên bản"), max_length=40, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    class Meta:
        ordering = ["group", "name"]
        verbose_name = _("danh mục công cụ, tiêu chuẩn")
        verbose_name_plural = _("danh mục công cụ, tiêu chuẩn")  # Vietnamese nouns have no plural form

    def __str__(self):
        return f"{self.name} ({self.reference}:{self.edition})" if self.reference and self.edition else self.name




class Activity(models.Model):
    """What every register shares; each kind's own fields live in its subclass."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Kế hoạch")
        ONGOING = "ongoing", _("Đang thực hiện")
        COMPLETED = "completed", _("Hoàn thành")
        CANCELLED = "cancelled", _("Hủy")

    class FundSource(models.TextChoices):
        CENTRAL = "central", _("Ngân sách trung ương")
        PROVINCIAL = "provincial", _("Ngân sách tỉnh")
        ENTERPRISE = "enterprise", _("Doanh nghiệp đối ứng")
        OTHER = "other", _("Nguồn khác")

    kind = models.CharField(_("loại hoạt động"), max_length=20, choices=ActivityKind.choices, db_index=True, editable=False)
    title = models.CharField(_("tên hoạt động"), max_length=300)
    start_date = models.DateField(_("ngày bắt đầu"))
    end_date = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    responsible_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name=_("đơn vị thực hiện"))
    location = models.ForeignKey("geo.AdministrativeUnit", on_delete=models.PROTECT, null=True, blank=True,
                                 verbose_name=_("địa điểm"))
    budget_planned = Money(_("kinh phí dự kiến (đ)"), default=0, validators=[MinValueValidator(0)])
    budget_spent = Money(_("kinh phí đã chi (đ)"), default=0, validators=[MinValueValidator(0)])
    fund_source = models.CharField(_("nguồn kinh phí"), max_length=20, choices=FundSource.choices, default=FundSource.PROVINCIAL)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True)
    notes = models.TextField(_("ghi chú"), blank=True)
    count_year = models.PositiveIntegerField(_("năm tính kết quả"), db_index=True, editable=False)
    confirmed_at = models.DateTimeField(_("xác nhận lúc"), null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    KIND = None
    audit_skip = True  # audited through its kind's subclass, which carries all fields

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("hoạt động")
        verbose_name_plural = _("hoạt động")  # Vietnamese nouns have no plural form
        indexes = [models.Index(fields=["kind", "status", "confirmed_at", "count_year"])]

    def __str__(self):
        return self.title

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    def period_year(self):
        return (self.end_date or self.start_date).year

    def clean(self):
        errors = {}
        for name in ("start_date", "end_date"):
            day = getattr(self, name)
            if day and not (EARLIEST_DATE <= day <= LATEST_DATE):
                errors[name] = _("Ngày %(day)s nằm ngoài khoảng hợp lý của kế hoạch (%(lo)s – %(hi)s).") % {
                    "day": day.strftime("%d/%m/%Y"), "lo": EARLIEST_DATE.strftime("%d/%m/%Y"),
                    "hi": LATEST_DATE.strftime("%d/%m/%Y")}
        if errors:
            raise ValidationError(errors)
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("Ngày kết thúc không được trước ngày bắt đầu.")
        if self.status == self.Status.COMPLETED and not self.end_date:
            errors["end_date"] = _("Hoạt động đã hoàn thành cần có ngày kết thúc.")
        if self.location_id and self.start_date and not self.location.is_valid_on(self.start_date):
            errors["location"] = _(
                "Địa điểm “%(unit)s” không có hiệu lực vào ngày %(day)s: hồ sơ trước 01/07/2025 dùng đơn vị hành chính cũ, từ 01/07/2025 dùng đơn vị mới."
            ) % {"unit": self.location.name, "day": self.start_date.strftime("%d/%m/%Y")}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.KIND is not None:
            self.kind = self.KIND
        if self.start_date:
            self.count_year = self.period_year()
        super().save(*args, **kwargs)

    def specific(self):
        """The subclass instance holding this activity's own fields."""
        if type(self) is not Activity:
            return self
        return getattr(self, KIND_MODELS[self.kind]._meta.model_name)


class ExpertCertification(Activity):
    KIND = ActivityKind.EXPERT

    class Field(models.TextChoices):
        PQ = "pq", _("Chuyên gia năng suất chất lượng")
        ASSESSMENT = "assessment", _("Chuyên gia đánh giá, chứng nhận")

    person = models.CharField(_("họ và tên"), max_length=120)
    field = models.CharField(_("lĩnh vực"), max_length=20, choices=Field.choices)
    course_organiser = models.CharField(_("đơn vị tổ chức khóa học"), max_length=200)
    certificate_number = models.CharField(_("số chứng chỉ"), max_length=60, blank=True)
    certificate_date = models.DateField(_("ngày cấp chứng chỉ"), null=True, blank=True)

    class Meta:
        verbose_name = _("đào tạo, chứng nhận chuyên gia")
        verbose_name_plural = _("đào tạo, chứng nhận chuyên gia")  # Vietnamese nouns have no plural form


class EducationTraining(Activity):
    KIND = ActivityKind.EDUCATION
    institution = models.CharField(_("cơ sở giáo dục"), max_length=200)
    programme = models.CharField(_("chương trình đào tạo"), max_length=200)
    cohort = models.CharField(_("khóa, lớp"), max_length=60, blank=True)
    trainees = models.PositiveIntegerField(_("số học viên"), default=0)

    class Meta:
        verbose_name = _("đào tạo tại cơ sở giáo dục")
        verbose_name_plural = _("đào tạo tại cơ sở giáo dục")  # Vietnamese nouns have no plural form


class TrainingClass(Activity):
    KIND = ActivityKind.CLASS
    topic = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, verbose_name=_("chủ đề"))
    participants = models.PositiveIntegerField(_("số học viên"), default=0)
    hours = models.DecimalField(_("số giờ"), max_digits=6, decimal_places=1, default=0, validators=[MinValueValidator(0)])
    participant_list = models.TextField(_("danh sách học viên"), blank=True,
                                        help_text=_("Mỗi dòng: Họ tên; Tổ chức"))

    class Meta:
        verbose_name = _("lớp tập huấn")
        verbose_name_plural = _("lớp tập huấn")  # Vietnamese nouns have no plural form

    def participant_rows(self):
        rows = []
        for line in self.participant_list.splitlines():
            if line.strip():
                name, _sep, org = line.partition(";")
                rows.append((name.strip(), org.strip()))
        return rows


class CommunicationCampaign(Activity):
    KIND = ActivityKind.CAMPAIGN
    channels = models.CharField(_("kênh truyền thông"), max_length=300)
    reach = models.PositiveIntegerField(_("số lượt tiếp cận"), default=0)

    class Meta:
        verbose_name = _("đợt tuyên truyền")
        verbose_name_plural = _("đợt tuyên truyền")  # Vietnamese nouns have no plural form


class TfpMeasurement(Activity):
    KIND = ActivityKind.TFP
    year_measured = models.PositiveIntegerField(
        _("năm được đo"), help_text=_("Năm của số liệu. Lần đo được tính vào năm thực hiện (ngày kết thúc, tức ngày "
                                      "công bố), không phải năm của số liệu."))
    result_reference = models.CharField(_("tham chiếu kết quả"), max_length=300)

    class Meta:
        verbose_name = _("đo lường TFP")
        verbose_name_plural = _("đo lường TFP")  # Vietnamese nouns have no plural form

    # Objective 6 counts a measurement in the year it is carried out (its end date: the day the
    # figure is published), Activity.period_year; the figure itself belongs to year_measured
    # (README, "Objective 6 across phases").

    def clean(self):
        super().clean()
        done = self.end_date or self.start_date
        if self.year_measured and done and self.year_measured > done.year:
            raise ValidationError({"year_measured": _(
                "Số liệu năm %(y)s chưa thể được đo vào ngày %(d)s: năm của số liệu không được sau năm thực hiện.")
                % {"y": self.year_measured, "d": done.strftime("%d/%m/%Y")}})


class CertificationBodySupport(Activity):
    KIND = ActivityKind.BODY
    body_name = models.CharField(_("tổ chức được hỗ trợ"), max_length=200)
    accreditation_sought = models.CharField(_("công nhận đề nghị"), max_length=200)
    accreditation_obtained = models.CharField(_("công nhận đạt được"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("hỗ trợ tổ chức tư vấn, chứng nhận")
        verbose_name_plural = _("hỗ trợ tổ chức tư vấn, chứng nhận")  # Vietnamese nouns have no plural form


class TestingCapacityInvestment(Activity):
    KIND = ActivityKind.LAB
    beneficiary = models.CharField(_("đơn vị được hỗ trợ"), max_length=200)
    equipment = models.TextField(_("trang thiết bị"))
    amount = Money(_("giá trị đầu tư (đ)"), default=0, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("đầu tư năng lực thử nghiệm")
        verbose_name_plural = _("đầu tư năng lực thử nghiệm")  # Vietnamese nouns have no plural form


class InnovationProject(Activity):
    KIND = ActivityKind.PROJECT

    class ProjectType(models.TextChoices):
        SCIENCE = "science", _("Tổ chức, doanh nghiệp KH&CN")
        INNOVATION = "innovation", _("Nghiên cứu, đổi mới sáng tạo")
        GREEN = "green", _("Năng suất xanh, phát triển cộng đồng")

    project_type = models.CharField(_("loại nhiệm vụ"), max_length=20, choices=ProjectType.choices)
    organisation_name = models.CharField(_("tổ chức, doanh nghiệp thực hiện"), max_length=250)

    class Meta:
        verbose_name = _("nhiệm vụ KH&CN, đổi mới sáng tạo")
        verbose_name_plural = _("nhiệm vụ KH&CN, đổi mới sáng tạo")  # Vietnamese nouns have no plural form


KIND_MODELS = {
    ActivityKind.EXPERT: ExpertCertification,
    ActivityKind.EDUCATION: EducationTraining,
    ActivityKind.CLASS: TrainingClass,
    ActivityKind.CAMPAIGN: CommunicationCampaign,
    ActivityKind.TFP: TfpMeasurement,
    ActivityKind.BODY: CertificationBodySupport,
    ActivityKind.LAB: TestingCapacityInvestment,
    ActivityKind.PROJECT: InnovationProject,
}


def evidence_path(instance, filename):
    return f"evidence/{instance.activity_id}/{uuid.uuid4().hex}/{filename}"


class Evidence(models.Model):
    class Type(models.TextChoices):
        DECISION = "decision", _("Quyết định")
        REPORT = "report", _("Báo cáo")
        ATTENDANCE = "attendance", _("Danh sách tham dự")
        PHOTO = "photo", _("Hình ảnh")
        OTHER = "other", _("Khác")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="evidence")
    type = models.CharField(_("loại minh chứng"), max_length=20, choices=Type.choices)
    file = models.FileField(_("tệp"), upload_to=evidence_path)
    size = models.PositiveIntegerField(_("dung lượng (byte)"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")  # Vietnamese nouns have no plural form

    def __str__(self):
        return f"{self.get_type_display()}: {self.file.name.rsplit('/', 1)[-1]}"


@receiver(post_delete, sender=Evidence)
def _delete_evidence_file(sender, instance, **kwargs):
    delete_file_on_commit(instance.file)


class ReportClosing(models.Model):
    """The closing sections of a year's annual implementation report (report.py, sections V-VIII),
    written by an officer on the report page; one per year, editable again (audited)."""

    year = models.PositiveIntegerField(_("năm báo cáo"), unique=True)
    shortcomings = models.TextField(_("tồn tại, hạn chế"), blank=True)
    causes = models.TextField(_("nguyên nhân"), blank=True)
    directions = models.TextField(_("phương hướng, nhiệm vụ năm tới"), blank=True)
    recommendations = models.TextField(_("kiến nghị, đề xuất"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    TEXT_FIELDS = ("shortcomings", "causes", "directions", "recommendations")

    class Meta:
        verbose_name = _("phần đánh giá của báo cáo năm")
        verbose_name_plural = _("phần đánh giá của báo cáo năm")  # Vietnamese nouns have no plural form

    def __str__(self):
        return f"Báo cáo năm {self.year}: tồn tại, nguyên nhân, phương hướng, kiến nghị"
