"""Import of enterprises, of yearly figures (importer_figures) and of the support of earlier years
(importer_support: closed, accepted dossiers) from Excel or CSV: the whole table is checked first;
any bad row means nothing is written and a report lists every row's errors in Vietnamese.
Re-importing a file creates no duplicates (rows are matched by tax code, and year) and updates what
changed. Bulk writes (50,000 rows in seconds) with one audit entry per created or changed object."""
from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from nscl.audit.api import record_bulk
from nscl.audit.models import AuditEntry
from nscl.audit.signals import snapshot
from nscl.common.bulk import create_objects, maker, pks_by
from nscl.common.locks import take_turns
from nscl.common.uploads import UnsafeOfficeFile, check_office_zip
from nscl.geo.models import MERGER_DATE

from . import mst, size, vsic
from .models import Enterprise, IndustryCode, Ownership, SectorGroup, YearlyFigures, fold
from .services import communes_on

# key, Vietnamese header (the template's), required
ENTERPRISE_COLUMNS = [
    ("tax_code", "Mã số thuế", True), ("name", "Tên doanh nghiệp", True), ("name_en", "Tên tiếng Anh", False),
    ("ownership", "Loại hình sở hữu", True), ("commune_code", "Mã xã/phường", False),
    ("vsic", "Mã ngành chính (VSIC)", False), ("vsic_version", "Phiên bản VSIC", False),
    ("sector_group", "Nhóm lĩnh vực", False), ("address", "Địa chỉ", False),
    ("registered_on", "Ngày đăng ký", False),
]
MONEY_FIELDS = ["revenue", "value_added", "intermediate_costs", "wage_bill", "total_capital", "fixed_assets",
                "materials", "energy", "investment", "exports"]
FIGURE_COLUMNS = [("tax_code", "Mã số thuế", True), ("year", "Năm", True), ("employees", "Lao động bình quân", False)] + [
    (f, str(YearlyFigures._meta.get_field(f).verbose_name).capitalize(), False) for f in MONEY_FIELDS]
# key, Vietnamese header, required: a closed, accepted support dossier of earlier years (importer_support)
SUPPORT_COLUMNS = [("tax_code", "Mã số thuế", True), ("support_content", "Nội dung hỗ trợ", True),
                   ("approved_on", "Ngày phê duyệt", True), ("accepted_on", "Ngày nghiệm thu", True),
                   ("amount", "Kinh phí hỗ trợ (đ)", True)]
KINDS = {"enterprises": ENTERPRISE_COLUMNS, "figures": FIGURE_COLUMNS, "support": SUPPORT_COLUMNS}
MAX_ROWS = 200_000


class ImportFileError(ValueError):
    """The file itself cannot be read (not the rows): a message for the user."""


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: dict = field(default_factory=dict)  # row number (as in the file) -> [messages]
    row_keys: dict = field(default_factory=dict)  # row number -> tax code as given
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def read_table(data: bytes, filename: str) -> list[list]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            check_office_zip(data, filename)  # a decompression bomb is refused before openpyxl sees it
        except UnsafeOfficeFile as e:
            raise ImportFileError(str(e)) from None
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                # blank rows are dropped as read; past the row limit the rest of the sheet is not read
                filled = (list(r) for r in wb.worksheets[0].iter_rows(values_only=True)
                          if any(c not in (None, "") for c in r))
                rows = list(itertools.islice(filled, MAX_ROWS + 2))
            finally:
                wb.close()
        except Exception:  # noqa: BLE001 - a sheet that does not parse is not a table either
            raise ImportFileError("Tệp không phải là bảng Excel (.xlsx) đọc được.") from None
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFileError("Tệp CSV phải được lưu với mã UTF-8.") from None
        first = text.split("\n", 1)[0]
        rows = list(csv.reader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ","))
    else:
        raise ImportFileError("Chỉ nhận tệp .xlsx hoặc .csv.")
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        raise ImportFileError("Tệp không có dòng nào.")
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(f"Tệp có quá {MAX_ROWS:,} dòng.".replace(",", "."))
    return rows


