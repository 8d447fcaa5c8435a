"""Pages: an enterprise user sees and edits only their own enterprise and its branches (URL guessing
gives 404/403 and saves nothing); officers manage; search and export; bad input is a 4xx with a
Vietnamese message."""
import datetime
import io
import uuid

import pytest
from openpyxl import load_workbook

from nscl.accounts.models import Role
from nscl.enterprises.dossiers import Dossier
from nscl.enterprises.models import Enterprise, YearlyFigures

from .conftest import BRANCH, OTHER, PARENT

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(org_user, client):
    client.force_login(org_user(PARENT))
    return client


def test_enterprise_user_sees_only_own_and_branches(enterprises, own):
    page = own.get("/enterprises/").content.decode()
    assert PARENT in page and BRANCH in page and OTHER not in page
    assert own.get(f"/enterprises/{enterprises['other'].pk}/").status_code == 404
    assert own.get(f"/enterprises/{enterprises['other'].pk}/productivity.svg").status_code == 404
    assert own.get(f"/enterprises/{enterprises['branch'].pk}/").status_code == 200
    assert own.get("/enterprises/mine/").status_code == 302


def test_url_guessing_saves_nothing(enterprises, catalogue, own):
    other = enterprises["other"]
    r = own.post(f"/enterprises/{other.pk}/figures/", {"year": 2025, "revenue": 1, "employees": 1})
    assert r.status_code == 404 and not YearlyFigures.objects.exists()
    r = own.post(f"/enterprises/{other.pk}/edit/", {"tax_code": OTHER, "name": "Bị sửa"})
    assert r.status_code == 404 and Enterprise.objects.get(pk=other.pk).name == "Công ty TNHH Khác"
    r = own.post(f"/enterprises/{other.pk}/apply/", {"content": catalogue["5s"].pk, "title": "x", "total_cost": 1,
                                                     "requested_amount": 1, "applied_on": "01/11/2026", "submission_key": uuid.uuid4()})
    assert r.status_code == 404 and not Dossier.objects.exists()
    d = Dossier.objects.create(enterprise=other, content=catalogue["5s"], title="Của người khác",
                               applied_on=datetime.date(2026, 11, 1), total_cost=10, requested_amount=5)
    assert own.get(f"/enterprises/dossiers/{d.pk}/").status_code == 404
    assert own.post(f"/enterprises/dossiers/{d.pk}/transition/", {"transition": "withdraw"}).status_code == 404
    assert Dossier.objects.get(pk=d.pk).status == "applied"
    assert own.get("/enterprises/import/").status_code == 403 and own.get("/enterprises/new/").status_code == 403


