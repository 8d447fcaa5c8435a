"""Who may use a GS1 number: the GS1 company prefixes of each enterprise, as verified by an officer.

A GTIN, GLN or SSCC belongs to the holder of the longest verified prefix in force it starts with
(nscl.traceability.prefixes). Registering a product or location needs the number under a verified
prefix of its owner, or under a pending one: then it is a draft (saved, but no event may name it and
the consumer page says "chưa xác minh") until an officer verifies the prefix. Capture checks every
event against the same rule (nscl.trace.store), with one table loaded per capture, not a query per
event. Officers' decisions (verify, reject) and the National Barcode Centre's members list import
are here; the audit log records them through the models' signals."""
from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from nscl.audit.api import recording
from nscl.enterprises import mst
from nscl.enterprises.models import Enterprise
from nscl.traceability import keys
from nscl.traceability import prefixes as gs1

from .models import CompanyPrefix

VERIFIED, PENDING = "verified", "pending"


def in_force(day: datetime.date | None = None):
    """Verified prefixes whose certificate is valid on `day` (today)."""
    day = day or timezone.localdate()
    return CompanyPrefix.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day),
                                        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
                                        status=CompanyPrefix.Status.VERIFIED)


def holder_of(digits: str) -> tuple[str | None, int | None]:
    """(prefix, enterprise id) of the longest verified prefix in force these digits start with."""
    found = dict(in_force().filter(prefix__in=gs1.candidates(digits)).values_list("prefix", "enterprise_id"))
    return gs1.longest(found, digits)


@dataclass
class Standing:
    """Where a number stands for an enterprise: `verified` (its verified prefix), `pending` (only
    under a prefix it declared that awaits an officer: drafts only), or None with `reason`."""

    status: str | None
    prefix: str | None = None
    reason: str = ""


def standing(enterprise, number: str) -> Standing:
    """The standing of a GTIN or GLN (digits, with check digit) for the enterprise registering it."""
    digits = gs1.number_digits(number)
    prefix, holder = holder_of(digits)
    if holder == enterprise.pk:
        return Standing(VERIFIED, prefix)
    if holder is not None:
        return Standing(None, prefix, f"Mã {number} thuộc tiền tố mã doanh nghiệp GS1 {prefix} đã được xác minh "
                                      "cho một doanh nghiệp khác.")
    pending = (CompanyPrefix.objects.filter(enterprise=enterprise, status=CompanyPrefix.Status.PENDING,
                                            prefix__in=gs1.candidates(digits))
               .order_by("-prefix").values_list("prefix", flat=True).first())
    if pending:
        return Standing(PENDING, pending)
    return Standing(None, None, f"Mã {number} không thuộc tiền tố mã doanh nghiệp GS1 nào của doanh nghiệp đã được "
                                "xác minh hoặc đang chờ xác minh: khai báo tiền tố (kèm số giấy chứng nhận của "
                                "GS1 Việt Nam) trước.")


def is_verified_for(enterprise_id: int, number: str) -> bool:
    """Whether the number is under a verified prefix in force of that enterprise (consumer page)."""
    return holder_of(gs1.number_digits(number))[1] == enterprise_id


class Holders:
    """The verified prefixes in force that matter to one capture: those of the enterprises named
    (the caller, its sharers, the owners of its locations and products) and any longer prefix under
    them (another holder's, which wins by the longest match). Two queries, whatever the size."""

    def __init__(self, enterprise_ids):
        own = list(in_force().filter(enterprise_id__in=set(enterprise_ids)).values_list("prefix", "enterprise_id"))
        self.table = dict(own)
        if own:
            under = Q()
            for prefix, _ in own:
                under |= Q(prefix__startswith=prefix)
            self.table.update(in_force().filter(under).values_list("prefix", "enterprise_id"))

    def holder(self, key: keys.Key) -> int | None:
        return gs1.longest(self.table, gs1.key_digits(key))[1]

    def holder_of(self, number: str) -> int | None:
        return gs1.longest(self.table, gs1.number_digits(number))[1]


# --- officers' decisions -------------------------------------------------------------------------

class Conflict(Exception):
    """The prefix is already verified for another enterprise."""


def others_verified(prefix: CompanyPrefix):
    return CompanyPrefix.objects.filter(prefix=prefix.prefix, status=CompanyPrefix.Status.VERIFIED).exclude(pk=prefix.pk)


