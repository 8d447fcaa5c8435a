"""Curating the library: officers create cases from accepted dossiers, edit, add indicators, publish
(only with consent). Every management address guessed by someone else: anonymous → login, viewer
and partner → 403, an enterprise user → 404 for another's case and 403 for curating its own;
nothing is saved."""
import datetime

import pytest

from nscl.accounts.models import Role
from nscl.audit.models import AuditEntry
from nscl.enterprises.dossiers import Dossier
from nscl.enterprises.models import SupportContent
from nscl.practices.models import Indicator, PracticeCase

pytestmark = pytest.mark.django_db

CASE_FIELDS = {"title": "Điển hình mới", "summary": "Đã làm 5S.", "results": "", "model_reference": ""}


def _posts(pk, file_pk, indicator_pk):
    return [
        (f"/dien-hinh/manage/{pk}/edit/", {**CASE_FIELDS, "title": "Bị sửa"}),
        (f"/dien-hinh/manage/{pk}/indicators/", {"name": "X", "unit": "%", "before": "1", "after": "2"}),
        (f"/dien-hinh/manage/{pk}/indicators/{indicator_pk}/delete/", {}),
        (f"/dien-hinh/manage/{pk}/files/{file_pk}/", {"action": "delete"}),
        (f"/dien-hinh/manage/{pk}/publish/", {"action": "unpublish"}),
        (f"/dien-hinh/manage/{pk}/consent/", {"action": "revoke"}),
    ]


def _snapshot():
    return (list(PracticeCase.objects.values_list("pk", "title", "status").order_by("pk")),
            Indicator.objects.count(), list(Dossier.objects.values_list("pk", "status")))


def test_anonymous_is_sent_to_login(client, library):
    a = library["a"]
    before = _snapshot()
    for url in ("/dien-hinh/manage/", "/dien-hinh/manage/new/", f"/dien-hinh/manage/{a.pk}/"):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    for url, data in _posts(a.pk, a.files.first().pk, a.indicators.first().pk):
        assert client.post(url, data).status_code == 302
    assert _snapshot() == before


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PARTNER])
def test_viewer_and_partner_cannot_manage(client, library, role_user, role):
    a = library["a"]
    client.force_login(role_user(role))
    before = _snapshot()
    assert client.get("/dien-hinh/manage/").status_code == 403
    assert client.get("/dien-hinh/manage/new/").status_code == 403
    assert client.get(f"/dien-hinh/manage/{a.pk}/").status_code == 404
    for url, data in _posts(a.pk, a.files.first().pk, a.indicators.first().pk):
        assert client.post(url, data).status_code == 404
    assert _snapshot() == before


def test_enterprise_user_url_guessing(client, library, enterprise_user):
    a, c = library["a"], library["c"]
    client.force_login(enterprise_user(c.dossier.enterprise))
    before = _snapshot()
    page = client.get("/dien-hinh/manage/").content.decode()
    assert "Nhựa Bí Mật" in page and "Cơ khí Phố Hiến" not in page
    assert client.get(f"/dien-hinh/manage/{a.pk}/").status_code == 404
    for url, data in _posts(a.pk, a.files.first().pk, a.indicators.first().pk):
        assert client.post(url, data).status_code == 404      # another enterprise's case: unseen
    own = _posts(c.pk, c.files.first().pk, c.indicators.first().pk)
    for url, data in own[:5]:
        assert client.post(url, data).status_code == 403      # its own case: seen, but not curated by it
    assert client.get("/dien-hinh/manage/new/").status_code == 403
    assert _snapshot() == before
    html = client.get(f"/dien-hinh/manage/{c.pk}/").content.decode()
    assert "77.777.000 đ" in html and "Rút sự đồng ý" not in html and "Đồng ý công khai" in html


def test_branch_user_does_not_see_the_parent_case(client, library, enterprise_user):
    from nscl.enterprises.models import Enterprise

    parent = library["c"].dossier.enterprise
    branch = Enterprise.objects.create(tax_code=f"{parent.tax_code}-001", name="Chi nhánh", parent=parent)
    client.force_login(enterprise_user(branch))
    assert client.get(f"/dien-hinh/manage/{library['c'].pk}/").status_code == 404
    assert client.post(f"/dien-hinh/manage/{library['c'].pk}/consent/", {"action": "give"}).status_code == 404


