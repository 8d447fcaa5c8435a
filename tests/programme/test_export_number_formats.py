"""Issue 20 item 8 in the programme: Excel number formats without a trailing separator, and the TFP
measurement's title (written by the system) in the reader's language.

Before: every integer and decimal column had the format "#,##0.##", which Excel shows as "45." for a
whole number (a year measured as "2.024."); the title "Đo lường đóng góp của TFP năm 2024" existed in
Vietnamese only."""
import datetime
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from nscl.accounts.models import Role
from nscl.programme import exports, services

pytestmark = pytest.mark.django_db


def formats_by_header(ws, header_row=1):
    headers = [c.value for c in ws[header_row]]
    return {h: ws.cell(row=header_row + 1, column=i + 1).number_format for i, h in enumerate(headers)}


def test_number_format_per_cell():
    assert exports.number_format(45) == "#,##0" and exports.number_format(45.0) == "#,##0"
    assert exports.number_format(44.999) == "#,##0"      # shown with two decimals it is 45
    assert exports.number_format(22.5) == "#,##0.##"


def test_register_integers_and_years_have_no_trailing_separator(client, make_user, make_activity):
    make_activity("class", 2023, participants=30, hours=7.5)
    make_activity("tfp", 2024)
    client.force_login(make_user(Role.VIEWER))
    cls = formats_by_header(load_workbook(io.BytesIO(client.get("/registers/class/?format=xlsx").content)).active)
    assert cls["Số học viên"] == "#,##0"
    assert cls["Số giờ"] == "#,##0.##"                 # 7.5 hours: its decimal shown
    tfp = formats_by_header(load_workbook(io.BytesIO(client.get("/registers/tfp/?format=xlsx").content)).active)
    year_column = next(h for h in tfp if h and h.startswith("Năm") and h != "Năm tính kết quả")
    assert tfp[year_column] == "0"                     # 2024, not 2,024 or 2,024.
    assert "#,##0.##" not in {v for h, v in tfp.items() if h != year_column} - {"General"}


def test_dashboard_bounds_are_whole_numbers(client, settings, data):
    settings.NSCL_PUBLIC_PROGRESS = True
    ws = load_workbook(io.BytesIO(client.get("/progress/export.xlsx?phase=2021-2025&year=2025").content)).active
    headers = [c.value for c in ws[3]]
    row = next(r for r in ws.iter_rows(min_row=4) if r[0].value == "MT3")
    assert (row[5].value, row[6].value, row[7].value) == (20, 20, 5)
    for i in (headers.index("Tối thiểu"), headers.index("Tối đa"), headers.index("Thực hiện")):
        assert row[i].number_format == "#,##0"


def test_tfp_measurement_title_in_the_readers_language(make_user, units):
    officer = make_user(Role.OFFICER)
    with services.tfp_carried_out_on(datetime.date(2025, 3, 20)):
        activity = services.record_tfp_measurement(2024, "R", officer)
    assert activity.title == "Đo lường đóng góp của TFP năm 2024"   # stored in Vietnamese
    with translation.override("en"):
        assert services.activity_title(activity) == "Measuring the contribution of TFP, 2024"
    with translation.override("vi"):
        assert services.activity_title(activity) == "Đo lường đóng góp của TFP năm 2024"
    activity.title = "Đo lường TFP (đợt bổ sung)"                    # a title a user typed stays as typed
    assert services.activity_title(activity, "en") == "Đo lường TFP (đợt bổ sung)"


def test_the_pages_show_a_tfp_measurements_title_in_the_readers_language(client, make_user, units):
    """activity_title was ready but the pages printed the stored Vietnamese title."""
    officer = make_user(Role.OFFICER)
    with services.tfp_carried_out_on(datetime.date(2025, 3, 20)):
        activity = services.record_tfp_measurement(2024, "R", officer)
    client.force_login(officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for url in (f"/registers/tfp/{activity.pk}/", "/registers/tfp/"):
        html = client.get(url).content.decode()
        assert "Measuring the contribution of TFP, 2024" in html and "Đo lường đóng góp của TFP năm 2024" not in html, url