def overlapping(prefix: CompanyPrefix):
    """Other enterprises' prefixes nested with this one (one starts with the other): shown to the officer."""
    shorter = gs1.candidates(prefix.prefix)
    return (CompanyPrefix.objects.filter(Q(prefix__in=shorter) | Q(prefix__startswith=prefix.prefix))
            .exclude(enterprise_id=prefix.enterprise_id).select_related("enterprise").order_by("prefix"))


@transaction.atomic
def verify(prefix: CompanyPrefix, user, certificate_number: str, valid_from, valid_to, note: str = "") -> CompanyPrefix:
    """The officer checked the certificate: the prefix is the enterprise's (audited as a confirmation)."""
    prefix = CompanyPrefix.objects.select_for_update().get(pk=prefix.pk)
    if others_verified(prefix).exists():
        raise Conflict(prefix.prefix)
    prefix.status = CompanyPrefix.Status.VERIFIED
    prefix.certificate_number, prefix.valid_from, prefix.valid_to = certificate_number, valid_from, valid_to
    prefix.verified_by, prefix.verified_at = user, timezone.now()
    prefix.note = note
    with recording("confirm"):
        prefix.save()
    return prefix


@transaction.atomic
def reject(prefix: CompanyPrefix, user, note: str) -> CompanyPrefix:
    prefix = CompanyPrefix.objects.select_for_update().get(pk=prefix.pk)
    prefix.status = CompanyPrefix.Status.REJECTED
    prefix.verified_by, prefix.verified_at, prefix.note = user, timezone.now(), note
    prefix.save()
    return prefix


# --- the National Barcode Centre's members list -------------------------------------------------

COLUMNS = {  # accepted headers (lower case, accents as written) → field
    "prefix": "prefix", "tiền tố": "prefix", "mã doanh nghiệp gs1": "prefix", "gcp": "prefix",
    "tax code": "tax_code", "tax_code": "tax_code", "mã số thuế": "tax_code", "mst": "tax_code",
    "name": "name", "tên doanh nghiệp": "name", "tên": "name",
    "certificate number": "certificate_number", "certificate_number": "certificate_number",
    "số giấy chứng nhận": "certificate_number", "số gcn": "certificate_number",
    "valid from": "valid_from", "valid_from": "valid_from", "hiệu lực từ": "valid_from", "ngày cấp": "valid_from",
    "valid to": "valid_to", "valid_to": "valid_to", "hiệu lực đến": "valid_to", "ngày hết hạn": "valid_to",
}
REQUIRED = ("prefix", "tax_code", "certificate_number", "valid_from", "valid_to")
MAX_ROWS = 200_000


@dataclass
class Member:
    line: int
    prefix: str
    tax_code: str
    name: str
    certificate_number: str
    valid_from: datetime.date
    valid_to: datetime.date


@dataclass
class ImportReport:
    problems: list = field(default_factory=list)  # "dòng N: ..."
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list = field(default_factory=list)  # tax codes not in the registry
    claims_rejected: int = 0

    def to_dict(self) -> dict:
        return {"problems": self.problems, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "skipped": self.skipped, "claims_rejected": self.claims_rejected}


def _date(text: str) -> datetime.date:
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"ngày “{text}” không đúng dạng dd/mm/yyyy")


