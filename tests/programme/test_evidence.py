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


def test_accepted_upload(officer_client, make_activity, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = make_activity("class", confirmed=False)
    resp = upload(officer_client, a, "bao-cao.pdf", b"%PDF-1.7 hello")
    assert "Đã tải lên minh chứng" in resp.content.decode()
    ev = Evidence.objects.get()
    assert ev.size == 14 and ev.file.name.endswith("bao-cao.pdf") and ev.activity_id == a.pk


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
                               "file": SimpleUploadedFile("a.png", b"\x89PNG....")})
    assert resp.status_code == 403 and Evidence.objects.count() == 0
