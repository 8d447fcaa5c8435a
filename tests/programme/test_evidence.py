import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nscl.accounts.models import Role
from nscl.programme.models import Evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    return client


def upload(client, activity, name, content, type_="report"):
    return client.post(f"/registers/{activity.kind}/{activity.pk}/evidence/",
                       {"type": type_, "file": SimpleUploadedFile(name, content)}, follow=True)


def real_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Bao cao")
    return bytes(pdf.output())


def real_docx() -> bytes:
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("Báo cáo")
    d.save(buf)
    return buf.getvalue()


def real_xlsx() -> bytes:
    from openpyxl import Workbook

    buf = io.BytesIO()
    Workbook().save(buf)
    return buf.getvalue()


def real_image(fmt) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, format=fmt)
    return buf.getvalue()


def bare_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "not an office file")
    return buf.getvalue()


def test_accepted_upload(officer_client, make_activity, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = make_activity("class", confirmed=False)
    content = real_pdf()
    resp = upload(officer_client, a, "bao-cao.pdf", content)
    assert "Đã tải lên minh chứng" in resp.content.decode()
    ev = Evidence.objects.get()
    assert ev.size == len(content) and ev.file.name.endswith("bao-cao.pdf") and ev.activity_id == a.pk


@pytest.mark.parametrize("name,make", [("a.docx", real_docx), ("b.xlsx", real_xlsx), ("c.png", lambda: real_image("PNG")),
                                       ("d.jpg", lambda: real_image("JPEG"))])
def test_each_real_format_is_accepted(officer_client, make_activity, settings, tmp_path, name, make):
    settings.MEDIA_ROOT = tmp_path
    a = make_activity("class", confirmed=False)
    assert "Đã tải lên minh chứng" in upload(officer_client, a, name, make()).content.decode()
    assert Evidence.objects.count() == 1


@pytest.mark.parametrize("name,make", [
    ("polyglot.pdf", lambda: b"%PDF-1.4\nMZ\x90\x00" + b"\x00" * 200),   # probe: passed the first-bytes check
    ("bare.docx", bare_zip),                                             # probe: a zip renamed .docx passed
    ("sheet.docx", real_xlsx),                                           # an Office file of another kind
    ("fake.jpg", lambda: b"\xff\xd8\xff\xe0" + b"0" * 100),              # JPEG magic, no image
    ("png.jpg", lambda: real_image("PNG")),
    ("old.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
])
def test_files_that_are_not_what_they_say_are_refused(officer_client, make_activity, settings, tmp_path, name, make):
    settings.MEDIA_ROOT = tmp_path
    a = make_activity("class", confirmed=False)
    resp = upload(officer_client, a, name, make())
    assert "Nội dung tệp không khớp với phần mở rộng" in resp.content.decode()
    assert Evidence.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_evidence_files_go_when_their_record_is_deleted(client, make_user, make_activity, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(make_user(Role.OFFICER))
    a = make_activity("class", confirmed=False)
    upload(client, a, "bao-cao.pdf", real_pdf())
    path = tmp_path / Evidence.objects.get().file.name
    assert path.exists()
    assert client.post(f"/registers/class/{a.pk}/delete/").status_code == 302
    assert not Evidence.objects.exists() and not path.exists()


@pytest.mark.parametrize("name,content,message", [
    ("virus.exe", b"MZ....", "Loại tệp “.exe” không được phép"),
    ("anh.png", b"%PDF-1.4 not a png", "Nội dung tệp không khớp với phần mở rộng “.png”"),
    ("script.html", b"<script>", "Loại tệp “.html” không được phép"),
])
def test_disallowed_files_are_refused(officer_client, make_activity, settings, tmp_path, name, content, message):
    settings.MEDIA_ROOT = tmp_path
    a = make_activity("class", confirmed=False)
    resp = upload(officer_client, a, name, content)
    assert message in resp.content.decode()
    assert Evidence.objects.count() == 0


def test_oversized_file_is_refused(officer_client, make_activity, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.NSCL_EVIDENCE_MAX_BYTES = 1024 * 1024
    a = make_activity("class", confirmed=False)
    resp = upload(officer_client, a, "anh.jpg", b"\xff\xd8\xff" + b"0" * (1024 * 1024 + 10))
    assert "Tệp quá lớn (1.0 MB); giới hạn 1 MB" in resp.content.decode().replace(",", ".")
    assert Evidence.objects.count() == 0


def test_confirmed_record_takes_no_new_evidence(officer_client, make_activity, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = make_activity("class", confirmed=True)
    resp = officer_client.post(f"/registers/class/{a.pk}/evidence/", {"type": "photo",
                               "file": SimpleUploadedFile("a.png", real_image("PNG"))})
    assert resp.status_code == 403 and Evidence.objects.count() == 0