def test_portal_apply_figures_and_withdraw(enterprises, catalogue, own):
    e = enterprises["parent"]
    r = own.post(f"/enterprises/{e.pk}/figures/", {"year": 2025, "revenue": 4_000_000_000, "value_added": 1_500_000_000,
                                                    "employees": 15, "total_capital": 2_000_000_000})
    assert r.status_code == 302
    page = own.get(f"/enterprises/{e.pk}/").content.decode()
    # 1.5 bn value added / 15 employees = 100.000.000 đ per person; years unformatted
    assert "<td>2025</td>" in page and "100.000.000 đ" in page and "Nhỏ</strong> (năm 2025)" in page
    e.refresh_from_db()
    # industry: 15 > 10 employees → not micro; 15 ≤ 100 and revenue 4 bn ≤ 50 bn → small
    assert (e.size_class, e.size_year) == ("small", 2025)
    r = own.post(f"/enterprises/{e.pk}/figures/", {"year": 2025, "revenue": -5, "employees": 15})
    assert r.status_code == 400 and "lớn hơn hoặc bằng với 0" in r.content.decode()
    r = own.post(f"/enterprises/{e.pk}/apply/", {"content": catalogue["iso-9001"].pk, "title": "ISO 9001",
                                                  "total_cost": 80_000_000, "requested_amount": 90_000_000,
                                                  "applied_on": "01/11/2026", "submission_key": uuid.uuid4()})
    assert r.status_code == 400 and "không được lớn hơn tổng chi phí" in r.content.decode()
    r = own.post(f"/enterprises/{e.pk}/apply/", {"content": catalogue["iso-9001"].pk, "title": "ISO 9001",
                                                  "total_cost": 80_000_000, "requested_amount": 40_000_000,
                                                  "applied_on": "01/11/2026", "submission_key": uuid.uuid4()})
    d = Dossier.objects.get()
    assert r.status_code == 302 and d.status == "applied" and d.steps.get().transition == "apply"
    page = own.get(f"/enterprises/dossiers/{d.pk}/").content.decode()
    assert "80.000.000 đ" in page and "01/11/2026" in page and "?move=withdraw" in page and "move=approve" not in page
    r = own.post(f"/enterprises/dossiers/{d.pk}/transition/", {"transition": "approve", "approved_amount": 1})
    assert r.status_code == 403 and Dossier.objects.get().status == "applied"
    r = own.post(f"/enterprises/dossiers/{d.pk}/transition/", {"transition": "accept", "accepted_on": "bad"})
    assert r.status_code == 403
    r = own.post(f"/enterprises/dossiers/{d.pk}/transition/", {"transition": "implement", "provider": "X",
                                                               "contract_number": "1", "contract_date": "01/11/2026"})
    assert r.status_code == 400 and "đang ở trạng thái “Đã nộp hồ sơ”" in r.content.decode()
    r = own.post(f"/enterprises/dossiers/{d.pk}/transition/", {"transition": "withdraw", "notes": "Đổi kế hoạch"})
    assert r.status_code == 200 and Dossier.objects.get().status == "applied"  # asked to confirm first
    r = own.post(f"/enterprises/dossiers/{d.pk}/transition/", {"transition": "withdraw", "notes": "Đổi kế hoạch",
                                                               "confirm": "1"})
    assert r.status_code == 302 and Dossier.objects.get().status == "withdrawn"


def test_officer_creates_with_checks(enterprises, quick_user, client, new_commune):
    client.force_login(quick_user(Role.OFFICER))
    base = {"name": "Công ty Mới", "legal_form": "jsc", "ownership": "private", "sector_group": "trade_services",
            "vsic_version": "2025"}
    for tax_code, message in [("0100109107", "chữ số thứ 10 phải là 6"), ("0100109106-000", "không được là 000"),
                              (PARENT, "đã có trong danh sách doanh nghiệp")]:
        r = client.post("/enterprises/new/", {**base, "tax_code": tax_code})
        assert r.status_code == 400 and message in r.content.decode()
    old = new_commune.__class__.objects.get(level="commune", code="11950")
    r = client.post("/enterprises/new/", {**base, "tax_code": "0123456787", "commune": old.pk})
    assert r.status_code == 400 and "không còn/chưa có hiệu lực" in r.content.decode()
    r = client.post("/enterprises/new/", {**base, "tax_code": "0123456787", "vsic_code": "4663", "commune": new_commune.pk})
    e = Enterprise.objects.get(tax_code="0123456787")
    assert r.status_code == 302 and e.primary_industry().industry.name.startswith("Bán buôn mô tô")
    assert Enterprise.objects.count() == 4


