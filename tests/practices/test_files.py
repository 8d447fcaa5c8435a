"""Photos and documents: uploads checked like every evidence file (extension, size, content), a
photo must be an image; served publicly only when marked public and the case is public."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nscl.accounts.models import Role
from nscl.practices.models import CaseFile

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def _docx():
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


@pytest.fixture
def officer_client(client, library, make_case):
    client.force_login(make_case.officer)
    return client


def _upload(client, case, name, data, kind="photo", public="on"):
    return client.post(f"/dien-hinh/manage/{case.pk}/files/", {
        "kind": kind, "caption": "Chú thích", "is_public": public, "file": SimpleUploadedFile(name, data)})


def test_good_uploads(officer_client, library):
    b = library["b"]
    before = b.files.count()
    assert _upload(officer_client, b, "xuong.png", png_bytes()).status_code == 302
    assert _upload(officer_client, b, "bao-cao.docx", _docx(), kind="document", public="").status_code == 302
    assert b.files.count() == before + 2
    doc = b.files.get(original_name="bao-cao.docx")
    assert doc.is_public is False and doc.uploaded_by is not None


@pytest.mark.parametrize("name, data, kind, message", [
    ("virus.exe", b"MZ...", "document", "không được phép"),
    ("gia.png", b"%PDF-1.4 not an image", "photo", "không khớp"),
    ("gia.pdf", b"%PDF-1.4 truncated", "document", "không khớp"),
    ("ban-ve.docx", _docx(), "photo", "Hình ảnh phải là tệp .jpg hoặc .png"),
])
def test_bad_uploads_are_400_and_save_nothing(officer_client, library, name, data, kind, message):
    b = library["b"]
    before = CaseFile.objects.count()
    r = _upload(officer_client, b, name, data, kind=kind)
    assert r.status_code == 400 and message in r.content.decode()
    assert CaseFile.objects.count() == before


def test_too_large_upload(officer_client, library, settings):
    settings.NSCL_EVIDENCE_MAX_BYTES = 100
    r = _upload(officer_client, library["b"], "lon.png", png_bytes((200, 200)))
    assert r.status_code == 400 and "Tệp quá lớn" in r.content.decode()


def test_public_file_of_a_public_case_is_served(client, library):
    photo = library["a"].files.get(kind="photo")
    r = client.get(f"/dien-hinh/files/{photo.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/png" and "no-cache" in r["Cache-Control"]
    assert b"".join(r.streaming_content).startswith(b"\x89PNG")


def test_private_file_or_private_case_is_404_for_the_public(client, library, role_user):
    internal = library["a"].files.get(kind="document")
    assert client.get(f"/dien-hinh/files/{internal.pk}/").status_code == 404
    photo = library["c"].files.get(kind="photo")  # marked public, but its case has no consent
    assert photo.is_public and client.get(f"/dien-hinh/files/{photo.pk}/").status_code == 404
    client.force_login(role_user(Role.VIEWER))  # logged in is not enough
    assert client.get(f"/dien-hinh/files/{internal.pk}/").status_code == 404


def test_owner_and_officer_see_every_file_of_their_case(client, library, enterprise_user, make_case):
    c_doc = library["c"].files.get(kind="document")
    client.force_login(enterprise_user(library["c"].dossier.enterprise))
    r = client.get(f"/dien-hinh/files/{c_doc.pk}/")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"] and "attachment" in r["Content-Disposition"]
    a_doc = library["a"].files.get(kind="document")
    assert client.get(f"/dien-hinh/files/{a_doc.pk}/").status_code == 404  # another enterprise's
    client.force_login(make_case.officer)
    assert client.get(f"/dien-hinh/files/{a_doc.pk}/").status_code == 200


def test_marking_public_and_deleting(officer_client, library, client):
    a = library["a"]
    doc = a.files.get(kind="document")
    assert officer_client.post(f"/dien-hinh/manage/{a.pk}/files/{doc.pk}/", {"action": "public"}).status_code == 302
    assert CaseFile.objects.get(pk=doc.pk).is_public
    assert officer_client.post(f"/dien-hinh/manage/{a.pk}/files/{doc.pk}/", {"action": "bogus"}).status_code == 400
    other = library["b"].files.first()  # a file of another case through this case's address
    assert officer_client.post(f"/dien-hinh/manage/{a.pk}/files/{other.pk}/", {"action": "delete"}).status_code == 404
    assert officer_client.post(f"/dien-hinh/manage/{a.pk}/files/{doc.pk}/", {"action": "delete"}).status_code == 302
    assert not CaseFile.objects.filter(pk=doc.pk).exists()
