"""Hostile Office files (issue 18, item 6): an .xlsx or .docx that unpacks to hundreds of megabytes
(a decompression bomb) or holds 100,000 entries is refused by every upload that takes one, in under a
second, with a Vietnamese message, before openpyxl or python-docx opens it (an .xlsx of 1.9 MB took
97 s and 550 MB before the TFP import refused it)."""
import datetime
import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nscl.accounts.models import Role
from nscl.analysis.models import AnalysisJob
from nscl.enterprises.dossiers import Dossier, DossierAttachment
from nscl.enterprises.models import Enterprise, SupportContent
from nscl.practices.models import CaseFile, PracticeCase
from nscl.productivity.tables import ZipLimitError, check_zip, peek_table, read_table
from nscl.programme.demo import demo_tax_code
from nscl.programme.models import Evidence
from nscl.stats.models import TfpSeries

pytestmark = pytest.mark.django_db

UNPACKED = 300 * 1024 * 1024  # over the 200 MB default
ENTRIES = 100_000
BYTES_MESSAGE = "khi giải nén lớn tới 300 MB, vượt giới hạn 200 MB (có thể là “bom giải nén”): hệ thống không mở tệp này."
ENTRIES_MESSAGE = "chứa 100.002 thành phần nén, vượt giới hạn 10.000: hệ thống không mở tệp này."


def _office(kind: str) -> bytes:
    buf = io.BytesIO()
    if kind == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        wb.active.append(["Mã số thuế", "Tên doanh nghiệp"])
        wb.save(buf)
    else:
        import docx

        docx.Document().save(buf)
    return buf.getvalue()


def _bomb(kind: str) -> bytes:
    """A real workbook / document whose sheet / body is well-formed XML of 300 MB: one row (one
    paragraph) repeated, so it packs to about 300 KB and openpyxl would parse every row."""
    part, head, unit, tail = {
        "xlsx": ("xl/worksheets/sheet1.xml",
                 b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
                 b'<row><c t="n"><v>0</v></c><c t="n"><v>0</v></c></row>', b"</sheetData></worksheet>"),
        "docx": ("word/document.xml",
                 b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>',
                 b"<w:p><w:r><w:t>0</w:t></w:r></w:p>", b"</w:body></w:document>"),
    }[kind]
    src = zipfile.ZipFile(io.BytesIO(_office(kind)))
    out = io.BytesIO()
    size = UNPACKED  # of the whole file
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for info in src.infolist():
            if info.filename != part:
                z.writestr(info.filename, src.read(info.filename))
                size -= info.file_size
        block = unit * (1024 * 1024 // len(unit))
        with z.open(part, "w", force_zip64=True) as f:
            written = f.write(head)
            while written + len(block) + len(tail) <= size:
                written += f.write(block)
            f.write(b" " * (size - written - len(tail)) + tail)
    return out.getvalue()


def _many(kind: str, entries: int = ENTRIES) -> bytes:
    """A real workbook / document with `entries` empty entries added (stored, short names)."""
    out = io.BytesIO(_office(kind))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_STORED) as z:
        for i in range(entries - len(z.infolist())):
            z.writestr(f"{i:x}", b"")
    return out.getvalue()


@pytest.fixture(scope="session")
def hostile():
    files = {f"bomb.{k}": _bomb(k) for k in ("xlsx", "docx")}
    files.update({f"many.{k}": _many(k, ENTRIES + 2) for k in ("xlsx", "docx")})
    assert all(len(files[f"bomb.{k}"]) < 1024 * 1024 for k in ("xlsx", "docx"))  # under every form's size limit
    assert all(len(files[f"many.{k}"]) < 10 * 1024 * 1024 for k in ("xlsx", "docx"))
    return files


CASES = [("bomb", BYTES_MESSAGE), ("many", ENTRIES_MESSAGE)]


def _timed(call, client, page):
    """The answer to `call` and its time, once `page` (the form's) was served: the first request of
    a process imports the views and compiles templates (about 2 s), which is not the refusal's cost."""
    assert client.get(page).status_code == 200
    start = time.perf_counter()
    resp = call()
    return resp, time.perf_counter() - start


