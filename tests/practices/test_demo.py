"""The demo cases: made from accepted demo dossiers (or dossiers made here when none exist), three
public, the one without consent private everywhere; remove() deletes exactly what load() made."""
import pytest

from nscl.enterprises.dossiers import Certificate, Dossier
from nscl.enterprises.models import Enterprise
from nscl.practices import demo
from nscl.practices.models import CaseFile, Consent, Indicator, PracticeCase

pytestmark = pytest.mark.django_db

PRIVATE_TITLE = "Kaizen tại tổ đóng gói"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _counts():
    return [m.objects.count() for m in (PracticeCase, Consent, Indicator, CaseFile, Dossier, Enterprise, Certificate)]


def test_demo_without_any_dossier_makes_its_own_and_removes_them(client):
    before = _counts()
    out = demo.load()
    assert out == {"practice_cases": 4, "practice_published": 3}
    assert demo.load() == {"skipped": "already loaded"}
    assert Dossier.objects.filter(title__endswith=demo.DEMO_MARK).count() == 4
    html = client.get("/dien-hinh/").content.decode()
    assert "3 điển hình" in html and "Dữ liệu minh họa" in html and PRIVATE_TITLE not in html
    # the filters offer the public cases' places, never the private case's (Sơn Nam, VSIC 17)
    assert "Phường Phố Hiến" in html and "2025-25" in html and "Sơn Nam" not in html and "2025-17" not in html
    private = PracticeCase.objects.get(title__startswith=PRIVATE_TITLE)
    assert client.get(f"/dien-hinh/{private.pk}/").status_code == 404
    assert client.get(f"/dien-hinh/files/{private.files.get(kind='photo').pk}/").status_code == 404
    assert PRIVATE_TITLE not in client.get("/dien-hinh/", {"q": "kaizen"}).content.decode()
    hidden = PracticeCase.objects.get(title__startswith="Áp dụng ISO 9001")  # consent without figures
    assert 'id="no-figures"' in client.get(f"/dien-hinh/{hidden.pk}/").content.decode()
    shown = PracticeCase.objects.get(title__startswith="5S")
    html = client.get(f"/dien-hinh/{shown.pk}/").content.decode()
    assert 'id="productivity"' in html and "Tỷ lệ sản phẩm lỗi" in html
    assert demo.remove() == {"practice_cases": 4}
    assert _counts() == before


def test_demo_uses_the_programme_demo_dossiers(client):
    """With the programme's demo loaded first (as `nscl demo` does), each case stands on one of its
    accepted dossiers of the case's content; the enterprise user gives the consent for its own."""
    from nscl.programme import demo as programme_demo

    programme_demo.load()
    accepted = {(d.content.code, d.pk) for d in Dossier.objects.filter(is_demo=True, status__in=("accepted", "closed"))
                .select_related("content")}
    before = _counts()
    demo.load()
    for case in PracticeCase.objects.filter(is_demo=True).select_related("dossier__content"):
        code = case.dossier.content.code
        assert code == next(c[0] for c in demo.CASES if c[1] == case.title)
        if any(c == code for c, _pk in accepted):
            assert (code, case.dossier_id) in accepted
        owners = set(case.dossier.enterprise.users.values_list("user__username", flat=True))
        for consent in case.consents.all():
            assert (consent.given_by.username == "doanhnghiep") == ("doanhnghiep" in owners)
            assert consent.basis == ("" if "doanhnghiep" in owners else demo.BASIS)
    assert PracticeCase.objects.filter(is_demo=True, status="published").count() == 3
    demo.remove()
    assert _counts() == before
    programme_demo.remove()
