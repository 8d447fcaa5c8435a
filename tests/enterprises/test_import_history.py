"""History import (issue 12, item 1): yearly figures and support of earlier years from .xlsx/.csv,
by command and on the import page; all or nothing, idempotent, Vietnamese headers or English keys;
bad rows named by row and column, nothing written."""
import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from nscl.accounts.models import Role
from nscl.audit.models import AuditEntry
from nscl.cli import main
from nscl.enterprises.dossiers import Dossier, DossierStep
from nscl.enterprises.exports import template_xlsx
from nscl.enterprises.importer import run_import
from nscl.enterprises.models import YearlyFigures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _past_years_open(settings):
    """These tests import past years' figures to test the import itself; reporting years closing
    (and refusing such rows) is tests/enterprises/test_periods.py."""
    settings.NSCL_FIGURES_CLOSE = ""
TODAY = datetime.date(2026, 11, 27)
FIGURE_KEYS = "tax_code,year,revenue,value_added,employees,wage_bill,fixed_assets,materials,energy,investment,exports"
SUPPORT_KEYS = "tax_code,support_content,approved_on,accepted_on,amount"


def csv_file(tmp_path, name, header, lines):
    path = tmp_path / name
    path.write_text("\ufeff" + "\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def nscl(capsys, *args):
    with pytest.raises(SystemExit) as ended:
        main(list(args))
    out = capsys.readouterr()
    return ended.value.code, out.out, out.err


@pytest.fixture
def firms(enterprises, catalogue):
    return enterprises


def test_import_figures_command_all_keys_blanks_and_idempotent(firms, tmp_path, capsys):
    path = csv_file(tmp_path, "so-lieu.csv", FIGURE_KEYS, [
        "0100109106,2019,12000000000,3000000000,25,2400000000,8000000000,5000000000,600000000,400000000,1000000000",
        "0100109106,2020,13000000000,3300000000,26,,,,,,",
        "0314409058,2020,,,,,,,,,",
    ])
    code, out, err = nscl(capsys, "enterprise", "import-figures", str(path))
    assert code == 0, err
    assert out.strip() == "Đã nhập 3 dòng: tạo mới 3, cập nhật 0, không đổi 0."
    f = YearlyFigures.objects.get(enterprise__tax_code="0100109106", year=2019)
    assert (f.revenue, f.value_added, f.employees, f.wage_bill, f.fixed_assets, f.materials, f.energy, f.investment,
            f.exports) == (12_000_000_000, 3_000_000_000, 25, 2_400_000_000, 8_000_000_000, 5_000_000_000,
                           600_000_000, 400_000_000, 1_000_000_000)
    assert f.labour_productivity == 120_000_000
    blank = YearlyFigures.objects.get(enterprise__tax_code="0314409058", year=2020)
    assert blank.revenue is None and blank.employees is None
    code, out, _ = nscl(capsys, "enterprise", "import-figures", str(path))
    assert code == 0 and out.strip() == "Đã nhập 3 dòng: tạo mới 0, cập nhật 0, không đổi 3."
    assert YearlyFigures.objects.count() == 3


def test_bad_figures_name_row_and_column_and_write_nothing(firms, tmp_path, capsys):
    audited = AuditEntry.objects.count()
    path = csv_file(tmp_path, "sai.csv", FIGURE_KEYS, [
        "0100109106,2019,12000000000,3000000000,25,,,,,,",      # row 2: good
        "0999999999,2019,1,1,1,,,,,,",                           # row 3: unknown (and invalid) tax code
        "0100109113,2019,1,1,1,,,,,,",                           # row 4: valid MST, not registered
        "0100109106,1990,1,1,1,,,,,,",                           # row 5: year out of range
        "0100109106,2021,1,1,-4,,,,,,",                          # row 6: negative employees
        "0100109106,2022,9000000000,2000000000,0,,,,,,",        # row 7: value added with zero employees
    ])
    code, out, err = nscl(capsys, "enterprise", "import-figures", str(path))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert lines[-1] == "5/6 dòng có lỗi: không nhập dòng nào."
    assert lines[0].startswith("Dòng 3: Mã số thuế “0999999999”: ")
    assert lines[1] == "Dòng 4: Chưa có doanh nghiệp với mã số thuế 0100109113: nhập danh sách doanh nghiệp trước."
    assert lines[2] == "Dòng 5: Năm 1990 ngoài khoảng 2000-2026."
    assert lines[3] == "Dòng 6: Lao động bình quân không được âm (-4)."
    assert lines[4] == ("Dòng 7: Cột “Giá trị tăng thêm (đ)”: có giá trị tăng thêm nhưng cột “Lao động bình quân” bằng 0 "
                        "(năng suất lao động không xác định); nhập số lao động bình quân hoặc để trống giá trị tăng thêm.")
    assert YearlyFigures.objects.count() == 0 and AuditEntry.objects.count() == audited


def test_value_added_computed_from_revenue_with_zero_employees_is_refused_too(firms):
    header = "tax_code,year,revenue,intermediate_costs,employees"
    r = run_import(f"{header}\n0100109106,2020,5000,3000,0\n0100109106,2021,0,0,0\n".encode(), "a.csv",
                   kind="figures", today=TODAY)
    assert sorted(r.errors) == [2]  # 2021: no value added, zero employees is fine
    assert "bằng 0" in r.errors[2][0]


def test_import_support_creates_closed_accepted_dossiers_idempotently(firms, tmp_path, capsys, make_user):
    path = csv_file(tmp_path, "ho-tro.csv", SUPPORT_KEYS, [
        "0100109106,iso_9001,15/03/2019,20/11/2019,50000000",
        "0100109106,5S,2020-02-01,2020-09-30,\"30.000.000\"",
        "0314409058,Hệ thống quản lý chất lượng TCVN ISO 9001,01/04/2018,01/04/2018,0",
    ])
    code, out, err = nscl(capsys, "enterprise", "import-support", str(path))
    assert code == 0, err
    assert out.strip() == "Đã nhập 3 dòng: tạo mới 3, cập nhật 0, không đổi 0."
    d = Dossier.objects.get(enterprise__tax_code="0100109106", content__code="iso-9001")
    assert (d.status, d.decision_date, d.accepted_on, d.closed_on, d.applied_on) == (
        "closed", datetime.date(2019, 3, 15), datetime.date(2019, 11, 20), datetime.date(2019, 11, 20),
        datetime.date(2019, 3, 15))
    assert (d.approved_amount, d.paid_amount, d.requested_amount, d.total_cost) == (50_000_000,) * 4
    assert d.is_locked and not d.is_demo
    five_s = Dossier.objects.get(content__code="5s")
    assert (five_s.accepted_on, five_s.approved_amount) == (datetime.date(2020, 9, 30), 30_000_000)
    step = DossierStep.objects.get(dossier=d)
    assert (step.transition, step.to_status) == ("import", "closed") and "ho-tro.csv" in step.notes
    assert AuditEntry.objects.filter(model="enterprises.Dossier", action="create").count() == 3
    code, out, _ = nscl(capsys, "enterprise", "import-support", str(path))
    assert code == 0 and out.strip() == "Đã nhập 3 dòng: tạo mới 0, cập nhật 0, không đổi 3."
    assert Dossier.objects.count() == 3 and DossierStep.objects.count() == 3


def test_support_already_in_the_registry_is_the_same_support(firms, make_dossier):
    """A dossier run through the workflow (or migrated) with the row's key is not duplicated; its
    approved amount is locked, so a different amount is an error."""
    make_dossier(firms["parent"], year=2023, content="iso-9001", amount=40_000_000)  # accepted 01/06/2023
    same = f"{SUPPORT_KEYS}\n0100109106,iso-9001,10/01/2023,01/06/2023,40000000\n".encode()
    r = run_import(same, "a.csv", kind="support", today=TODAY)
    assert r.ok and (r.created, r.unchanged) == (0, 0) and r.updated == 1  # the approval date was not known
    assert Dossier.objects.count() == 1
    other = f"{SUPPORT_KEYS}\n0100109106,iso-9001,10/01/2023,01/06/2023,45000000\n".encode()
    r = run_import(other, "a.csv", kind="support", today=TODAY)
    assert r.errors == {2: ["Đã có hồ sơ hỗ trợ “iso-9001” nghiệm thu ngày 01/06/2023 của 0100109106 với kinh phí "
                            "40.000.000 đ; kinh phí đã duyệt không sửa được."]}


def test_bad_support_rows_are_each_named_and_nothing_is_written(firms, tmp_path, capsys):
    audited = AuditEntry.objects.count()
    path = csv_file(tmp_path, "sai.csv", SUPPORT_KEYS, [
        "0100109106,iso-9001,15/03/2019,20/11/2019,50000000",   # row 2: good
        "0100109113,iso-9001,15/03/2019,20/11/2019,1",           # row 3: unknown enterprise
        "0100109106,iso-9001,20/11/2019,15/03/2019,1",           # row 4: accepted before approved
        "0100109106,six sigma black belt,15/03/2019,20/11/2019,1",  # row 5: unknown content
        "0100109106,kaizen,31/02/2019,2030-01-01,-5",            # row 6: bad date, future, negative
        "0100109106,iso_9001,15/03/2019,2019-11-20,50000000",   # row 7: same as row 2
    ])
    code, out, err = nscl(capsys, "enterprise", "import-support", str(path))
    assert code == 1
    lines = err.strip().splitlines()
    assert lines == [
        "Dòng 3: Chưa có doanh nghiệp với mã số thuế 0100109113: nhập danh sách doanh nghiệp trước.",
        "Dòng 4: Ngày nghiệm thu (15/03/2019) trước ngày phê duyệt (20/11/2019).",
        "Dòng 5: Nội dung hỗ trợ “six sigma black belt” không có trong danh mục; dùng mã (vd. iso-9001, 5s, kaizen) "
        "hoặc tên như trong danh mục nội dung hỗ trợ.",
        "Dòng 6: Ngày phê duyệt “31/02/2019” không đúng dạng dd/mm/yyyy.",
        "Dòng 6: Ngày nghiệm thu 01/01/2030 ngoài khoảng 01/01/2000-" + datetime.date.today().strftime("%d/%m/%Y") + ".",
        "Dòng 6: Kinh phí hỗ trợ không được âm (-5).",
        "Dòng 7: Hỗ trợ “iso-9001” nghiệm thu ngày 20/11/2019 của 0100109106 trùng với dòng 2.",
        "5/6 dòng có lỗi: không nhập dòng nào.",
    ]
    assert not Dossier.objects.exists() and AuditEntry.objects.count() == audited


def test_missing_columns_and_excel_dates(firms):
    from nscl.enterprises.importer import ImportFileError

    with pytest.raises(ImportFileError, match="Thiếu cột: “Ngày nghiệm thu”, “Kinh phí hỗ trợ \\(đ\\)”"):
        run_import(b"tax_code,support_content,approved_on\n0100109106,5s,01/01/2020\n", "a.csv", kind="support")
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã số thuế", "Nội dung hỗ trợ", "Ngày phê duyệt", "Ngày nghiệm thu", "Kinh phí hỗ trợ (đ)"])
    ws.append(["0100109106", "Kaizen", datetime.date(2017, 5, 2), datetime.datetime(2017, 12, 1), 20_000_000])
    buf = io.BytesIO()
    wb.save(buf)
    r = run_import(buf.getvalue(), "lich-su.xlsx", kind="support", today=TODAY)
    assert r.ok and r.created == 1
    assert Dossier.objects.get().accepted_on == datetime.date(2017, 12, 1)


def test_web_import_page_has_the_support_kind_and_its_template(firms, client, make_user):
    client.force_login(make_user(Role.OFFICER))
    page = client.get("/enterprises/import/").content.decode()
    assert 'value="support"' in page and "?kind=support" in page
    t = client.get("/enterprises/import/template.xlsx?kind=support")
    assert t.status_code == 200 and "mau-nhap-lich-su-ho-tro.xlsx" in t["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(t.content)).active
    assert [c.value for c in sheet[1]] == ["Mã số thuế", "Nội dung hỗ trợ", "Ngày phê duyệt", "Ngày nghiệm thu",
                                          "Kinh phí hỗ trợ (đ)"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("h.csv", f"{SUPPORT_KEYS}\n0100109106,5s,01/05/2020,01/04/2020,1\n".encode())
    r = client.post("/enterprises/import/", {"kind": "support", "file": bad}, follow=True)
    assert "Ngày nghiệm thu (01/04/2020) trước ngày phê duyệt (01/05/2020)." in r.content.decode()
    assert "không nhập dòng nào" in r.content.decode() and not Dossier.objects.exists()
    good = SimpleUploadedFile("h.csv", f"{SUPPORT_KEYS}\n0100109106,5s,01/03/2020,01/04/2020,1000000\n".encode())
    r = client.post("/enterprises/import/", {"kind": "support", "file": good}, follow=True)
    assert r.status_code == 200 and Dossier.objects.get().content.code == "5s"


def test_the_figures_template_has_vietnamese_headers_that_import_back(firms):
    data = template_xlsx("figures")
    header = [c.value for c in load_workbook(io.BytesIO(data)).active[1]]
    assert header[:3] == ["Mã số thuế", "Năm", "Lao động bình quân"] and "Giá trị tăng thêm (đ)" in header
    r = run_import(data, "mau.xlsx", kind="figures", today=TODAY)  # the example row is the registered 0100109106
    assert r.ok and r.created == 1
