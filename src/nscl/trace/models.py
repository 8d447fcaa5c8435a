"""Traceability records: the registry's enterprises own locations (GLN), products (GTIN), API keys and
the sharing of their events with partners; the EPCIS event repository with its identifier index.

The event store is built to be partitioned by record time on PostgreSQL (migration 0002): a
partitioned table's unique keys must include the partition key, so the one place an eventID is
unique is the plain table `EventId`, whose id is also the event's primary key (`Event.registry`).
An eventID is unique per owner there (nscl.trace.store says why). The identifier and
business-transaction index rows point at that registry row as well. Identifier columns hold
nscl.traceability.limits.MAX_IDENTIFIER_CHARS characters, what capture lets through."""
import hashlib
import secrets
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nscl.traceability import keys

API_KEY_PREFIX = "nscl"
IDENTIFIER_LENGTH = 1024  # = nscl.traceability.limits.MAX_IDENTIFIER_CHARS


class Location(models.Model):
    """A place identified by a GLN (an SGLN with any extension is a sub-location of it)."""

    enterprise_tax_code_lookup = "owner__tax_code"

    gln = models.CharField(_("mã địa điểm GLN"), max_length=13, unique=True)
    name = models.CharField(_("tên địa điểm"), max_length=250)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=250, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    owner = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="trace_locations",
                              verbose_name=_("doanh nghiệp"))
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        ordering = ["owner", "name"]
        verbose_name = _("địa điểm")
        verbose_name_plural = _("địa điểm")

    def __str__(self):
        return f"{self.name} ({self.gln})"


class Product(models.Model):
    """A trade item (GTIN) of an enterprise's catalogue: what the consumer page shows of it."""

    enterprise_tax_code_lookup = "owner__tax_code"

    gtin = models.CharField(_("mã sản phẩm GTIN"), max_length=14, unique=True)
    owner = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="trace_products",
                              verbose_name=_("doanh nghiệp"))
    name = models.CharField(_("tên sản phẩm"), max_length=250)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=250, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    description_en = models.TextField(_("mô tả tiếng Anh"), blank=True)
    origin = models.CharField(_("xuất xứ"), max_length=200, blank=True, help_text=_("Ví dụ: Hưng Yên, Việt Nam"))
    shelf_life_days = models.PositiveIntegerField(_("hạn sử dụng (ngày kể từ ngày sản xuất)"), null=True, blank=True)
    storage = models.CharField(_("điều kiện bảo quản"), max_length=300, blank=True)
    storage_en = models.CharField(_("điều kiện bảo quản (tiếng Anh)"), max_length=300, blank=True)
    warnings = models.TextField(_("cảnh báo"), blank=True)
    warnings_en = models.TextField(_("cảnh báo (tiếng Anh)"), blank=True)
    standards = models.ManyToManyField("enterprises.SupportContent", blank=True, related_name="trace_products",
                                       verbose_name=_("tiêu chuẩn áp dụng"))
    certificates = models.ManyToManyField("enterprises.Certificate", blank=True, related_name="trace_products",
                                          verbose_name=_("chứng chỉ"))
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["owner", "name"]
        verbose_name = _("sản phẩm")
        verbose_name_plural = _("sản phẩm")

    def __str__(self):
        return f"{self.name} ({self.gtin})"

    def name_for(self, lang) -> str:
        return self.name_en if lang and lang.startswith("en") and self.name_en else self.name


def product_image_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"trace/products/{instance.product_id}/{uuid.uuid4().hex}.{ext}"


