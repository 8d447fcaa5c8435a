"""Outcome indicators mark a year that is not over as incomplete (issue 20, item 7e).

Before: on 8 December 2026 the growth of enterprises supported showed 2026 as "-75,00%" in red,
one enterprise so far in 2026 against four in the whole of 2025, with nothing saying the year was
still running; the Excel export of the dashboard had no indicators at all."""
import datetime
import io

import pytest
from openpyxl import load_workbook

from nscl.accounts.models import Role
from nscl.programme import indicators

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 8)


@pytest.fixture
def supported(make_dossier):
    """Accepted dossiers: 2 enterprises in 2024, 4 in 2025 (+100%), 1 so far in 2026."""
    from nscl.enterprises.models import Enterprise

    ents = [Enterprise.objects.create(tax_code=t, name=f"DN {i}") for i, t in enumerate(
        ["0100109106", "0100112437", "0100100079", "0100100061"])]
    for e in ents[:2]:
        make_dossier(e, 2024)
    for e in ents:
        make_dossier(e, 2025)
    make_dossier(ents[0], 2026)
    return ents


@pytest.fixture
def frozen_today(monkeypatch):
    monkeypatch.setattr(indicators, "today", lambda: TODAY)
    return TODAY


def test_running_year_is_not_computed_against_a_full_year(supported, frozen_today):
    ind = indicators.supported_enterprises_growth([2025, 2026])
    assert ind.values[2025] == pytest.approx(100.0)  # (4 / 2 - 1) × 100
    assert ind.values[2026] is None                   # not 1 / 4 - 1 = -75%
    cells = ind.cells([2025, 2026])
    assert [(y, met, incomplete) for y, _v, met, incomplete in cells] == [(2025, True, False), (2026, None, True)]
    assert "2026: 1 DN (chưa hết năm)" in ind.note


def test_a_year_over_is_complete(supported, monkeypatch):
    """From 1 January 2027 the 2026 figure is final: 1 / 4 - 1 = -75%, not met (goal +10%)."""
    monkeypatch.setattr(indicators, "today", lambda: datetime.date(2027, 1, 1))
    ind = indicators.supported_enterprises_growth([2026])
    assert ind.values[2026] == pytest.approx(-75.0)
    assert ind.cells([2026]) == [(2026, pytest.approx(-75.0), False, False)]


def test_dashboard_says_the_year_is_not_over(client, make_user, supported, frozen_today):
    client.force_login(make_user(Role.VIEWER))
    html = client.get("/?phase=2026-2030&year=2026").content.decode()
    table = html[html.index('id="indicators"'):]
    table = table[:table.index("</table>")]
    assert "2026 (chưa hết năm)" in table
    assert "-75,00%" not in table and "−75,00%" not in table
    row = table[table.index('data-indicator="DN"'):]
    row = row[:row.index("</tr>")]
    assert "100,00%" in row  # 2025 against 2024
    assert "s-not_met-text" not in row


def test_excel_export_marks_the_running_year(client, make_user, supported, frozen_today):
    client.force_login(make_user(Role.VIEWER))
    resp = client.get("/progress/export.xlsx?phase=2026-2030&year=2026")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content))["Chỉ số kết quả"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(r for r in rows if r and r[0] == "Mã")
    assert header[-2:] == ["2025", "2026 (chưa hết năm)"]
    dn = next(r for r in rows if r and r[0] == "DN")
    assert dn[-2] == pytest.approx(100.0) and dn[-1] == "chưa hết năm"