def _header_map(header, columns):
    names = {}
    for key, label, _req in columns:
        names[fold(key)] = key
        names[fold(label)] = key
    mapping, unknown = {}, []
    for i, h in enumerate(header):
        key = names.get(fold(str(h or "")).replace("_", " ")) or names.get(fold(str(h or "")))
        if key:
            mapping[key] = i
        elif h not in (None, ""):
            unknown.append(str(h))
    missing = [label for key, label, req in columns if req and key not in mapping]
    if missing:
        raise ImportFileError("Thiếu cột: " + ", ".join(f"“{m}”" for m in missing) + ". Tải mẫu để xem các cột.")
    return mapping


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+")


def _number(v, label, errors, integer=True):
    if v in (None, ""):
        return None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        d = Decimal(str(v))
    else:
        s = str(v).strip().replace(" ", "").replace("\u00a0", "").removesuffix("đ")
        if _THOUSANDS.fullmatch(s):
            s = s.replace(".", "")
        s = s.replace(",", ".")
        try:
            d = Decimal(s)
        except InvalidOperation:
            errors.append(f"{label}: “{v}” không phải là số.")
            return None
    if not d.is_finite():
        errors.append(f"{label}: “{v}” không phải là số.")
        return None
    if d < 0:
        errors.append(f"{label} không được âm ({v}).")
        return None
    if integer and d != d.to_integral_value():
        errors.append(f"{label} phải là số đồng nguyên ({v}).")
        return None
    if d >= Decimal(10) ** 18:
        errors.append(f"{label} quá lớn ({v}).")
        return None
    return d


def _date(v, errors, label="Ngày đăng ký"):
    """A date from an Excel date cell, dd/mm/yyyy or ISO yyyy-mm-dd text; `label` names the column."""
    if v in (None, ""):
        return None
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(str(v).strip(), fmt).date()
        except ValueError:
            pass
    errors.append(f"{label} “{v}” không đúng dạng dd/mm/yyyy.")
    return None


_OWNERSHIP = {**{fold(v): v for v in Ownership.values}, **{fold(str(label)): v for v, label in Ownership.choices},
              "nha nuoc": "state", "tu nhan": "private", "htx": "cooperative", "co von dau tu nuoc ngoai": "fdi"}
_SECTOR = {**{fold(v): v for v in SectorGroup.values}, **{fold(str(label)): v for v, label in SectorGroup.choices}}


def _check_enterprise_rows(rows, mapping, today, result):
    communes = {}
    seen = {}
    parsed = []
    folded = {}  # the few ownership and sector words of a file, folded once

    def choice(table, text):
        if text not in folded:
            folded[text] = fold(text)
        return table.get(folded[text])
    for n, row in rows:
        errors = []

        def cell(key):
            i = mapping.get(key)
            return row[i] if i is not None and i < len(row) else None
        given = _text(cell("tax_code"))
        result.row_keys[n] = given
        check = mst.check(given)
        tax_code = check.normalized
        if not check.valid:
            errors.append(f"Mã số thuế “{given}”: {check.reason}")
        elif tax_code in seen:
            errors.append(f"Mã số thuế {tax_code} trùng với dòng {seen[tax_code]}.")
        else:
            seen[tax_code] = n
        name = _text(cell("name"))
        if not name:
            errors.append("Thiếu tên doanh nghiệp.")
        elif len(name) > 250:
            errors.append("Tên doanh nghiệp dài quá 250 ký tự.")
        name_en = _text(cell("name_en"))[:250]
        ownership = choice(_OWNERSHIP, _text(cell("ownership")))
        if ownership is None:
            errors.append(f"Loại hình sở hữu “{_text(cell('ownership'))}” không hợp lệ; dùng: {', '.join(Ownership.values)}.")
        registered_on = _date(cell("registered_on"), errors)
        if registered_on and not (datetime.date(1945, 1, 1) <= registered_on <= today):
            errors.append(f"Ngày đăng ký {registered_on:%d/%m/%Y} không hợp lý.")
            registered_on = None
        day = registered_on or today
        commune = None
        code = _text(cell("commune_code"))
        if code:
            after = day >= MERGER_DATE  # old communes before 1/7/2025, new ones from it
            if after not in communes:
                communes[after] = communes_on(day if after else MERGER_DATE - datetime.timedelta(days=1))
            commune = communes[after].get(code)
            if commune is None:
                errors.append(f"Mã xã/phường “{code}” không có trong danh mục đơn vị hành chính hiệu lực ngày "
                              f"{day:%d/%m/%Y}.")
        version = _text(cell("vsic_version")) or vsic.V2025
        industry = _text(cell("vsic"))
        if version not in vsic.VERSIONS:
            errors.append(f"Phiên bản VSIC “{version}” không hợp lệ; dùng 2025 hoặc 2018.")
        elif industry and not vsic.exists(version, industry):
            errors.append(f"Mã ngành “{industry}” không có trong VSIC {version}.")
        sector_text = _text(cell("sector_group"))
        sector = choice(_SECTOR, sector_text) if sector_text else None
        if sector_text and sector is None:
            errors.append(f"Nhóm lĩnh vực “{sector_text}” không hợp lệ; dùng: {', '.join(size.SECTOR_GROUPS)}.")
        if not sector_text and not errors:
            section = vsic.section_of(version, industry) if industry else None
            if section is None:
                errors.append("Cần nhóm lĩnh vực hoặc mã ngành chính để xác định nhóm lĩnh vực.")
            else:
                sector = size.sector_of_section(section)
        if errors:
            result.errors[n] = errors
            continue
        parsed.append(dict(tax_code=tax_code, name=name, name_en=name_en, ownership=ownership, commune=commune,
                           address=_text(cell("address"))[:300], sector_group=sector, registered_on=registered_on,
                           vsic=(version, industry) if industry else None))
    return parsed