def test_search_filters_and_export(enterprises, catalogue, quick_user, client):
    client.force_login(quick_user(Role.VIEWER))
    assert "Phố Hiến" in client.get("/enterprises/", {"q": "pho hien"}).content.decode()
    page = client.get("/enterprises/", {"q": "0314"}).content.decode()
    assert OTHER in page and PARENT not in page
    page = client.get("/enterprises/", {"vsic": "1079"}).content.decode()
    assert PARENT in page and OTHER not in page
    assert PARENT not in client.get("/enterprises/", {"vsic": "1079", "vsic_version": "2018"}).content.decode()
    r = client.get("/enterprises/", {"format": "xlsx", "q": "pho hien"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [BRANCH, PARENT]
    assert client.get("/enterprises/new/").status_code == 403
    for odd in ["²", "-1", "99999999999999999999", "<b>"]:
        assert client.get("/enterprises/", {"page": odd, "size": odd, "status": odd, "commune": odd, "vsic": odd}).status_code == 200


def test_attachment_is_checked_and_only_for_its_enterprise(enterprises, catalogue, own, org_user, client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    d = Dossier.objects.create(enterprise=enterprises["parent"], content=catalogue["5s"], title="5S",
                               applied_on=datetime.date(2026, 11, 1), total_cost=10, requested_amount=5)
    fake = SimpleUploadedFile("bien-ban.pdf", b"MZ not a pdf", content_type="application/pdf")
    r = own.post(f"/enterprises/dossiers/{d.pk}/attachments/", {"file": fake})
    assert r.status_code == 400 and "không khớp với phần mở rộng" in r.content.decode() and not d.attachments.exists()
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "PNG")
    r = own.post(f"/enterprises/dossiers/{d.pk}/attachments/", {"file": SimpleUploadedFile("anh.png", buf.getvalue())})
    a = d.attachments.get()
    assert r.status_code == 302 and own.get(f"/enterprises/attachments/{a.pk}/").status_code == 200
    client.force_login(org_user(OTHER))
    assert client.get(f"/enterprises/attachments/{a.pk}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_deleting_a_dossier_deletes_its_files(enterprises, catalogue, settings, tmp_path):
    """Files go with their records, once the deletion commits (a rolled-back deletion keeps them)."""
    from django.core.files.base import ContentFile
    from django.db import transaction

    from nscl.enterprises.dossiers import DossierAttachment

    settings.MEDIA_ROOT = tmp_path
    d = Dossier.objects.create(enterprise=enterprises["parent"], content=catalogue["5s"], title="5S",
                               applied_on=datetime.date(2026, 11, 1), total_cost=10, requested_amount=5)
    a = DossierAttachment(dossier=d, original_name="bb.pdf")
    a.file.save("bb.pdf", ContentFile(b"%PDF-1.4 x"), save=True)
    path = tmp_path / a.file.name
    assert path.exists()
    pk = d.pk
    try:
        with transaction.atomic():
            d.delete()
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert path.exists()
    Dossier.objects.get(pk=pk).delete()
    assert not path.exists()


def test_certificates_expiring_and_counts(enterprises, catalogue, own):
    e = enterprises["parent"]
    today = datetime.date.today()
    r = own.post(f"/enterprises/{e.pk}/certificates/", {"standard": catalogue["iso-9001"].pk, "number": "QMS-1",
                                                         "body": "QUACERT", "issued_on": "01/02/2024",
                                                         "expires_on": (today + datetime.timedelta(days=30)).strftime("%d/%m/%Y")})
    assert r.status_code == 302
    r = own.post(f"/enterprises/{e.pk}/certificates/", {"standard": catalogue["iso-9001"].pk, "number": "QMS-2",
                                                         "body": "QUACERT", "issued_on": "01/02/2024", "expires_on": "01/01/2024"})
    assert r.status_code == 400 and "Ngày hết hạn phải sau ngày cấp." in r.content.decode()
    page = own.get("/enterprises/certificates/").content.decode()
    assert "QMS-1" in page and "Hệ thống quản lý chất lượng TCVN ISO 9001</td><td>2024</td><td class=\"num\">1</td>" in page


def test_contacts_and_industry_codes_are_added_and_removed_by_those_who_may_edit(enterprises, own, org_user, client):
    from nscl.enterprises.models import Contact, IndustryCode

    e = enterprises["parent"]
    r = own.post(f"/enterprises/{e.pk}/contacts/", {"name": "Nguyễn Thị Hoa", "position": "Trưởng phòng QA",
                                                    "phone": "0221 3 555 666", "email": "hoa@example.vn"})
    assert r.status_code == 302
    c = Contact.objects.get(enterprise=e)
    assert own.post(f"/enterprises/{e.pk}/contacts/", {"name": "", "email": "không-phải-thư"}).status_code == 400
    page = own.get(f"/enterprises/{e.pk}/").content.decode()
    assert "Nguyễn Thị Hoa" in page and f"/enterprises/{e.pk}/contacts/{c.pk}/remove/" in page
    # another enterprise's user can neither see nor change them
    client.force_login(org_user(OTHER))
    assert client.post(f"/enterprises/{e.pk}/contacts/{c.pk}/remove/").status_code == 404
    assert client.post(f"/enterprises/{e.pk}/contacts/", {"name": "X"}).status_code == 404
    assert Contact.objects.filter(pk=c.pk).exists()
    own.force_login(org_user(PARENT))  # `own` and `client` are the same test client
    # removing the primary industry code makes the next one primary
    second = IndustryCode.objects.create(enterprise=e, version="2025", code="10710")
    primary = e.industries.get(is_primary=True)
    assert own.post(f"/enterprises/{e.pk}/industries/{primary.pk}/remove/").status_code == 302
    second.refresh_from_db()
    assert second.is_primary and not IndustryCode.objects.filter(pk=primary.pk).exists()
    assert own.post(f"/enterprises/{e.pk}/contacts/{c.pk}/remove/").status_code == 302
    assert not Contact.objects.filter(pk=c.pk).exists()
    assert own.get(f"/enterprises/{e.pk}/contacts/{c.pk}/remove/").status_code == 405


@pytest.mark.parametrize("typed", ["18.500.000", "18 500 000", "18500000"])
def test_money_typed_the_vietnamese_way_on_dossiers_and_figures(enterprises, catalogue, own, typed):
    """"18.500.000" was refused with "Hãy chắc chắn rằng không có nhiều hơn 0 chữ số thập phân."."""
    e = enterprises["parent"]
    r = own.post(f"/enterprises/{e.pk}/figures/", {"year": 2025, "revenue": typed, "value_added": "4.000.000",
                                                    "employees": "12,5", "total_capital": typed})
    assert r.status_code == 302, r.content.decode()[:3000]
    f = YearlyFigures.objects.get(enterprise=e, year=2025)
    assert f.revenue == 18_500_000 and f.total_capital == 18_500_000 and str(f.employees) == "12.5"
    r = own.post(f"/enterprises/{e.pk}/apply/", {"content": catalogue["iso-9001"].pk, "title": "ISO 9001",
                                                  "total_cost": typed, "requested_amount": "9.000.000",
                                                  "applied_on": "01/11/2025", "submission_key": uuid.uuid4()})
    assert r.status_code == 302, r.content.decode()[:3000]
    d = Dossier.objects.get()
    assert d.total_cost == 18_500_000 and d.requested_amount == 9_000_000
    r = own.post(f"/enterprises/{e.pk}/apply/", {"content": catalogue["iso-9001"].pk, "title": "ISO 9001",
                                                  "total_cost": "18.500.000,5", "requested_amount": "9 triệu",
                                                  "applied_on": "01/11/2025", "submission_key": uuid.uuid4()})
    page = r.content.decode()
    assert r.status_code == 400 and "số tiền tính bằng đồng, không có phần lẻ" in page
    assert "“9 triệu” không phải là số tiền" in page and Dossier.objects.count() == 1



def test_a_step_amount_typed_the_vietnamese_way(enterprises, catalogue, client, make_user):
    d = Dossier.objects.create(enterprise=enterprises["parent"], content=catalogue["iso-9001"], title="ISO 9001",
                               applied_on=datetime.date(2025, 11, 1), total_cost=80_000_000, requested_amount=40_000_000)
    client.force_login(make_user(Role.OFFICER))
    r = client.post(f"/enterprises/dossiers/{d.pk}/transition/", {"transition": "appraise", "proposed_amount": "20 000 000"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == "appraised" and d.proposed_amount == 20_000_000
