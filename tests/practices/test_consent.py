"""Consent: the enterprise user gives and revokes it for its own cases only; an officer records a
written consent with its basis; revoking takes the case off the public pages at once, back to
draft; the history (who, when, scope) stays and is audited."""
import pytest

from nscl.audit.models import AuditEntry
from nscl.practices.models import Consent, PracticeCase

pytestmark = pytest.mark.django_db


def test_enterprise_gives_consent_then_officer_publishes(client, library, enterprise_user, make_case):
    c = library["c"]
    PracticeCase.objects.filter(pk=c.pk).update(status="draft")
    owner = enterprise_user(c.dossier.enterprise)
    client.force_login(owner)
    r = client.post(f"/dien-hinh/manage/{c.pk}/consent/", {"action": "give", "figures_public": ""})
    assert r.status_code == 302
    consent = Consent.objects.get(case=c, revoked_at__isnull=True)
    assert consent.given_by == owner and consent.figures_public is False and consent.basis == ""
    assert client.get(f"/dien-hinh/{c.pk}/").status_code == 404  # consent alone does not publish
    client.force_login(make_case.officer)
    assert client.post(f"/dien-hinh/manage/{c.pk}/publish/", {"action": "publish"}).status_code == 302
    client.logout()
    html = client.get(f"/dien-hinh/{c.pk}/").content.decode()
    assert "Nhựa Bí Mật" in html and "77.777.000" not in html  # figures stay private
    client.force_login(owner)  # widening the scope: a new consent row, the old one closed
    client.post(f"/dien-hinh/manage/{c.pk}/consent/", {"action": "give", "figures_public": "on"})
    assert Consent.objects.filter(case=c).count() == 2
    assert Consent.objects.get(case=c, revoked_at__isnull=True).figures_public is True
    client.logout()
    assert "77.777.000 đ" in client.get(f"/dien-hinh/{c.pk}/").content.decode()


def test_revocation_hides_at_once(client, library, enterprise_user):
    a = library["a"]
    owner = enterprise_user(a.dossier.enterprise)
    photo = a.files.get(kind="photo")
    assert client.get(f"/dien-hinh/{a.pk}/").status_code == 200
    client.force_login(owner)
    assert client.post(f"/dien-hinh/manage/{a.pk}/consent/", {"action": "revoke"}).status_code == 302
    client.logout()
    assert client.get(f"/dien-hinh/{a.pk}/").status_code == 404
    assert client.get(f"/dien-hinh/files/{photo.pk}/").status_code == 404
    assert "Cơ khí Phố Hiến" not in client.get("/dien-hinh/", {"q": "co khi"}).content.decode()
    assert PracticeCase.objects.get(pk=a.pk).status == "draft"
    old = Consent.objects.get(case=a)
    assert old.revoked_by == owner and old.revoked_at is not None  # the history stays
    assert AuditEntry.objects.filter(model__icontains="consent", object_id=str(old.pk)).count() >= 2


def test_officer_records_a_written_consent_with_its_basis(client, library, make_case):
    c = library["c"]
    client.force_login(make_case.officer)
    r = client.post(f"/dien-hinh/manage/{c.pk}/consent/", {"action": "give", "figures_public": "on"})
    assert r.status_code == 400 and "căn cứ" in r.content.decode() and not Consent.objects.filter(case=c).exists()
    r = client.post(f"/dien-hinh/manage/{c.pk}/consent/", {"action": "give", "figures_public": "on",
                                                            "basis": "Công văn 12/CV-NBM ngày 01/11/2026"})
    assert r.status_code == 302 and Consent.objects.get(case=c).basis.startswith("Công văn 12")


def test_enterprise_cannot_consent_for_another(client, library, enterprise_user):
    a, c = library["a"], library["c"]
    client.force_login(enterprise_user(a.dossier.enterprise))
    for action in ("give", "revoke"):
        assert client.post(f"/dien-hinh/manage/{c.pk}/consent/", {"action": action,
                                                                   "figures_public": "on"}).status_code == 404
    assert not Consent.objects.filter(case=c).exists()
    assert client.get(f"/dien-hinh/{c.pk}/").status_code == 404


def test_one_active_consent_per_case_in_the_database(library, make_case):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(case=library["a"], figures_public=False, given_by=make_case.officer,
                               given_at=timezone.now())
