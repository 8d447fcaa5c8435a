import datetime

import pytest

from nscl.geo.loader import load_admin_units, name_key, parse_formed_from
from nscl.geo.models import AdministrativeUnit, units_valid_on

pytestmark = pytest.mark.django_db
P, D, C = "province", "district", "commune"


def test_counts_after_and_before_the_reform():
    after = datetime.date(2025, 7, 1)
    before = datetime.date(2025, 6, 30)
    assert units_valid_on(after, P).count() == 34
    hy = units_valid_on(after, P).get(code="33")
    assert hy.name == "Tỉnh Hưng Yên" and hy.children.filter(level=C).count() == 104
    assert hy.children.filter(unit_type="Phường").count() == 11 and hy.children.filter(unit_type="Xã").count() == 93
    assert set(units_valid_on(before, P).values_list("name", flat=True)) == {"Tỉnh Hưng Yên", "Tỉnh Thái Bình"}
    assert units_valid_on(before, C).count() == 381 and units_valid_on(before, D).count() == 18
    assert units_valid_on(after, D).count() == 0  # no district level after 1 July 2025


def test_new_commune_links_to_the_former_ones():
    pho_hien = AdministrativeUnit.objects.get(level=C, code="11953", valid_from=datetime.date(2025, 7, 1))
    names = set(pho_hien.formed_from.values_list("name", flat=True))
    assert names == {"Phường An Tảo", "Phường Lê Lợi", "Phường Hiến Nam", "Phường Minh Khai", "Xã Trung Nghĩa", "Xã Liên Phương"}
    assert all(u.valid_to == datetime.date(2025, 6, 30) for u in pho_hien.formed_from.all())
    # a name shared by two districts resolves through the "(huyện ...)" hint
    van_giang = AdministrativeUnit.objects.get(level=C, name="Xã Văn Giang", valid_to__isnull=True)
    tan_tien = van_giang.formed_from.get(name="Xã Tân Tiến")
    assert tan_tien.parent.name == "Huyện Văn Giang"


def test_roll_up_of_old_units_into_the_new_province():
    old_tb = AdministrativeUnit.objects.filter(level=C, parent__parent__name="Tỉnh Thái Bình").first()
    assert old_tb.current_province().name == "Tỉnh Hưng Yên" and old_tb.current_province().valid_to is None
    new = old_tb.current_communes()
    assert new and all(u.valid_from == datetime.date(2025, 7, 1) for u in new)


def test_loader_is_idempotent_and_reports_what_it_cannot_match():
    n = AdministrativeUnit.objects.count()
    out = load_admin_units()
    assert AdministrativeUnit.objects.count() == n
    # three former communes named in the source are absent from its March 2025 list
    assert sorted(name for _new, name in out["unmatched"]) == ["Xã An Quý", "Xã Kim Trung", "Xã Vũ Quý"]


def test_parse_formed_from_text():
    text = "Xã Chỉ Đạo, Xã Minh Hải và một phần diện tích tự nhiên, quy mô dân số của Xã Lạc Đạo"
    assert parse_formed_from(text) == [("Xã Chỉ Đạo", "", False), ("Xã Minh Hải", "", False), ("Xã Lạc Đạo", "", True)]
    assert parse_formed_from("Xã Tân Tiến (huyện Văn Giang), Thị trấn Văn Giang") == [
        ("Xã Tân Tiến", "huyện Văn Giang", False), ("Thị trấn Văn Giang", "", False)]
    assert name_key("Xã Đông Hoà") == name_key("Xã Đông Hòa")
