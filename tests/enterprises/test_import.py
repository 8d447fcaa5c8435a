"""Import: the whole file or nothing, every row's errors in Vietnamese, idempotent re-import that
updates changed names, headers in Vietnamese or as keys, CSV and Excel; yearly figures and size."""
import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from nscl.audit.models import AuditEntry
from nscl.enterprises.exports import report_xlsx, template_xlsx
from nscl.enterprises.importer import ImportFileError, run_import
from nscl.enterprises.models import Enterprise, IndustryCode, YearlyFigures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _past_years_open(settings):
    """These tests import past years' figures to test the import itself; reporting years closing
    (and refusing such rows) is tests/enterprises/test_periods.py."""
    settings.NSCL_FIGURES_CLOSE = ""
TODAY = datetime.date(2026, 11, 27)
KEYS = "tax_code,name,name_en,ownership,commune_code,vsic,vsic_version,sector_group,address"
GOOD = [
    "0100109106,Công ty CP Phố Hiến,Pho Hien JSC,private,11953,10790,,,Phường Phố Hiến",
    "0100109106-001,Chi nhánh Phố Hiến,,private,11953,,,industry_construction,",
    "0314409058,Công ty TNHH Thương mại Hưng,,fdi,,4663,2018,,",
]


def csv_bytes(lines, header=KEYS):
    return ("\ufeff" + "\n".join([header, *lines]) + "\n").encode()