def test_officer_creates_a_case_from_an_accepted_dossier_only(client, library, make_case):
    client.force_login(make_case.officer)
    e = library["a"].dossier.enterprise
    five_s = SupportContent.objects.get(code="5s")
    accepted = Dossier.objects.create(enterprise=e, content=five_s, title="Hỗ trợ lần 2", status="accepted",
                                      applied_on=datetime.date(2024, 1, 1), total_cost=10, requested_amount=5,
                                      approved_amount=5, accepted_on=datetime.date(2024, 8, 1))
    applied = Dossier.objects.create(enterprise=e, content=five_s, title="Đang xét", status="applied",
                                     applied_on=datetime.date(2026, 1, 1), total_cost=10, requested_amount=5)
    page = client.get("/dien-hinh/manage/new/").content.decode()
    assert "Hỗ trợ lần 2" in page and "Đang xét" not in page and "Hỗ trợ Cơ khí Phố Hiến" not in page
    r = client.post("/dien-hinh/manage/new/", {**CASE_FIELDS, "dossier": applied.pk})
    assert r.status_code == 400 and not PracticeCase.objects.filter(dossier=applied).exists()
    r = client.post("/dien-hinh/manage/new/", {**CASE_FIELDS, "dossier": accepted.pk, "model_enterprise": "on"})
    assert r.status_code == 400 and "căn cứ công nhận" in r.content.decode()  # a model mark needs its basis
    r = client.post("/dien-hinh/manage/new/", {**CASE_FIELDS, "dossier": accepted.pk})
    case = PracticeCase.objects.get(dossier=accepted)
    assert r.status_code == 302 and case.status == "draft" and case.created_by == make_case.officer
    assert AuditEntry.objects.filter(model__icontains="practicecase", object_id=str(case.pk)).exists()
    assert client.get(f"/dien-hinh/{case.pk}/").status_code == 404  # a draft is not public


def test_publish_needs_consent(client, library, make_case):
    client.force_login(make_case.officer)
    c = library["c"]
    PracticeCase.objects.filter(pk=c.pk).update(status="draft")
    r = client.post(f"/dien-hinh/manage/{c.pk}/publish/", {"action": "publish"})
    assert r.status_code == 400 and "chưa đồng ý công khai" in r.content.decode()
    assert PracticeCase.objects.get(pk=c.pk).status == "draft"
    b = library["b"]
    assert client.post(f"/dien-hinh/manage/{b.pk}/publish/", {"action": "unpublish"}).status_code == 302
    assert client.get(f"/dien-hinh/{b.pk}/").status_code == 404
    assert client.post(f"/dien-hinh/manage/{b.pk}/publish/", {"action": "publish"}).status_code == 302
    assert client.get(f"/dien-hinh/{b.pk}/").status_code == 200


def test_officer_edits_and_measures(client, library, make_case):
    client.force_login(make_case.officer)
    b = library["b"]
    r = client.post(f"/dien-hinh/manage/{b.pk}/indicators/", {"name": "Thời gian sản xuất", "unit": "ngày",
                                                              "before": "abc", "after": "4"})
    assert r.status_code == 400 and not b.indicators.filter(name="Thời gian sản xuất").exists()
    r = client.post(f"/dien-hinh/manage/{b.pk}/indicators/", {"name": "Thời gian sản xuất", "unit": "ngày",
                                                              "before": "6", "after": "4", "lower_is_better": "on"})
    assert r.status_code == 302
    i = b.indicators.get(name="Thời gian sản xuất")
    assert i.change_pct == pytest.approx(-100 / 3) and i.improved is True
    r = client.post(f"/dien-hinh/manage/{b.pk}/edit/", {**CASE_FIELDS, "title": ""})
    assert r.status_code == 400 and PracticeCase.objects.get(pk=b.pk).title != ""
    r = client.post(f"/dien-hinh/manage/{b.pk}/edit/", {**CASE_FIELDS, "title": "ISO 9001 ở Văn Lâm"})
    assert r.status_code == 302 and PracticeCase.objects.get(pk=b.pk).title == "ISO 9001 ở Văn Lâm"
    assert "ISO 9001 ở Văn Lâm" in client.get("/dien-hinh/", {"q": "o van lam"}).content.decode()
