"""VSIC 2018 and 2025 are keyed by (version, code); a 2018 code converts through the official table."""
from nscl.enterprises import vsic


def test_counts_match_the_decisions():
    t18, t25 = vsic.table("2018"), vsic.table("2025")
    assert len(t18) == 1549 and len(t25) == 1606
    assert sum(1 for i in t25.values() if i.level == 5) == 743
    assert sum(1 for i in t18.values() if i.level == 1) == 21 and sum(1 for i in t25.values() if i.level == 1) == 22


def test_same_digits_mean_different_things():
    assert vsic.lookup("2018", "4663").name == "Bán buôn vật liệu, thiết bị lắp đặt khác trong xây dựng"
    assert vsic.lookup("2025", "4663").name.startswith("Bán buôn mô tô, xe máy")


def test_conversion_2018_to_2025():
    assert [i.code for i in vsic.converts_to("4663")] == ["4673"]
    assert [i.code for i in vsic.converts_to("46632")] == ["46732"]
    assert vsic.converts_to("99999") == []


def test_exists_by_version_and_section():
    assert vsic.exists("2025", "46731") and not vsic.exists("2018", "46731")
    assert not vsic.exists("2007", "0130") and not vsic.exists("2018", "0130") and vsic.exists("2025", "0130")
    assert vsic.section_of("2025", "46731") == "G" and vsic.section_of("2018", "01110") == "A"
    assert vsic.section_of("2025", "nope") is None
