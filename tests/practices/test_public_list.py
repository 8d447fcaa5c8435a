"""The public list (no login): only published cases with an active consent; search and filters never
reach a case without consent, not even through the filter choices."""
import pytest

pytestmark = pytest.mark.django_db

PRIVATE = ("Nhựa Bí Mật", "Gạo Đã Rút")


def _titles(client, **params):
    html = client.get("/dien-hinh/", params).content.decode()
    return {name for name in ("Cơ khí Phố Hiến", "Thực phẩm Văn Lâm", *PRIVATE) if name in html}, html


def test_only_consented_published_cases_are_listed(client, library):
    shown, html = _titles(client)
    assert shown == {"Cơ khí Phố Hiến", "Thực phẩm Văn Lâm"}
    assert "2 điển hình" in html and "Điển hình quốc gia" in html
    # nothing of the enterprise without consent: name, commune, amounts, consultant
    for leak in ("Bí Mật", "Tân Hưng", "77.777.000", "Tư vấn Nhựa"):
        assert leak not in html


@pytest.mark.parametrize("q", ["bí mật", "bi mat", "Nhựa", "Tư vấn Nhựa Bí", "lean", "Gạo", "rut"])
def test_search_never_finds_a_case_without_consent(client, library, q):
    shown, html = _titles(client, q=q)
    assert shown == set() and "0 điển hình" in html


@pytest.mark.parametrize("params, expected", [
    ({"q": "co khi pho hien"}, {"Cơ khí Phố Hiến"}),       # no diacritics needed
    ({"q": "Văn Lâm iso"}, {"Thực phẩm Văn Lâm"}),          # every word, any field
    ({"tool": "5s"}, {"Cơ khí Phố Hiến"}),
    ({"tool": "iso-9001"}, set()),                           # a standard is not a tool
    ({"standard": "iso-9001"}, {"Thực phẩm Văn Lâm"}),
    ({"standard": "lean"}, set()),
    ({"industry": "2025-25"}, {"Cơ khí Phố Hiến"}),         # VSIC 2025 division 25 (C's 25120 hidden)
    ({"industry": "2025-10"}, {"Thực phẩm Văn Lâm"}),
    ({"industry": "2018-10"}, set()),                        # same digits, other version
    ({"model": "1"}, {"Cơ khí Phố Hiến"}),
])
def test_filters(client, library, params, expected):
    shown, _html = _titles(client, **params)
    assert shown == expected


def test_commune_filter_and_choices_come_from_public_cases_only(client, library):
    a, c = library["a"].dossier.enterprise.commune, library["c"].dossier.enterprise.commune
    shown, html = _titles(client, commune=str(a.pk))
    assert shown == {"Cơ khí Phố Hiến"}
    assert f'value="{a.pk}"' in html and f'value="{c.pk}"' not in html  # C's commune is no choice
    shown, _ = _titles(client, commune=str(c.pk))
    assert shown == set()
    _, html = _titles(client)
    assert "Lean" not in html and "Kaizen" not in html  # tools of private cases are no choice
    assert "2025-25" in html and "2025-10" in html


@pytest.mark.parametrize("odd", ["x", "-1", "2025-", "2025-abc", "9999-10", "<script>", "1" * 500, "0x10"])
def test_odd_parameters_are_ignored_or_match_nothing(client, library, odd):
    for key in ("q", "tool", "standard", "industry", "commune", "model", "page"):
        assert client.get("/dien-hinh/", {key: odd}).status_code == 200


def test_list_is_phone_first_and_public(client, library):
    r = client.get("/dien-hinh/")
    assert r.status_code == 200 and 'name="viewport"' in r.content.decode()
    assert "Quản lý điển hình" not in r.content.decode()  # no management link for the public
