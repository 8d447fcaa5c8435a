"""Evidence attached in the activity create form itself (issue 20, item 7b): one or more files,
held to the same checks as an upload to an existing record (extension, size, content, the
Office-zip bomb check), and nothing written — no record, no evidence, no file — when any file is
refused. Before: the create form took no file; evidence could only be added once the record existed."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nscl.accounts.models import Role
from nscl.audit.models import AuditEntry
from nscl.programme.models import Activity, Evidence

from .test_activity_forms import class_post
from .test_evidence import real_docx, real_image, real_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client, make_user, units, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(make_user(Role.OFFICER, unit=units["skhcn"]))
    return client


def files_on_disk(tmp_path):
    return [p for p in tmp_path.rglob("*") if p.is_file()]


def test_the_create_form_offers_files_and_the_edit_form_does_not(officer, make_activity):
    html = officer.get("/registers/class/new/").content.decode()
    assert 'enctype="multipart/form-data"' in html and 'name="evidence_files"' in html and "multiple" in html
    a = make_activity("class", confirmed=False)
    assert 'name="evidence_files"' not in officer.get(f"/registers/class/{a.pk}/edit/").content.decode()


def test_record_created_with_two_files(officer, units, tmp_path):
    pdf, png = real_pdf(), real_image("PNG")
    resp = officer.post("/registers/class/new/", {**class_post(units), "evidence_type": "attendance",
                        "evidence_files": [SimpleUploadedFile("danh-sach.pdf", pdf), SimpleUploadedFile("anh.png", png)]})
    assert resp.status_code == 302
    a = Activity.objects.get()
    evs = sorted(Evidence.objects.filter(activity=a), key=lambda e: e.file.name.rsplit("/", 1)[-1])
    assert [(e.file.name.rsplit("/", 1)[-1], e.size, e.type) for e in evs] == [
        ("anh.png", len(png), "attendance"), ("danh-sach.pdf", len(pdf), "attendance")]
    assert len(files_on_disk(tmp_path)) == 2
    assert AuditEntry.objects.filter(model="programme.Evidence", action="create").count() == 2
    html = officer.get(resp["Location"]).content.decode()
    assert "Đã lưu hồ sơ" in html and "2 tệp minh chứng" in html


@pytest.mark.parametrize("bad,message", [
    (lambda: SimpleUploadedFile("virus.exe", b"MZ...."), "“virus.exe”: Loại tệp “.exe” không được phép"),
    (lambda: SimpleUploadedFile("anh.png", b"%PDF-1.4 not a png"), "“anh.png”: Nội dung tệp không khớp với phần mở rộng “.png”"),
])
def test_one_refused_file_writes_nothing(officer, units, tmp_path, bad, message):
    resp = officer.post("/registers/class/new/", {**class_post(units), "evidence_type": "report",
                        "evidence_files": [SimpleUploadedFile("bao-cao.pdf", real_pdf()), bad()]})
    html = resp.content.decode()
    assert resp.status_code == 200 and message in html
    assert "Chưa lưu hồ sơ; chọn lại các tệp minh chứng" in html
    assert not Activity.objects.exists() and not Evidence.objects.exists() and not files_on_disk(tmp_path)


def test_oversized_file_is_refused(officer, units, settings, tmp_path):
    settings.NSCL_EVIDENCE_MAX_BYTES = 1024 * 1024
    resp = officer.post("/registers/class/new/", {**class_post(units), "evidence_type": "photo", "evidence_files": [
        SimpleUploadedFile("anh.jpg", b"\xff\xd8\xff" + b"0" * (1024 * 1024 + 10))]})
    assert "“anh.jpg”: Tệp quá lớn (1.0 MB); giới hạn 1 MB" in resp.content.decode().replace(",", ".")
    assert not Activity.objects.exists() and not files_on_disk(tmp_path)


def test_office_zip_bomb_check_applies(officer, units, settings, tmp_path):
    settings.NSCL_OFFICE_MAX_UNCOMPRESSED_BYTES = 1024  # a real .docx unpacks to far more
    resp = officer.post("/registers/class/new/", {**class_post(units), "evidence_type": "report",
                        "evidence_files": [SimpleUploadedFile("bao-cao.docx", real_docx())]})
    assert "bom giải nén" in resp.content.decode()
    assert not Activity.objects.exists() and not files_on_disk(tmp_path)


def test_files_need_their_type(officer, units, tmp_path):
    resp = officer.post("/registers/class/new/", {**class_post(units), "evidence_type": "",
                        "evidence_files": [SimpleUploadedFile("bao-cao.pdf", real_pdf())]})
    assert "Chọn loại minh chứng cho các tệp kèm theo." in resp.content.decode()
    assert not Activity.objects.exists() and not files_on_disk(tmp_path)


def test_too_many_files_are_refused(officer, units, tmp_path):
    pdf = real_pdf()
    resp = officer.post("/registers/class/new/", {**class_post(units), "evidence_type": "report", "evidence_files": [
        SimpleUploadedFile(f"f{i}.pdf", pdf) for i in range(11)]})
    assert "Tối đa 10 tệp minh chứng mỗi lần (đã chọn 11)." in resp.content.decode()
    assert not Activity.objects.exists() and not files_on_disk(tmp_path)


def test_a_failed_write_leaves_no_file(officer, units, tmp_path, monkeypatch):
    """The second evidence row fails to save: the record is rolled back and the first file removed."""
    real_save = Evidence.save
    calls = []

    def failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk gone")
        return real_save(self, *args, **kwargs)
    monkeypatch.setattr(Evidence, "save", failing)
    with pytest.raises(OSError):
        officer.post("/registers/class/new/", {**class_post(units), "evidence_type": "report", "evidence_files": [
            SimpleUploadedFile("a.pdf", real_pdf()), SimpleUploadedFile("b.pdf", real_pdf())]})
    assert not Activity.objects.exists() and not Evidence.objects.exists() and not files_on_disk(tmp_path)
