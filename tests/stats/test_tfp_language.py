"""Issue 20 item 8 in the TFP section: decimals follow the language on the pages and in the charts;
every text the system writes itself is translated (the note: test_note_numbers.py).

Before: the series page listed a run as "(GSO, α=0.38)" in Vietnamese (TfpRun.__str__ wrote the
Python way) and the run page's α and δ relied on Django's float rendering; the run page said
"Recomputing ... gives the same results." three times in English (the catalogue's entry held the
sentence thrice); the contributions and share charts' words were Vietnamese on English pages ("điểm
phần trăm": the view gave the charts no labels); the series table headed "Tỷ lệ lao động qua đào tạo
(%) (%)", "Chỉ số giá đầu tư (năm gốc = 100) (năm gốc = 100)" (the label and the unit both carried it)."""
import re

import pandas as pd
import pytest

from nscl.accounts.models import Role
from nscl.stats import services
from nscl.stats.models import TfpObservation, TfpSeries

pytestmark = pytest.mark.django_db


def frame():
    return pd.DataFrame({"year": range(2015, 2025), "output": [90, 93, 96, 100, 103, 106, 113, 121, 130, 138],
                         "investment": [26, 27, 28, 30, 31, 33, 35, 37, 40, 42],
                         "investment_price_index": [95, 96, 98, 100, 101, 103, 105, 107, 109, 111],
                         "labour": [590, 593, 596, 600, 601, 603, 606, 610, 612, 615]})


@pytest.fixture
def run(make_user, units):
    series = TfpSeries.objects.create(name="Hưng Yên mới", territory=TfpSeries.Territory.HY_NEW)
    services.replace_observations(series, frame())
    return services.run(series, make_user(Role.PARTNER, unit=units["ctk"]), alpha=0.38, depreciation=0.05,
                        periods="2016-2020,2021-2024")


def page(client, url, lang):
    client.cookies["django_language"] = lang
    return client.get(url).content.decode()


def svg_texts(svg: bytes) -> str:
    # matplotlib writes each text as glyph paths with the text itself in a comment
    return " ".join(re.findall(r"<!-- (.*?) -->", svg.decode()))


@pytest.mark.parametrize("lang, heading, sensitivity_alpha, listed", [
    ("vi", "α = 0,38, δ = 0,05", '<td class="num">0,38</td><td class="num">0,05</td>', "(GSO, α=0,38)</a>"),
    ("en", "α = 0.38, δ = 0.05", '<td class="num">0.38</td><td class="num">0.05</td>', "(GSO, α=0.38)</a>")])
def test_run_page_writes_alpha_and_delta_in_its_language(client, make_user, run, lang, heading, sensitivity_alpha, listed):
    client.force_login(make_user(Role.VIEWER))
    html = page(client, f"/tfp/runs/{run.pk}/", lang)
    assert f"<b>GSO</b>, {heading} ·" in html
    assert sensitivity_alpha in html  # the sensitivity table's α and δ
    # the series page lists its runs by name: "α=0.38" in Vietnamese before
    assert listed in page(client, f"/tfp/series/{run.series_id}/", lang)


def test_run_page_says_it_reproduced_once(client, make_user, run):
    client.force_login(make_user(Role.VIEWER))
    en = page(client, f"/tfp/runs/{run.pk}/", "en")
    assert en.count("Recomputing from the stored inputs and parameters gives the same results.") == 1
    assert "✔ Recomputing from the stored inputs and parameters gives the same results.</p>" in en
    vi = page(client, f"/tfp/runs/{run.pk}/", "vi")
    assert vi.count("Tính lại từ số liệu và tham số đã lưu cho cùng kết quả.") == 1


@pytest.mark.parametrize("lang, words", [
    ("vi", ["điểm phần trăm", "Vốn", "Lao động", "Tăng trưởng"]),
    ("en", ["percentage points", "Capital", "Labour", "GRDP growth"]),
])
def test_contributions_chart_speaks_the_page_language(client, make_user, run, lang, words):
    client.force_login(make_user(Role.VIEWER))
    client.cookies["django_language"] = lang
    texts = svg_texts(client.get(f"/tfp/runs/{run.pk}/contributions.svg").content)
    for w in words:
        assert w in texts
    if lang == "en":
        assert "điểm" not in texts and "Vốn" not in texts and "Lao động" not in texts