def _in_chunks(values, size=900):
    values = list(values)
    for i in range(0, len(values), size):
        yield values[i:i + size]


FIELDS = ("name", "name_en", "ownership", "commune_id", "address", "sector_group", "registered_on")


def _apply_enterprises(parsed, result):
    existing = {}  # the registered ones, found by plain SQL first (most rows of a first import are new)
    known = pks_by(Enterprise, ("tax_code",), [p["tax_code"] for p in parsed])
    for chunk in _in_chunks(known.values()):
        existing.update({e.tax_code: e for e in Enterprise.objects.filter(pk__in=chunk)})
    new, changed, audit = [], [], []
    make = maker(Enterprise, "tax_code", "registered_on", "name", "name_en", "ownership", "address", "sector_group",
                 "commune_id", "search_text")
    for p in parsed:
        e = existing.get(p["tax_code"])
        values = {k: p[k] for k in ("name", "name_en", "ownership", "address", "sector_group")}
        values["commune_id"] = p["commune"].pk if p["commune"] else None
        if e is None:
            new.append(make(p["tax_code"], p["registered_on"], *values.values(),
                            fold(f"{values['name']} {values['name_en']}")[:520]))
            continue
        if p["registered_on"]:
            values["registered_on"] = p["registered_on"]
        if not p["commune"]:
            values.pop("commune_id")  # an empty cell keeps the commune already known
        diff = {k: v for k, v in values.items() if getattr(e, k) != v}
        if diff:
            before = snapshot(e)
            for k, v in diff.items():
                setattr(e, k, v)
            e.search_text = fold(f"{e.name} {e.name_en}")[:520]
            changed.append(e)
            audit.append((AuditEntry.Action.UPDATE, e, before))
    create_objects(Enterprise, new, "tax_code")
    Enterprise.objects.bulk_update(changed, [*FIELDS, "search_text", "updated_at"], batch_size=1000)
    audit += [(AuditEntry.Action.CREATE, e, None) for e in new]
    by_code = {**existing, **{e.tax_code: e for e in new}}
    # branches: the parent is the enterprise with the branch's first 10 digits, when registered
    parents = [(e, mst.parent_code(e.tax_code)) for e in by_code.values() if e.is_branch and e.parent_id is None]
    wanted = {code for _e, code in parents}
    known = {}
    for chunk in _in_chunks(wanted):
        known.update(dict(Enterprise.objects.filter(tax_code__in=chunk).values_list("tax_code", "pk")))
    linked = []
    for e, code in parents:
        if code in known:
            e.parent_id = known[code]
            linked.append(e)
    # and branches registered before their parent, now that the parent is here
    for e in Enterprise.objects.filter(parent__isnull=True, tax_code__contains="-"):
        parent = by_code.get(mst.parent_code(e.tax_code))
        if parent is not None and e.tax_code not in by_code:
            before = snapshot(e)
            e.parent_id = parent.pk
            linked.append(e)
            audit.append((AuditEntry.Action.UPDATE, e, before))
    Enterprise.objects.bulk_update(linked, ["parent"], batch_size=1000)
    audit += _apply_industries(parsed, by_code, {e.pk for e in new})
    record_bulk(audit)
    result.created, result.updated = len(new), len(changed)
    result.unchanged = len(parsed) - len(new) - len(changed)