def test_good_file_creates_everything_and_reimport_creates_nothing():
    r = run_import(csv_bytes(GOOD), "dn.csv", today=TODAY)
    assert r.ok and (r.rows, r.created, r.updated, r.unchanged) == (3, 3, 0, 0)
    parent = Enterprise.objects.get(tax_code="0100109106")
    branch = Enterprise.objects.get(tax_code="0100109106-001")
    trade = Enterprise.objects.get(tax_code="0314409058")
    assert branch.parent == parent and parent.commune.name == "Phường Phố Hiến"
    assert parent.sector_group == "industry_construction"  # 10790 is in section C
    assert trade.sector_group == "trade_services" and trade.ownership == "fdi"
    assert list(trade.industries.values_list("version", "code", "is_primary")) == [("2018", "4663", True)]
    assert AuditEntry.objects.filter(model="enterprises.Enterprise", action="create").count() == 3
    again = run_import(csv_bytes(GOOD), "dn.csv", today=TODAY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Enterprise.objects.count() == 3 and IndustryCode.objects.count() == 2
    renamed = [GOOD[0].replace("Công ty CP Phố Hiến", "Công ty Cổ phần Phố Hiến Mới").replace("10790", "10710"), *GOOD[1:]]
    third = run_import(csv_bytes(renamed), "dn.csv", today=TODAY)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    parent.refresh_from_db()
    assert parent.name == "Công ty Cổ phần Phố Hiến Mới" and parent.search_text == "cong ty co phan pho hien moi pho hien jsc"
    assert list(parent.industries.values_list("code", flat=True)) == ["10710"]
    assert AuditEntry.objects.filter(model="enterprises.Enterprise", action="update").count() == 1


def test_one_bad_row_means_nothing_written_and_every_error_reported():
    lines = GOOD + [
        "0100109107,Sai số kiểm tra,,private,,10790,,,",
        "0100109106-000,Chi nhánh 000,,private,,10790,,,",
        "0314409058,Trùng mã,,private,,10790,,,",
        "0101234567,,,boss,99999,46731,2018,mining,",
        "0100109106-002,Ngành không có,,state,,4663,2024,,",
    ]
    audited_before = AuditEntry.objects.count()  # the reference catalogue's entries are there already
    r = run_import(csv_bytes(lines), "dn.csv", today=TODAY)
    assert not r.ok and Enterprise.objects.count() == 0 and AuditEntry.objects.count() == audited_before
    assert sorted(r.errors) == [5, 6, 7, 8, 9]
    assert r.errors[5] == ["Mã số thuế “0100109107”: Sai chữ số kiểm tra của mã số thuế (chữ số thứ 10 phải là 6, không phải 7)."]
    assert "không được là 000" in r.errors[6][0]
    assert r.errors[7] == ["Mã số thuế 0314409058 trùng với dòng 4."]
    row8 = " | ".join(r.errors[8])
    assert "Thiếu tên doanh nghiệp." in row8 and "Loại hình sở hữu “boss” không hợp lệ" in row8
    assert "Mã xã/phường “99999” không có trong danh mục đơn vị hành chính hiệu lực ngày 27/11/2026." in row8
    assert "Mã ngành “46731” không có trong VSIC 2018." in row8 and "Nhóm lĩnh vực “mining” không hợp lệ" in row8
    assert r.errors[9] == ["Phiên bản VSIC “2024” không hợp lệ; dùng 2025 hoặc 2018."]
    report = load_workbook(io.BytesIO(report_xlsx(r))).active
    rows = list(report.iter_rows(values_only=True))
    assert rows[0] == ("Dòng", "Mã số thuế", "Kết quả", "Lỗi") and len(rows) == 1 + 8
    assert rows[1][:3] == (2, "0100109106", "Hợp lệ") and rows[4][:3] == (5, "0100109107", "Lỗi")


def test_old_commune_codes_need_an_old_registration_date():
    header = KEYS + ",registered_on"
    old_only = "0100109106,Công ty Cũ,,private,11950,10790,2018,,,01/03/2020"   # Phường Lam Sơn, ended 30/06/2025
    r = run_import(csv_bytes([old_only], header), "dn.csv", today=TODAY)
    assert r.ok
    e = Enterprise.objects.get()
    assert e.commune.valid_to == datetime.date(2025, 6, 30) and e.registered_on == datetime.date(2020, 3, 1)
    r = run_import(csv_bytes(["0314409058,Công ty Mới,,private,11950,10790,,,,01/09/2025"], header), "dn.csv", today=TODAY)
    assert r.errors == {2: ["Mã xã/phường “11950” không có trong danh mục đơn vị hành chính hiệu lực ngày 01/09/2025."]}


def test_vietnamese_headers_in_excel_and_template_round_trip():
    wb = load_workbook(io.BytesIO(template_xlsx("enterprises")))
    assert [c.value for c in wb.active[1]][:4] == ["Mã số thuế", "Tên doanh nghiệp", "Tên tiếng Anh", "Loại hình sở hữu"]
    buf = io.BytesIO()
    wb.save(buf)
    r = run_import(buf.getvalue(), "mau.xlsx", today=TODAY)
    assert r.ok and r.created == 1
    e = Enterprise.objects.get()
    assert (e.tax_code, e.name, e.commune.code, e.registered_on) == ("0100109106", "Công ty TNHH Ví Dụ", "11953",
                                                                     datetime.date(2026, 3, 15))


def test_unreadable_files_and_missing_columns():
    with pytest.raises(ImportFileError, match="Chỉ nhận tệp .xlsx hoặc .csv"):
        run_import(b"x", "a.txt")
    with pytest.raises(ImportFileError, match="không phải là bảng Excel"):
        run_import(b"PK\x03\x04junk", "a.xlsx")
    with pytest.raises(ImportFileError, match="Thiếu cột: “Tên doanh nghiệp”, “Loại hình sở hữu”"):
        run_import(csv_bytes([], header="tax_code"), "a.csv")
    assert Enterprise.objects.count() == 0


def figures_xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã số thuế", "Năm", "Lao động bình quân", "Doanh thu (đ)", "Giá trị tăng thêm (đ)", "Tổng nguồn vốn (đ)"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_figures_import_sets_size_and_is_all_or_nothing():
    run_import(csv_bytes(GOOD), "dn.csv", today=TODAY)
    bad = figures_xlsx([["0100109106", 2024, 12, 4_000_000_000, 1_200_000_000, 2_000_000_000],
                        ["0100109106", 2025, -3, 1, 1, 1], ["0999999999", 2025, 1, 1, 1, 1], ["0100109106", 2030, 1, 1, 1, 1]])
    r = run_import(bad, "so-lieu.xlsx", kind="figures", today=TODAY)
    assert sorted(r.errors) == [3, 4, 5] and YearlyFigures.objects.count() == 0
    assert r.errors[3] == ["Lao động bình quân không được âm (-3)."]
    assert "Mã số thuế “0999999999”" in r.errors[4][0]
    assert r.errors[5] == ["Năm 2030 ngoài khoảng 2000-2026."]
    good = figures_xlsx([["0100109106", 2024, 12, 4_000_000_000, 1_200_000_000, 2_000_000_000],
                         ["0100109106", 2025, 9, "2.500.000.000", 1_000_000_000, 4_000_000_000]])
    r = run_import(good, "so-lieu.xlsx", kind="figures", today=TODAY)
    assert r.ok and r.created == 2
    e = Enterprise.objects.get(tax_code="0100109106")
    # 2025, industry: 9 ≤ 10 employees and revenue 2.5 bn ≤ 3 bn → micro
    assert (e.size_class, e.size_year) == ("micro", 2025)
    f = e.figures.get(year=2024)
    assert f.labour_productivity == 100_000_000  # 1.2 bn / 12
    assert run_import(good, "so-lieu.xlsx", kind="figures", today=TODAY).unchanged == 2


def test_a_branch_imported_before_its_parent_is_linked_when_the_parent_comes():
    assert run_import(csv_bytes([GOOD[1]]), "chi-nhanh.csv", today=TODAY).ok
    branch = Enterprise.objects.get(tax_code="0100109106-001")
    assert branch.parent is None
    assert run_import(csv_bytes([GOOD[0]]), "cong-ty.csv", today=TODAY).ok
    branch.refresh_from_db()
    assert branch.parent.tax_code == "0100109106"
    entry = AuditEntry.objects.filter(model="enterprises.Enterprise", object_id=str(branch.pk), action="update").get()
    assert entry.before["parent"] is None and entry.after["parent"] == branch.parent.pk