class ProductImage(models.Model):
    enterprise_tax_code_lookup = "product__owner__tax_code"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(_("ảnh"), upload_to=product_image_path)
    caption = models.CharField(_("chú thích"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("ảnh sản phẩm")

    def __str__(self):
        return self.caption or self.file.name


def hash_secret(key: str) -> str:
    """SHA-256 of the whole key: the key is 256 random bits, so a fast hash is enough (no guessing)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """A secret an enterprise's system sends as `Authorization: Bearer <key>`. Only its hash is
    stored; the key is shown once, when created. Limited to some locations when `locations` is set."""

    enterprise_tax_code_lookup = "owner__tax_code"

    owner = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="trace_api_keys",
                              verbose_name=_("doanh nghiệp"))
    name = models.CharField(_("tên khóa"), max_length=120)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    locations = models.ManyToManyField(Location, blank=True, related_name="api_keys",
                                       verbose_name=_("chỉ cho các địa điểm"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        ordering = ["owner", "-created_at"]
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, owner, name, created_by=None, locations=(), is_demo=False):
        """Create a key; returns (key object, the key text to show once)."""
        prefix = secrets.token_hex(4)
        text = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
        key = cls.objects.create(owner=owner, name=name, prefix=prefix, secret_hash=hash_secret(text),
                                 created_by=created_by, is_demo=is_demo)
        if locations:
            key.locations.set(locations)
        return key, text

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Share(models.Model):
    """`owner` lets `partner` query its events (and trace through them): one step up, one step down."""

    enterprise_tax_code_lookup = "owner__tax_code"

    owner = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="trace_shares_given",
                              verbose_name=_("doanh nghiệp chia sẻ"))
    partner = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE,
                                related_name="trace_shares_received", verbose_name=_("đối tác được xem"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "partner"], name="trace_unique_share"),
                       models.CheckConstraint(condition=~models.Q(owner=models.F("partner")),
                                              name="trace_share_not_self")]
        verbose_name = _("chia sẻ dữ liệu")

    def __str__(self):
        return f"{self.owner_id} → {self.partner_id}"


class CaptureJob(models.Model):
    """One capture request (a document, or one event): all of it stored, or none of it."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Đang ghi")
        SUCCEEDED = "succeeded", _("Đã ghi")
        FAILED = "failed", _("Bị từ chối")

    id = models.UUIDField(_("mã lần ghi"), primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    event_count = models.PositiveIntegerField(_("số sự kiện gửi"), default=0)
    stored_count = models.PositiveIntegerField(_("số sự kiện đã ghi"), default=0)
    duplicate_count = models.PositiveIntegerField(_("số sự kiện trùng"), default=0)
    owner = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(_("nguồn"), max_length=20, default="api")  # api, web, cli, demo, bench
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lượt ghi sự kiện")

    def __str__(self):
        return str(self.id)


class EventId(models.Model):
    """The registry of event IDs: where an eventID is unique for its owner (see the module
    docstring), and the record time that finds the event's partition."""

    audit_skip = True  # the events are their own append-only log; their capture job is audited

    event_id = models.CharField(max_length=IDENTIFIER_LENGTH)
    owner = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+", db_index=False)
    record_time = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "event_id"], name="trace_eventid_unique_per_owner")]
        indexes = [models.Index(fields=["event_id"], name="trace_eventid_id_idx")]
        verbose_name = _("mã sự kiện")

    def __str__(self):
        return self.event_id


class Event(models.Model):
    """One EPCIS event as captured (`document`), with the fields the queries filter on."""

    audit_skip = True

    registry = models.OneToOneField(EventId, primary_key=True, on_delete=models.CASCADE, db_column="id",
                                    related_name="event")
    event_type = models.CharField(max_length=40)
    event_time = models.DateTimeField()
    event_timezone_offset = models.CharField(max_length=6)
    record_time = models.DateTimeField()
    action = models.CharField(max_length=10, blank=True)
    biz_step = models.CharField(max_length=IDENTIFIER_LENGTH, blank=True)
    disposition = models.CharField(max_length=IDENTIFIER_LENGTH, blank=True)
    read_point = models.CharField(max_length=IDENTIFIER_LENGTH, blank=True)
    biz_location = models.CharField(max_length=IDENTIFIER_LENGTH, blank=True)
    document = models.JSONField()
    owner = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+", db_index=False)
    capture_job = models.ForeignKey(CaptureJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    db_index=False)

    class Meta:
        indexes = [
            models.Index(fields=["event_time", "registry"], name="trace_ev_time_idx"),
            models.Index(fields=["record_time", "registry"], name="trace_ev_record_idx"),
            models.Index(fields=["biz_step", "event_time", "registry"], name="trace_ev_step_idx"),
            models.Index(fields=["owner", "event_time", "registry"], name="trace_ev_owner_idx"),
            models.Index(fields=["read_point", "event_time"], name="trace_ev_readpoint_idx"),
            models.Index(fields=["biz_location", "event_time"], name="trace_ev_bizloc_idx"),
            models.Index(fields=["disposition", "event_time"], name="trace_ev_disp_idx"),
        ]
        verbose_name = _("sự kiện EPCIS")

    def __str__(self):
        return str(self.registry_id)