def _apply_industries(parsed, by_code, created=frozenset()):
    """The primary industry of each row: added, or replacing the previous primary code. Enterprises
    `created` (pks) by this import have no codes yet: they are not looked up."""
    ids = [by_code[p["tax_code"]].pk for p in parsed if p["vsic"]]
    ids = [i for i in ids if i not in created]
    primary = {}
    for chunk in _in_chunks(ids):
        primary.update({i.enterprise_id: i for i in IndustryCode.objects.filter(enterprise_id__in=chunk, is_primary=True)})
    stale, fresh, audit = [], [], []
    make = maker(IndustryCode, "enterprise_id", "version", "code", "is_primary")
    for p in parsed:
        if not p["vsic"]:
            continue
        e = by_code[p["tax_code"]]
        version, code = p["vsic"]
        old = primary.get(e.pk)
        if old and (old.version, old.code) == (version, code):
            continue
        if old:
            stale.append(old.pk)
            audit.append((AuditEntry.Action.DELETE, old, snapshot(old)))
        fresh.append(make(e.pk, version, code, True))
    for chunk in _in_chunks(stale):
        IndustryCode.objects.filter(pk__in=chunk).delete()
    fresh_keys = {(i.enterprise_id, i.version, i.code) for i in fresh}
    # the same code as a secondary one before
    for chunk in _in_chunks(list({i.enterprise_id for i in fresh if i.enterprise_id not in created})):
        for dup in IndustryCode.objects.filter(enterprise_id__in=chunk, is_primary=False):
            if (dup.enterprise_id, dup.version, dup.code) in fresh_keys:
                dup.delete()
    create_objects(IndustryCode, fresh, "enterprise_id", "version", "code")
    return audit + [(AuditEntry.Action.CREATE, i, None) for i in fresh]


from .importer_figures import apply_figures, check_figure_rows  # noqa: E402
from .importer_support import apply_support, check_support_rows  # noqa: E402


def run_import(data: bytes, filename: str, kind: str = "enterprises", dry_run: bool = False,
               today: datetime.date | None = None) -> ImportResult:
    """Check the whole table; write only when every row is right (and not a dry run)."""
    if kind not in KINDS:
        raise ImportFileError("Loại dữ liệu nhập không hợp lệ.")
    today = today or datetime.date.today()
    table = read_table(data, filename)
    mapping = _header_map(table[0], KINDS[kind])
    rows = list(enumerate(table[1:], start=2))  # row numbers as a spreadsheet shows them
    result = ImportResult(kind=kind, rows=len(rows), dry_run=dry_run)
    if kind == "enterprises":
        parsed = _check_enterprise_rows(rows, mapping, today, result)
    elif kind == "figures":
        parsed = check_figure_rows(rows, mapping, today, result, _text, _number)
    else:
        parsed = check_support_rows(rows, mapping, today, result, _text, _number, _date)
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        # imports take turns: two files naming the same enterprise (or one sent twice at once) would
        # otherwise both find it missing and both insert it; the second now finds it there
        take_turns("enterprises.import")
        if kind == "enterprises":
            _apply_enterprises(parsed, result)
        elif kind == "figures":
            apply_figures(parsed, result, _in_chunks)
        else:
            apply_support(parsed, result, _in_chunks, source=filename)
    return result
