"""A TFP series has one row a year (1950-2100), so its import stays in the request: a file with more
rows is refused after the first 1,001 are read, whatever its size, and nothing is saved. (Issue 18
item 2: the registry's imports, which are long, run as background jobs; this one is bounded.)"""
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from nscl.accounts.models import Role
from nscl.stats.models import TfpSeries
from nscl.stats.services import MAX_SERIES_ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture
def series():
    return TfpSeries.objects.create(name="Hưng Yên mới", territory=TfpSeries.Territory.HY_NEW)


def post(client, make_user, units, series, name, data):
    client.force_login(make_user(Role.PARTNER, unit=units["ctk"]))
    started = time.perf_counter()
    resp = client.post(f"/tfp/series/{series.pk}/import/", {"file": SimpleUploadedFile(name, data)}, follow=True)
    return resp, time.perf_counter() - started


def test_a_csv_of_half_a_million_rows_is_refused_within_a_second(client, make_user, units, series):
    body = "year,output,investment,labour\n" + "".join(f"{2000 + i % 50},100,30,600\n" for i in range(500_000))
    resp, seconds = post(client, make_user, units, series, "lon.csv", body.encode())
    html = resp.content.decode()
    assert resp.status_code == 200 and "có hơn 1.000 dòng; một chuỗi TFP có mỗi năm một dòng (1950–2100)" in html
    assert seconds < 1.0, f"{seconds:.2f} s"
    assert not series.observations.exists()


def test_an_excel_sheet_over_the_limit_is_refused(client, make_user, units, series):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("So lieu")
    ws.append(["year", "output", "investment", "labour"])
    for i in range(MAX_SERIES_ROWS + 1):
        ws.append([1950 + i % 150, 100, 30, 600])
    buf = io.BytesIO()
    wb.save(buf)
    resp, _ = post(client, make_user, units, series, "lon.xlsx", buf.getvalue())
    assert "có hơn 1.000 dòng" in resp.content.decode()
    assert not series.observations.exists()


def test_a_series_of_every_allowed_year_still_imports(client, make_user, units, series):
    body = "year,output,investment,labour\n" + "".join(
        f"{y},{100 + y - 1950},{30 + (y - 1950) / 10},{600 + y - 1950}\n" for y in range(1950, 2101))
    resp, _ = post(client, make_user, units, series, "du.csv", body.encode())
    assert "Đã nhập 151 năm số liệu" in resp.content.decode()
    assert series.observations.count() == 151