class EventIdentifier(models.Model):
    """Which identifier (normalised EPC URN or other URI) an event touches, and in which role
    (nscl.traceability.epcis.ROLES): the index behind MATCH_* and trace."""

    audit_skip = True

    event = models.ForeignKey(EventId, on_delete=models.CASCADE, related_name="identifiers", db_index=False)
    role = models.CharField(max_length=16)
    identifier = models.CharField(max_length=IDENTIFIER_LENGTH)

    class Meta:
        indexes = [models.Index(fields=["identifier", "role", "event"], name="trace_ident_idx",
                                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "int8_ops"]),
                   models.Index(fields=["event"], name="trace_ident_event_idx")]


class EventBizTransaction(models.Model):
    """A business transaction of an event (type normalised to its CBV name): EQ_bizTransaction_<type>."""

    audit_skip = True

    event = models.ForeignKey(EventId, on_delete=models.CASCADE, related_name="biz_transactions", db_index=False)
    type = models.CharField(max_length=IDENTIFIER_LENGTH, blank=True)
    value = models.CharField(max_length=IDENTIFIER_LENGTH)

    class Meta:
        indexes = [models.Index(fields=["type", "value"], name="trace_biztx_idx"),
                   models.Index(fields=["event"], name="trace_biztx_event_idx")]


class CompanyPrefix(models.Model):
    """A GS1 company prefix an enterprise declares it holds. Its GTINs, GLNs and SSCCs are usable in
    events once an officer verified it against the GS1 Vietnam membership certificate (number and
    validity dates here as the evidence); until then only in drafts (nscl.trace.prefixes)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xác minh")
        VERIFIED = "verified", _("Đã xác minh")
        REJECTED = "rejected", _("Bị từ chối")

    enterprise_tax_code_lookup = "enterprise__tax_code"

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="gs1_prefixes",
                                   verbose_name=_("doanh nghiệp"))
    prefix = models.CharField(_("tiền tố mã doanh nghiệp GS1"), max_length=12,
                              help_text=_("6 đến 12 chữ số, gồm mã quốc gia (893 của Việt Nam)."))
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    certificate_number = models.CharField(_("số giấy chứng nhận quyền sử dụng mã số mã vạch"), max_length=80,
                                          blank=True)
    valid_from = models.DateField(_("hiệu lực từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến ngày"), null=True, blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)
    declared_at = models.DateTimeField(_("khai báo lúc"), default=timezone.now, editable=False)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False, verbose_name=_("cán bộ xác minh"))
    verified_at = models.DateTimeField(_("xác minh lúc"), null=True, blank=True, editable=False)
    note = models.TextField(_("ghi chú"), blank=True)
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        ordering = ["enterprise", "prefix"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "prefix"], name="trace_prefix_once_per_enterprise"),
            # one holder per verified prefix; claims by several stay pending until an officer decides
            models.UniqueConstraint(fields=["prefix"], condition=models.Q(status="verified"),
                                    name="trace_prefix_verified_once"),
        ]
        indexes = [models.Index(fields=["prefix", "status"], name="trace_prefix_idx")]
        verbose_name = _("tiền tố mã doanh nghiệp GS1")
        verbose_name_plural = _("tiền tố mã doanh nghiệp GS1")

    def __str__(self):
        return f"{self.prefix} ({self.get_status_display()})"

    def in_force(self, day=None) -> bool:
        """Verified, and its certificate valid on `day` (today)."""
        day = day or timezone.localdate()
        return (self.status == self.Status.VERIFIED and (self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day <= self.valid_to))


class Recall(models.Model):
    """A recall declared from the pages: the lots, why, what consumers should do, and the EPCIS event
    (disposition `recalled`) the system captured for it (`event_id`, owned by `owner`)."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Đang thu hồi")
        ENDED = "ended", _("Đã kết thúc")

    enterprise_tax_code_lookup = "owner__tax_code"

    owner = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="trace_recalls",
                              verbose_name=_("doanh nghiệp thu hồi"))
    reason = models.TextField(_("lý do thu hồi"))
    instructions = models.TextField(_("hướng dẫn cho người tiêu dùng"))
    instructions_en = models.TextField(_("hướng dẫn cho người tiêu dùng (tiếng Anh)"), blank=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.ACTIVE)
    event_id = models.CharField(_("mã sự kiện EPCIS"), max_length=IDENTIFIER_LENGTH, editable=False)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False, verbose_name=_("người khai báo"))
    declared_at = models.DateTimeField(_("khai báo lúc"), default=timezone.now, editable=False)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", editable=False, verbose_name=_("người kết thúc"))
    ended_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True, editable=False)
    end_note = models.TextField(_("ghi chú khi kết thúc"), blank=True)
    notified = models.ManyToManyField("enterprises.Enterprise", blank=True, related_name="+",
                                      verbose_name=_("doanh nghiệp được thông báo"))
    is_demo = models.BooleanField(_("dữ liệu minh họa"), default=False)

    class Meta:
        ordering = ["-declared_at", "-pk"]
        indexes = [models.Index(fields=["event_id"], name="trace_recall_event_idx")]
        verbose_name = _("đợt thu hồi")
        verbose_name_plural = _("đợt thu hồi")

    def __str__(self):
        return f"{self.owner_id}: {self.declared_at:%d/%m/%Y}"

    def instructions_for(self, lang) -> str:
        return self.instructions_en if lang and lang.startswith("en") and self.instructions_en else self.instructions


