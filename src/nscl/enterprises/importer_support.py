"""Rows of a support-history import: each row is a support of earlier years that was approved and
accepted (nghiệm thu), recorded as a closed dossier so the registry knows when each enterprise was
first supported (the impact page's treatment year) and with how much.

The row's key is (enterprise, content, acceptance date): importing the same file again creates
nothing; an existing dossier with that key (imported, migrated or run through the workflow) is the
same support. Its approved amount is locked (dossiers.LOCKED), so a different amount for the same
key is an error, never an overwrite."""
from __future__ import annotations

import datetime

from nscl.audit.context import acting_user
from nscl.audit.api import record_bulk
from nscl.audit.models import AuditEntry
from nscl.audit.signals import snapshot

from .dossiers import Dossier, DossierStep, Status
from .importer_figures import FIRST_YEAR, start_row
from .models import Enterprise, SupportContent, fold

EARLIEST = datetime.date(FIRST_YEAR, 1, 1)
IMPORT_STEP = "import"  # DossierStep.transition of an imported dossier (not a workflow move)


def content_index() -> dict:
    """Folded code (with '_' or '-'), name and English name → SupportContent."""
    index = {}
    for c in SupportContent.objects.all():
        for key in (c.code, c.code.replace("-", "_"), c.code.replace("-", ""), c.name, c.name_en):
            if key:
                index.setdefault(fold(key), c)
    return index


def _day(value, label, errors, today, date):
    day = date(value, errors, label)
    if day is None:
        if value in (None, ""):
            errors.append(f"Thiếu {label.lower()}.")
        return None
    if not (EARLIEST <= day <= today):
        errors.append(f"{label} {day:%d/%m/%Y} ngoài khoảng {EARLIEST:%d/%m/%Y}-{today:%d/%m/%Y}.")
        return None
    return day


def check_support_rows(rows, mapping, today, result, text, number, date):
    contents = content_index()
    pre, codes = [], set()
    for n, row in rows:
        cell, errors, check = start_row(n, row, mapping, result, text)
        if check.valid:
            codes.add(check.normalized)
        name = text(cell("support_content"))
        content = contents.get(fold(name)) if name else None
        if not name:
            errors.append("Thiếu nội dung hỗ trợ.")
        elif content is None:
            errors.append(f"Nội dung hỗ trợ “{name}” không có trong danh mục; dùng mã (vd. iso-9001, 5s, kaizen) hoặc "
                          "tên như trong danh mục nội dung hỗ trợ.")
        approved = _day(cell("approved_on"), "Ngày phê duyệt", errors, today, date)
        accepted = _day(cell("accepted_on"), "Ngày nghiệm thu", errors, today, date)
        if approved and accepted and accepted < approved:
            errors.append(f"Ngày nghiệm thu ({accepted:%d/%m/%Y}) trước ngày phê duyệt ({approved:%d/%m/%Y}).")
        amount = number(cell("amount"), "Kinh phí hỗ trợ", errors)
        if amount is None and cell("amount") in (None, ""):
            errors.append("Thiếu kinh phí hỗ trợ (đồng; 0 nếu không có kinh phí).")
        pre.append((n, check.normalized if check.valid else None, content, approved, accepted, amount, errors))
    known = {}
    codes = list(codes)
    for i in range(0, len(codes), 900):
        known.update({e.tax_code: e for e in Enterprise.objects.filter(tax_code__in=codes[i:i + 900])})
    parsed, seen = [], {}
    for n, code, content, approved, accepted, amount, errors in pre:
        if code and code not in known:
            errors.append(f"Chưa có doanh nghiệp với mã số thuế {code}: nhập danh sách doanh nghiệp trước.")
        key = (code, content.pk if content else None, accepted)
        if all(key) and key in seen:
            errors.append(f"Hỗ trợ “{content.code}” nghiệm thu ngày {accepted:%d/%m/%Y} của {code} trùng với dòng "
                          f"{seen[key]}.")
        elif all(key):
            seen[key] = n
        if errors:
            result.errors[n] = errors
        else:
            parsed.append((n, known[code], content, approved, accepted, amount))
    _check_existing(parsed, result)
    return [p for p in parsed if p[0] not in result.errors]


def _existing(parsed):
    """Dossiers already there with a row's key: {(enterprise id, content id, accepted_on): dossier}."""
    ids = list({e.pk for _n, e, *_rest in parsed})
    found = {}
    for i in range(0, len(ids), 900):
        for d in Dossier.objects.filter(enterprise_id__in=ids[i:i + 900], accepted_on__isnull=False):
            found.setdefault((d.enterprise_id, d.content_id, d.accepted_on), d)
    return found


def _check_existing(parsed, result):
    found = _existing(parsed)
    for n, e, content, _approved, accepted, amount in parsed:
        d = found.get((e.pk, content.pk, accepted))
        if d is not None and d.approved_amount is not None and d.approved_amount != amount:
            result.errors[n] = [f"Đã có hồ sơ hỗ trợ “{content.code}” nghiệm thu ngày {accepted:%d/%m/%Y} của "
                                f"{e.tax_code} với kinh phí {int(d.approved_amount):,} đ; kinh phí đã duyệt không sửa "
                                "được.".replace(",", ".")]


def apply_support(parsed, result, in_chunks, source=""):
    found = _existing(parsed)
    user = acting_user.get()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    new, changed, audit = [], [], []
    for _n, e, content, approved, accepted, amount in parsed:
        d = found.get((e.pk, content.pk, accepted))
        if d is None:
            new.append(Dossier(enterprise=e, content=content, title=content.name[:300], status=Status.CLOSED,
                               applied_on=approved, total_cost=amount, requested_amount=amount,
                               proposed_amount=amount, approved_amount=amount, paid_amount=amount,
                               decision_date=approved, accepted_on=accepted, closed_on=accepted, created_by=user))
        elif d.decision_date != approved:
            before = snapshot(d)
            d.decision_date = approved
            changed.append(d)
            audit.append((AuditEntry.Action.UPDATE, d, before))
    Dossier.objects.bulk_create(new, batch_size=1000)
    if any(d.pk is None for d in new):  # backends that return no keys
        keys = {(d.enterprise_id, d.content_id, d.accepted_on) for d in new}
        made = {}
        for chunk in in_chunks(list({d.enterprise_id for d in new})):
            for pk, eid, cid, day in Dossier.objects.filter(enterprise_id__in=chunk).values_list(
                    "pk", "enterprise_id", "content_id", "accepted_on"):
                if (eid, cid, day) in keys:
                    made[(eid, cid, day)] = pk
        for d in new:
            d.pk = made[(d.enterprise_id, d.content_id, d.accepted_on)]
    Dossier.objects.bulk_update(changed, ["decision_date"], batch_size=1000)
    note = "Nhập hồ sơ đã nghiệm thu từ dữ liệu lịch sử" + (f" (tệp {source})" if source else "") + "."
    steps = [DossierStep(dossier_id=d.pk, transition=IMPORT_STEP, from_status="", to_status=Status.CLOSED, by=user,
                         notes=note[:500]) for d in new]
    DossierStep.objects.bulk_create(steps, batch_size=1000)
    audit += [(AuditEntry.Action.CREATE, d, None) for d in new]
    audit += [(AuditEntry.Action.CREATE, s, None) for s in steps if s.pk]
    record_bulk(audit)
    result.created, result.updated = len(new), len(changed)
    result.unchanged = len(parsed) - len(new) - len(changed)

