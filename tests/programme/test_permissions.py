"""Every role against every action, including an enterprise user guessing other enterprises' URLs."""
import io

import pytest
from openpyxl import load_workbook

from nscl.accounts.models import Role
from nscl.enterprises.models import Enterprise
from nscl.programme.models import Activity

from .test_activity_forms import class_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs():
    return Enterprise.objects.create(tax_code="0100109106", name="Doanh nghiệp A"), \
        Enterprise.objects.create(tax_code="0100112437", name="Doanh nghiệp B")


def test_anonymous_is_sent_to_login(client, make_activity):
    a = make_activity("class")
    for url in ["/registers/", "/registers/class/", f"/registers/class/{a.pk}/", "/registers/class/new/", "/audit/",
                "/reports/annual/?year=2023"]:
        resp = client.get(url)
        assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/"), url
    assert client.post(f"/registers/class/{a.pk}/confirm/").status_code == 302
    a.refresh_from_db()


@pytest.mark.parametrize("role,can_create,can_confirm,can_audit", [
    (Role.ADMIN, True, True, True),
    (Role.OFFICER, True, True, False),
    (Role.PARTNER, True, False, False),
    (Role.VIEWER, False, False, False),
    (Role.ENTERPRISE, False, False, False),
])
def test_role_matrix(client, make_user, make_activity, units, role, can_create, can_confirm, can_audit):
    user = make_user(role, unit=units["sct"] if role == Role.PARTNER else None)
    client.force_login(user)
    pending = make_activity("class", 2024, confirmed=False, unit="sct")
    assert (client.get("/registers/class/new/").status_code == 200) is can_create
    resp = client.post(f"/registers/class/{pending.pk}/confirm/")
    pending.refresh_from_db()
    assert pending.is_confirmed is can_confirm
    if not can_confirm:
        assert resp.status_code in (403, 404)
    assert (client.get("/audit/").status_code == 200) is can_audit


def test_partner_records_only_for_own_unit(client, make_user, units):
    client.force_login(make_user(Role.PARTNER, unit=units["sct"]))
    resp = client.post("/registers/class/new/", class_post(units, responsible_unit=units["skhcn"].pk))
    assert resp.status_code == 200 and "responsible_unit" in resp.context["form"].errors
    assert Activity.objects.count() == 0
    assert client.post("/registers/class/new/", class_post(units, responsible_unit=units["sct"].pk)).status_code == 302
    assert Activity.objects.get().responsible_unit == units["sct"]


def test_partner_edits_own_unconfirmed_records_only(client, make_user, make_activity, units):
    client.force_login(make_user(Role.PARTNER, unit=units["sct"]))
    own = make_activity("class", 2024, confirmed=False, unit="sct")
    other = make_activity("class", 2024, confirmed=False, unit="skhcn")
    locked = make_activity("class", 2024, confirmed=True, unit="sct")
    data = class_post(units, responsible_unit=units["sct"].pk, title="Đã sửa")
    assert client.post(f"/registers/class/{own.pk}/edit/", dict(data, version=own.version)).status_code == 302
    assert client.post(f"/registers/class/{other.pk}/edit/", dict(data, version=other.version)).status_code == 403
    assert client.post(f"/registers/class/{other.pk}/delete/").status_code == 403
    resp = client.post(f"/registers/class/{locked.pk}/edit/", dict(data, version=locked.version))
    assert resp.status_code == 302 and resp["Location"].endswith(f"/registers/class/{locked.pk}/")
    for obj, title in ((own, "Đã sửa"), (other, other.title), (locked, locked.title)):
        obj.refresh_from_db()
        assert obj.title == title
    assert Activity.objects.filter(pk=other.pk).exists()


def test_viewer_reads_but_never_writes(client, make_user, make_activity, units):
    a = make_activity("class", 2024, confirmed=False)
    client.force_login(make_user(Role.VIEWER))
    assert client.get(f"/registers/class/{a.pk}/").status_code == 200
    assert client.post(f"/registers/class/{a.pk}/edit/", class_post(units, version=a.version)).status_code == 403
    assert client.post(f"/registers/class/{a.pk}/delete/").status_code == 403
    assert client.post("/registers/class/new/", class_post(units)).status_code == 403
    assert Activity.objects.count() == 1