@pytest.mark.parametrize("lang, words", [
    ("vi", ["Tỷ trọng TFP (%)", "Mục tiêu quốc gia 2025: 45%", "Quy hoạch tỉnh 2021-2030: 50-55%"]),
    ("en", ["TFP share (%)", "National target 2025: 45%", "Provincial plan 2021-2030: 50-55%"]),
])
def test_share_chart_speaks_the_page_language(client, make_user, run, lang, words):
    client.force_login(make_user(Role.VIEWER))
    client.cookies["django_language"] = lang
    texts = svg_texts(client.get(f"/tfp/runs/{run.pk}/share.svg").content)
    for w in words:
        assert w in texts


@pytest.mark.parametrize("lang, headers", [
    ("vi", ["Chỉ số giá đầu tư <span class=\"unit\">(năm gốc = 100)</span>",
            "Tỷ trọng thu nhập lao động <span class=\"unit\">(0-1)</span>",
            "Tỷ lệ lao động qua đào tạo <span class=\"unit\">(%)</span>",
            "GRDP giá so sánh <span class=\"unit\">(triệu đồng)</span>"]),
    ("en", ["Investment price index <span class=\"unit\">(base = 100)</span>",
            "Labour share <span class=\"unit\">(0-1)</span>",
            "Trained share of the workforce <span class=\"unit\">(%)</span>",
            "GRDP at constant prices <span class=\"unit\">(million VND)</span>"]),
])
def test_series_table_names_each_unit_once(client, make_user, run, lang, headers):
    TfpObservation.objects.filter(series=run.series, year=2024).update(trained_share=30, labour_share=0.6, hours=2000)
    client.force_login(make_user(Role.VIEWER))
    html = page(client, f"/tfp/series/{run.series_id}/", lang)
    table = html[html.index('<table id="observations">'):]
    table = table[:table.index("</thead>")]
    for h in headers:
        assert h in table
    assert not re.search(r"\(([^()]+)\) <span class=\"unit\"[^>]*>\(\1\)", table), "a unit said twice"


def test_series_table_keeps_a_unit_typed_for_the_series(client, make_user, run):
    run.series.units = {"trained_share": "phần trăm"}
    run.series.save()
    client.force_login(make_user(Role.VIEWER))
    html = page(client, f"/tfp/series/{run.series_id}/", "vi")
    assert 'Tỷ lệ lao động qua đào tạo <span class="unit" translate="no">(phần trăm)</span>' in html


def test_run_table_headers_name_each_unit_once(client, make_user, run):
    client.force_login(make_user(Role.VIEWER))
    for lang in ("vi", "en"):
        html = page(client, f"/tfp/runs/{run.pk}/", lang)
        assert not re.search(r"\(%\)\s*\(%\)|%\)\s*\(%", html)


@pytest.mark.parametrize("lang, note", [
    ("vi", "Tăng trưởng sản lượng bằng 0 (sai khác dưới 1e-06) ở năm 2019: tỷ phần đóng góp không xác định ở đó."),
    ("en", "Output growth is zero (or within 1e-06 of it) in 2019: shares are undefined there.")])
def test_the_librarys_notes_are_in_the_pages_language(client, make_user, units, lang, note):
    """The growth library's notes are English and were shown as such on Vietnamese pages."""
    flat = frame().assign(output=[90, 93, 96, 100, 100, 106, 113, 121, 130, 138])
    series = TfpSeries.objects.create(name="Chuỗi phẳng", territory=TfpSeries.Territory.HY_NEW)
    services.replace_observations(series, flat)
    user = make_user(Role.PARTNER, unit=units["ctk"])
    r = services.run(series, user, alpha=0.38, depreciation=0.05)
    client.force_login(user)
    assert note in page(client, f"/tfp/runs/{r.pk}/", lang)