class RecallLot(models.Model):
    """One lot of a recall: a product (GTIN) and its lot number."""

    enterprise_tax_code_lookup = "recall__owner__tax_code"

    recall = models.ForeignKey(Recall, on_delete=models.CASCADE, related_name="lots")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("sản phẩm"))
    lot = models.CharField(_("số lô"), max_length=20)

    class Meta:
        ordering = ["product", "lot"]
        constraints = [models.UniqueConstraint(fields=["recall", "product", "lot"], name="trace_recall_lot_once")]
        verbose_name = _("lô thu hồi")

    def __str__(self):
        return f"{self.product_id}/{self.lot}"

    @property
    def identifier(self) -> str:
        """The lot as stored in the events (its LGTIN EPC URN)."""
        return keys.Key("lgtin", gtin=self.product.gtin, lot=self.lot).epc_urn


class CounterfeitReport(models.Model):
    """A consumer's report from a product page (a code with no recorded production, a suspicious
    label) for the Department's officers. The sender's address is kept only as a keyed hash."""

    class Status(models.TextChoices):
        NEW = "new", _("Mới")
        HANDLED = "handled", _("Đã xử lý")

    gtin = models.CharField(_("mã sản phẩm GTIN"), max_length=14)
    lot = models.CharField(_("số lô"), max_length=20, blank=True)
    serial = models.CharField(_("số sê-ri"), max_length=20, blank=True)
    known = models.BooleanField(_("mã có ghi nhận sản xuất"), default=False)
    message = models.TextField(_("nội dung"), max_length=2000, blank=True)
    place = models.CharField(_("nơi mua"), max_length=300, blank=True)
    contact = models.CharField(_("liên hệ của người báo"), max_length=200, blank=True)
    sender = models.CharField(max_length=64, blank=True, editable=False)  # HMAC of the client address
    created_at = models.DateTimeField(_("gửi lúc"), default=timezone.now, editable=False)
    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.NEW)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    handled_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True, editable=False)
    handling_note = models.TextField(_("ghi chú xử lý"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="trace_report_status_idx")]
        verbose_name = _("báo cáo nghi hàng giả")
        verbose_name_plural = _("báo cáo nghi hàng giả")

    def __str__(self):
        return f"{self.gtin} {self.lot} {self.serial}".strip()

    @property
    def page_query(self) -> str:
        """The product page's query string for this code ("" or "?lot=…&serial=…")."""
        query = {k: v for k, v in (("lot", self.lot), ("serial", self.serial)) if v}
        return "?" + urlencode(query) if query else ""