def read_members(data: bytes) -> tuple[list[Member], list[str]]:
    """The rows of the members list (UTF-8 CSV, comma or semicolon), or every problem found."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return [], [f"Tệp không phải văn bản UTF-8 (byte {e.start})."]
    first = text.split("\n", 1)[0]
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ","))
    except csv.Error as e:
        return [], [f"CSV không hợp lệ: {e}."]
    if not rows:
        return [], ["Tệp trống."]
    header = [COLUMNS.get(" ".join(h.split()).lower()) for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [f"Thiếu cột: {', '.join(missing)} (cột cần có: prefix, tax_code, name, certificate_number, "
                    "valid_from, valid_to)."]
    if len(rows) - 1 > MAX_ROWS:
        return [], [f"Tệp có hơn {MAX_ROWS} dòng."]
    members, problems, seen = [], [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header) if name}
        where = f"dòng {line}"
        try:
            prefix = gs1.validate_prefix(values["prefix"])
        except keys.InvalidKey as e:
            problems.append(f"{where}: {e.message_vi}")
            continue
        checked = mst.check(values["tax_code"])
        if not checked.valid:
            problems.append(f"{where}: mã số thuế “{values['tax_code']}”: {checked.reason}")
            continue
        if not values["certificate_number"]:
            problems.append(f"{where}: thiếu số giấy chứng nhận.")
            continue
        try:
            valid_from, valid_to = _date(values["valid_from"]), _date(values["valid_to"])
        except ValueError as e:
            problems.append(f"{where}: {e}.")
            continue
        if valid_to < valid_from:
            problems.append(f"{where}: ngày hết hiệu lực trước ngày bắt đầu hiệu lực.")
            continue
        member = Member(line, prefix, checked.normalized, values.get("name", ""), values["certificate_number"],
                        valid_from, valid_to)
        if prefix in seen:
            before = seen[prefix]
            if (before.tax_code, before.certificate_number, before.valid_from, before.valid_to) != (
                    member.tax_code, member.certificate_number, member.valid_from, member.valid_to):
                problems.append(f"{where}: tiền tố {prefix} đã có ở dòng {before.line} với thông tin khác.")
            continue
        seen[prefix] = member
        members.append(member)
    return members, problems


def import_members(data: bytes, source: str = "", dry_run: bool = False) -> ImportReport:
    """Verify the prefixes of the list for the registry's enterprises: the whole file is checked
    first, then written in one transaction, or nothing is (any problem, or `dry_run`). Rows of
    enterprises not in the registry are skipped and listed; another enterprise's pending claim on a
    listed prefix is rejected; a prefix verified for another enterprise than the list says is a problem."""
    members, problems = read_members(data)
    report = ImportReport(problems=problems)
    if problems:
        return report
    firms = {e.tax_code: e for e in Enterprise.objects.filter(tax_code__in={m.tax_code for m in members})}
    report.skipped = sorted({m.tax_code for m in members if m.tax_code not in firms})
    members = [m for m in members if m.tax_code in firms]
    holders = {p.prefix: p for p in CompanyPrefix.objects.filter(prefix__in={m.prefix for m in members},
                                                                 status=CompanyPrefix.Status.VERIFIED)
               .select_related("enterprise")}
    for m in members:
        held = holders.get(m.prefix)
        if held is not None and held.enterprise.tax_code != m.tax_code:
            report.problems.append(f"dòng {m.line}: tiền tố {m.prefix} đã được xác minh cho doanh nghiệp "
                                   f"{held.enterprise.tax_code}, danh sách ghi {m.tax_code}.")
    if report.problems or dry_run:
        return report
    note = "Theo danh sách thành viên của Trung tâm Mã số mã vạch Quốc gia" + (f" ({source})" if source else "") + "."
    now = timezone.now()
    with transaction.atomic():
        claims = {}
        for p in CompanyPrefix.objects.select_for_update().filter(prefix__in={m.prefix for m in members}):
            claims.setdefault(p.prefix, {})[p.enterprise_id] = p
        elsewhere = "Danh sách thành viên của Trung tâm Mã số mã vạch Quốc gia ghi tiền tố này cho doanh nghiệp khác" + (
            f" ({source})." if source else ".")
        for m in members:
            firm = firms[m.tax_code]
            for owner, claim in claims.get(m.prefix, {}).items():
                if owner != firm.pk and claim.status == CompanyPrefix.Status.PENDING:
                    claim.status, claim.verified_at, claim.note = CompanyPrefix.Status.REJECTED, now, elsewhere
                    claim.save()
                    report.claims_rejected += 1
            row = claims.get(m.prefix, {}).get(firm.pk)
            values = {"status": CompanyPrefix.Status.VERIFIED, "certificate_number": m.certificate_number,
                      "valid_from": m.valid_from, "valid_to": m.valid_to}
            if row is not None and all(getattr(row, k) == v for k, v in values.items()):
                report.unchanged += 1
                continue
            with recording("confirm"):  # the list is the evidence an officer would check
                if row is None:
                    CompanyPrefix.objects.create(enterprise=firm, prefix=m.prefix, verified_at=now, note=note, **values)
                    report.created += 1
                else:
                    for k, v in values.items():
                        setattr(row, k, v)
                    row.verified_at, row.verified_by, row.note = now, None, note
                    row.save()
                    report.updated += 1
    return report
