"""A case's public page: figures only when the consent covers them; 404 for a case without consent,
unpublished, revoked, or whose dossier is no longer accepted; before/after labour productivity by hand."""
import pytest

from nscl.enterprises.dossiers import Dossier
from nscl.practices import services
from nscl.practices.models import PracticeCase

pytestmark = pytest.mark.django_db


def test_case_with_figures(client, library):
    a = library["a"]
    html = client.get(f"/dien-hinh/{a.pk}/").content.decode()
    assert "Cơ khí Phố Hiến" in html and "5S" in html and "Tư vấn Cơ khí Phố Hiến" in html
    assert "Doanh nghiệp điển hình của Chương trình quốc gia" in html and "QĐ 2024" in html
    assert "123.456.000 đ" in html and "40.000.000 đ" in html and "39.000.000 đ" in html
    # labour productivity: 2022 (year before acceptance in 2023) 5 bn / 50 = 100 M; latest after: 2025
    # 6 bn / 40 = 150 M; +50 %
    assert "2022: <strong>100.000.000 đ</strong> → 2025: <strong>150.000.000 đ</strong> (+50,00%)" in html
    assert f"Tỷ lệ lỗi {a.pk}" in html and "-25,00%" in html  # 4 → 3 %, lower is better
    assert "25110" in html and "Phố Hiến" in html


def test_productivity_by_hand(library):
    lp = services.productivity(library["a"])
    assert (lp["before_year"], lp["before"], lp["after_year"], lp["after"]) == (2022, 100_000_000, 2025, 150_000_000)
    assert lp["change_pct"] == pytest.approx(50.0)
    assert services.productivity(library["b"])["before"] is None  # no figures: nothing invented


def test_consent_without_figures_hides_every_figure(client, library):
    b = library["b"]
    html = client.get(f"/dien-hinh/{b.pk}/").content.decode()
    assert "Thực phẩm Văn Lâm" in html and 'id="no-figures"' in html
    for leak in ("123.456.000", "40.000.000", "39.000.000", f"Tỷ lệ lỗi {b.pk}", 'id="figures"', 'id="indicators"'):
        assert leak not in html


@pytest.mark.parametrize("which", ["c", "d"])
def test_case_without_active_consent_is_404(client, library, which):
    assert client.get(f"/dien-hinh/{library[which].pk}/").status_code == 404


def test_draft_or_no_longer_accepted_is_404(client, library):
    a = library["a"]
    PracticeCase.objects.filter(pk=a.pk).update(status="draft")
    assert client.get(f"/dien-hinh/{a.pk}/").status_code == 404
    PracticeCase.objects.filter(pk=a.pk).update(status="published")
    Dossier.objects.filter(pk=a.dossier_id).update(status="implementing")  # e.g. acceptance reopened
    assert client.get(f"/dien-hinh/{a.pk}/").status_code == 404


def test_only_public_files_are_listed(client, library):
    html = client.get(f"/dien-hinh/{library['a'].pk}/").content.decode()
    photo = library["a"].files.get(kind="photo")
    assert f"/dien-hinh/files/{photo.pk}/" in html and "noi-bo.docx" not in html


def test_unknown_case_is_404(client, library):
    assert client.get("/dien-hinh/999999/").status_code == 404