def test_enterprise_user_sees_only_own_enterprise(client, make_user, make_activity, make_dossier, orgs):
    """Support is the registry's dossiers; the programme's registers name no enterprise, so an
    enterprise user sees none of them, and in the MT5 drill-down only their own dossier."""
    mine, theirs = orgs
    own = make_dossier(mine, 2023, title="Hỗ trợ của tôi")
    other = make_dossier(theirs, 2023, title="Hỗ trợ của người khác")
    cls = make_activity("class", 2023)
    client.force_login(make_user(Role.ENTERPRISE, enterprise=mine))
    assert client.get(f"/enterprises/dossiers/{own.pk}/").status_code == 200
    assert client.get(f"/enterprises/dossiers/{other.pk}/").status_code in (403, 404)
    assert client.get(f"/registers/class/{cls.pk}/").status_code == 404
    assert cls.title not in client.get("/registers/class/").content.decode()
    wb = load_workbook(io.BytesIO(client.get("/registers/class/?format=xlsx").content))
    assert [r for r in wb.active.iter_rows(min_row=2, values_only=True) if r[1] == cls.title] == []
    html = client.get("/progress/2021-2025/MT5/").content.decode()
    assert own.title in html and other.title not in html
    client.force_login(make_user(Role.VIEWER))
    html = client.get("/progress/2021-2025/MT5/").content.decode()
    assert own.title in html and other.title in html


def test_the_old_support_register_leads_to_the_dossiers(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    for url in ("/registers/support/", "/registers/support/12/", "/registers/support/new/"):
        resp = client.get(url)
        assert resp.status_code == 301 and resp["Location"] == "/enterprises/dossiers/", url
    assert "/enterprises/dossiers/" in client.get("/registers/").content.decode()


def test_enterprise_user_cannot_fetch_evidence(client, make_user, make_activity, orgs):
    from django.core.files.base import ContentFile

    from nscl.programme.models import Evidence

    mine, _theirs = orgs
    other = make_activity("class", 2023)
    ev = Evidence(activity=other, type="decision", size=8)
    ev.file.save("qd.pdf", ContentFile(b"%PDF-1.4 x"), save=True)
    client.force_login(make_user(Role.ENTERPRISE, enterprise=mine))
    assert client.get(f"/evidence/{ev.pk}/").status_code == 404
    client.force_login(make_user(Role.VIEWER))
    resp = client.get(f"/evidence/{ev.pk}/")
    assert resp.status_code == 200 and b"".join(resp.streaming_content).startswith(b"%PDF")


def test_officer_confirms_and_reopens(client, make_user, make_activity, units):
    a = make_activity("class", 2024, confirmed=False, unit="sct")
    client.force_login(make_user(Role.OFFICER))
    client.post(f"/registers/class/{a.pk}/confirm/")
    a.refresh_from_db()
    assert a.is_confirmed
    # a confirmed record is locked, even for the officer
    data = class_post(units, title="Không được sửa", version=a.version)
    client.post(f"/registers/class/{a.pk}/edit/", data)
    a.refresh_from_db()
    assert a.title != "Không được sửa"
    client.post(f"/registers/class/{a.pk}/reopen/")
    a.refresh_from_db()
    assert not a.is_confirmed
    assert client.post(f"/registers/class/{a.pk}/edit/", dict(data, version=a.version)).status_code == 302
    a.refresh_from_db()
    assert a.title == "Không được sửa"


def test_confirming_says_whether_the_record_counts(client, make_user, make_activity):
    """Probe: confirming a planned record said it was counted, though MT3 stayed at 22."""
    client.force_login(make_user(Role.OFFICER))
    planned = make_activity("class", 2026, confirmed=False, status="planned")
    html = client.post(f"/registers/class/{planned.pk}/confirm/", follow=True).content.decode()
    assert "CHƯA được tính vào kết quả" in html and "được tính vào kết quả năm" not in html
    done = make_activity("class", 2024, confirmed=False)
    html = client.post(f"/registers/class/{done.pk}/confirm/", follow=True).content.decode()
    assert "được tính vào kết quả năm 2024" in html


def test_annual_report_is_not_for_enterprise_users(client, make_user, make_dossier, orgs, units):
    """The annual report names every supported enterprise with dates and amounts (probe: an
    enterprise user read five other firms' support from it)."""
    mine, other = orgs
    make_dossier(other, 2024)
    client.force_login(make_user(Role.ENTERPRISE, enterprise=mine))
    for fmt in ("docx", "pdf"):
        assert client.get(f"/reports/annual/?year=2024&format={fmt}").status_code == 403
    assert client.get("/reports/annual/").status_code == 403
    assert "/reports/annual/" not in client.get("/").content.decode()
    for role in (Role.ADMIN, Role.OFFICER, Role.PARTNER, Role.VIEWER):
        client.force_login(make_user(role, unit=units["sct"] if role == Role.PARTNER else None))
        resp = client.get("/reports/annual/?year=2024&format=docx")
        assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxml"), role
