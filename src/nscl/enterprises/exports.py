"""Spreadsheets the registry writes: import templates, import error reports, the enterprise list.
All through nscl.common.downloads.workbook_bytes (formula-safe)."""
from __future__ import annotations

from openpyxl import Workbook

from nscl.common.downloads import style_header, workbook_bytes

from . import vsic
from .importer import KINDS
from .models import Ownership, SectorGroup, SupportContent

EXAMPLES = {
    "enterprises": ["0100109106", "Công ty TNHH Ví Dụ", "Example Co., Ltd", "private", "11953", "10790", "2025",
                    "industry_construction", "Phường Phố Hiến, tỉnh Hưng Yên", "15/03/2026"],
    "figures": ["0100109106", 2025, 25, 12_000_000_000, 3_000_000_000, None, 2_400_000_000, 8_000_000_000,
                5_000_000_000, 6_000_000_000, 400_000_000, 1_000_000_000, 0],
    "support": ["0100109106", "iso-9001", "15/03/2019", "20/11/2019", 50_000_000],
}


def _sheet(ws, header, rows):
    ws.append(header)
    style_header(ws[1])
    for r in rows:
        ws.append(list(r))
    for i, h in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, min(40, len(str(h)) + 4))


def template_xlsx(kind: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Mẫu nhập"
    _sheet(ws, [label for _k, label, _r in KINDS[kind]], [EXAMPLES[kind]])
    guide = wb.create_sheet("Hướng dẫn")
    rows = [(label, key, "bắt buộc" if req else "") for key, label, req in KINDS[kind]]
    if kind == "enterprises":
        rows += [("", "", ""), ("Loại hình sở hữu", ", ".join(f"{v} = {label}" for v, label in Ownership.choices), ""),
                 ("Nhóm lĩnh vực", ", ".join(f"{v} = {label}" for v, label in SectorGroup.choices),
                  "để trống: theo ngành chính"),
                 ("Phiên bản VSIC", "2025 (mặc định) hoặc 2018", ", ".join(vsic.VERSION_LABELS.values())),
                 ("Mã xã/phường", "mã đơn vị hành chính hiệu lực vào ngày đăng ký (từ 01/07/2025: xã/phường mới)", "")]
    elif kind == "support":
        rows += [("", "", ""), ("Nội dung hỗ trợ", "mã hoặc tên trong danh mục: " + ", ".join(
                     SupportContent.objects.order_by("code").values_list("code", flat=True)), ""),
                 ("Ngày phê duyệt, ngày nghiệm thu", "dd/mm/yyyy hoặc yyyy-mm-dd", "nghiệm thu không trước phê duyệt"),
                 ("Kinh phí hỗ trợ (đ)", "số đồng nguyên, không âm", "mức được duyệt và đã thanh toán")]
    _sheet(guide, ["Cột", "Khóa / giá trị", "Ghi chú"], rows)
    return workbook_bytes(wb)


def report_xlsx(result) -> bytes:
    """Every row of the file: valid, or its errors (Vietnamese)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Kết quả kiểm tra"
    rows = []
    for n in sorted(result.row_keys):
        errs = result.errors.get(n, [])
        rows.append((n, result.row_keys[n], "Lỗi" if errs else "Hợp lệ", "; ".join(errs)))
    _sheet(ws, ["Dòng", "Mã số thuế", "Kết quả", "Lỗi"], rows)
    ws.column_dimensions["D"].width = 100
    return workbook_bytes(wb)


def enterprises_xlsx(qs) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Doanh nghiệp"
    rows = ((e.tax_code, e.name, e.name_en, e.get_ownership_display(), e.commune.code if e.commune else "",
             e.commune.name if e.commune else "", e.address, e.get_sector_group_display(),
             e.get_size_class_display() if e.size_class else "", e.size_year or "")
            for e in qs.select_related("commune").iterator(chunk_size=2000))
    _sheet(ws, ["Mã số thuế", "Tên doanh nghiệp", "Tên tiếng Anh", "Sở hữu", "Mã xã/phường", "Xã/phường", "Địa chỉ",
                "Nhóm lĩnh vực", "Quy mô", "Năm xác định quy mô"], rows)
    return workbook_bytes(wb)