@pytest.fixture
def officer(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    return client


# --- the library and the Django check ------------------------------------------------------------

@pytest.mark.parametrize("which, what, found", [("bomb", "bytes", None), ("many", "entries", ENTRIES + 2)])
def test_the_library_refuses_before_opening_and_takes_its_limits_as_parameters(hostile, which, what, found):
    data = hostile[f"{which}.xlsx"]
    for call in (lambda: read_table(data, "x.xlsx"), lambda: peek_table(io.BytesIO(data), "x.xlsx"),
                 lambda: check_zip(data)):
        start = time.perf_counter()
        with pytest.raises(ZipLimitError) as e:
            call()
        assert time.perf_counter() - start < 0.5
        assert e.value.what == what and (found is None or e.value.found == found)
    assert str(e.value).endswith("không mở tệp này.")
    check_zip(data, max_bytes=UNPACKED + 1024 * 1024, max_entries=ENTRIES + 2)  # within larger limits: passes
    with pytest.raises(ZipLimitError):
        check_zip(_office("xlsx"), max_entries=3)


def test_a_zip_whose_end_record_understates_its_entries_is_refused_by_its_directory_size(hostile):
    data = bytearray(hostile["many.xlsx"])
    at = data.rfind(b"PK\x05\x06")
    data[at + 8:at + 12] = (5).to_bytes(2, "little") * 2  # claims 5 entries; the directory holds 100,002
    start = time.perf_counter()
    with pytest.raises(ZipLimitError) as e:
        check_zip(bytes(data))
    assert e.value.what == "entries" and time.perf_counter() - start < 0.1


def test_a_real_file_and_a_file_that_is_no_zip_pass_the_check():
    for data in (_office("xlsx"), _office("docx"), b"year,output\n2020,1\n"):
        check_zip(data)
    source = io.BytesIO(_office("xlsx"))
    source.seek(7)
    check_zip(source)
    assert source.tell() == 7  # an upload's position is kept


def test_the_settings_are_the_limits(settings, hostile):
    from nscl.common.uploads import UnsafeOfficeFile, check_office_zip

    settings.NSCL_OFFICE_MAX_UNCOMPRESSED_BYTES = UNPACKED + 1024 * 1024
    check_office_zip(hostile["bomb.docx"], "a.docx")
    settings.NSCL_OFFICE_MAX_ENTRIES = 50
    with pytest.raises(UnsafeOfficeFile) as e:
        check_office_zip(_many("docx", 60), "dir/b.docx")
    assert str(e.value) == "Tệp “b.docx” chứa 60 thành phần nén, vượt giới hạn 50: hệ thống không mở tệp này."


# --- every upload that takes an .xlsx or a .docx ------------------------------------------------

@pytest.mark.parametrize("which, message", CASES)
@pytest.mark.parametrize("kind", ["enterprises", "figures", "support"])
def test_enterprise_imports(officer, hostile, which, message, kind):
    before = Enterprise.objects.count()
    resp, elapsed = _timed(lambda: officer.post("/enterprises/import/", {
        "kind": kind, "file": SimpleUploadedFile(f"{which}.xlsx", hostile[f"{which}.xlsx"])}), officer, "/enterprises/import/")
    assert resp.status_code == 400 and f"Tệp “{which}.xlsx” {message}" in resp.content.decode()
    assert elapsed < 1 and Enterprise.objects.count() == before


@pytest.mark.parametrize("which, message", CASES)
def test_the_importer_refuses_too_whoever_calls_it(hostile, which, message):
    from nscl.enterprises.importer import ImportFileError, run_import

    start = time.perf_counter()
    with pytest.raises(ImportFileError) as e:
        run_import(hostile[f"{which}.xlsx"], f"{which}.xlsx", kind="enterprises")
    assert str(e.value) == f"Tệp “{which}.xlsx” {message}" and time.perf_counter() - start < 0.5


@pytest.mark.parametrize("which, message", CASES)
def test_tfp_series_import(officer, hostile, which, message):
    series = TfpSeries.objects.create(name="Hưng Yên mới", territory=TfpSeries.Territory.HY_NEW)
    resp, elapsed = _timed(lambda: officer.post(f"/tfp/series/{series.pk}/import/", {
        "file": SimpleUploadedFile(f"{which}.xlsx", hostile[f"{which}.xlsx"])}), officer, f"/tfp/series/{series.pk}/")
    assert resp.status_code == 302 and elapsed < 1
    page = officer.get(resp.url).content.decode()
    assert f"Không nhập được, không có gì được lưu: Tệp “{which}.xlsx” {message}" in page
    assert not series.observations.exists()


@pytest.mark.parametrize("which", ["bomb", "many"])
def test_analysis_upload(officer, hostile, which):
    resp, elapsed = _timed(lambda: officer.post("/analysis/", {
        "title": "Thử", "kind": "firm_tfp", "file": SimpleUploadedFile(f"{which}.xlsx", hostile[f"{which}.xlsx"])}),
        officer, "/analysis/")
    # the limits in words, as on every other upload (before: "Không đọc được bảng số liệu: ZipLimitError")
    page = resp.content.decode()
    assert f"Tệp “{which}.xlsx”" in page and "hệ thống không mở tệp này" in page and "ZipLimitError" not in page
    assert elapsed < 1 and not AnalysisJob.objects.exists()


def test_analysis_deflator_table(officer, hostile):
    resp, elapsed = _timed(lambda: officer.post("/analysis/registry/deflators/", {
        "name": "PPI", "base_year": 2020, "source": "Cục TK", "file": SimpleUploadedFile("bomb.xlsx", hostile["bomb.xlsx"])}),
        officer, "/analysis/registry/deflators/")
    assert resp.status_code == 400 and f"Tệp “bomb.xlsx” {BYTES_MESSAGE}" in resp.content.decode() and elapsed < 1
    many = _many("xlsx", 12_000)  # a 100,000-entry zip is over this form's 1 MB limit
    assert len(many) < 1024 * 1024
    resp = officer.post("/analysis/registry/deflators/", {
        "name": "PPI", "base_year": 2020, "source": "Cục TK", "file": SimpleUploadedFile("many.xlsx", many)})
    assert resp.status_code == 400
    assert "Tệp “many.xlsx” chứa 12.000 thành phần nén, vượt giới hạn 10.000" in resp.content.decode()


@pytest.mark.parametrize("which, message", CASES)
@pytest.mark.parametrize("ext", ["xlsx", "docx"])
def test_programme_evidence(officer, make_activity, hostile, which, message, ext):
    a = make_activity("class", confirmed=False)
    resp, elapsed = _timed(lambda: officer.post(f"/registers/{a.kind}/{a.pk}/evidence/", {
        "type": "report", "file": SimpleUploadedFile(f"{which}.{ext}", hostile[f"{which}.{ext}"])}),
        officer, f"/registers/{a.kind}/{a.pk}/")
    assert elapsed < 1
    page = officer.get(resp.url).content.decode() if resp.status_code == 302 else resp.content.decode()
    assert f"Tệp “{which}.{ext}” {message}" in page and not Evidence.objects.exists()


@pytest.fixture
def dossier():
    e = Enterprise.objects.create(tax_code=demo_tax_code(901), name="Công ty Bom Thử")
    return Dossier.objects.create(enterprise=e, content=SupportContent.objects.get(code="5s"), title="5S",
                                  applied_on=datetime.date(2026, 11, 1), total_cost=10, requested_amount=5)


@pytest.mark.parametrize("which, message", CASES)
@pytest.mark.parametrize("ext", ["xlsx", "docx"])
def test_dossier_attachments(officer, dossier, hostile, which, message, ext):
    resp, elapsed = _timed(lambda: officer.post(f"/enterprises/dossiers/{dossier.pk}/attachments/", {
        "file": SimpleUploadedFile(f"{which}.{ext}", hostile[f"{which}.{ext}"])}),
        officer, f"/enterprises/dossiers/{dossier.pk}/")
    assert resp.status_code == 400 and f"Tệp “{which}.{ext}” {message}" in resp.content.decode()
    assert elapsed < 1 and not DossierAttachment.objects.exists()


@pytest.mark.parametrize("which, message", CASES)
@pytest.mark.parametrize("ext", ["xlsx", "docx"])
def test_practice_files(officer, dossier, make_user, hostile, which, message, ext):
    dossier.status, dossier.accepted_on, dossier.closed_on = "closed", datetime.date(2023, 9, 1), datetime.date(2023, 10, 1)
    dossier.save()
    case = PracticeCase.objects.create(dossier=dossier, title="Điển hình", summary="Tóm tắt",
                                       created_by=make_user(Role.OFFICER))
    resp, elapsed = _timed(lambda: officer.post(f"/dien-hinh/manage/{case.pk}/files/", {
        "kind": "document", "caption": "Tài liệu", "file": SimpleUploadedFile(f"{which}.{ext}", hostile[f"{which}.{ext}"])}),
        officer, f"/dien-hinh/manage/{case.pk}/")
    assert resp.status_code == 400 and f"Tệp “{which}.{ext}” {message}" in resp.content.decode()
    assert elapsed < 1 and not CaseFile.objects.filter(case=case).exists()
