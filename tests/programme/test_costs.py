"""Cost-effectiveness: the arithmetic by hand (programme.costs), what the records count
(programme.effectiveness), and the numbers on the dashboard and in the annual report."""
import datetime
import io

import pytest
from docx import Document
from pypdf import PdfReader

from nscl.accounts.models import Role
from nscl.enterprises.dossiers import Certificate, Dossier
from nscl.enterprises.models import Enterprise, SupportContent
from nscl.programme import costs, effectiveness
from nscl.programme.models import Phase

# --- arithmetic (no database) ------------------------------------------------------------------


def test_effect_per_billion_by_hand():
    # 12 treated enterprises got 3 bn đồng in all: 250 million each = 0.25 bn; ATT 0.08 / 0.25 = 0.32
    r = costs.effect_per_billion(0.08, 0.03, 0.13, 3_000_000_000, 12)
    assert r["mean_support_vnd"] == 250_000_000 and r["mean_support_billion"] == pytest.approx(0.25)
    assert (r["value"], r["ci_low"], r["ci_high"]) == pytest.approx((0.32, 0.12, 0.52))
    assert r["reason"] is None
    # a negative effect keeps its sign, the interval its order
    r = costs.effect_per_billion(-0.02, -0.05, 0.01, 500_000_000, 1)
    assert (r["value"], r["ci_low"], r["ci_high"]) == pytest.approx((-0.04, -0.1, 0.02))


@pytest.mark.parametrize("total, n, reason", [(0, 5, "no_support_amount"), (None, 5, "no_support_amount"),
                                              (1_000_000, 0, "no_treated"), (1_000_000, None, "no_treated")])
def test_effect_per_billion_without_amounts_says_why(total, n, reason):
    r = costs.effect_per_billion(0.1, 0.0, 0.2, total, n)
    assert r["value"] is None and r["ci_low"] is None and r["reason"] == reason


def test_effect_per_billion_without_an_estimate():
    assert costs.effect_per_billion(None, None, None, 1_000_000_000, 3) is None
    assert costs.effect_per_billion(float("nan"), None, None, 1_000_000_000, 3) is None
    r = costs.effect_per_billion(0.1, None, None, 1_000_000_000, 2)  # no interval: the point alone
    assert r["value"] == pytest.approx(0.2) and r["ci_low"] is None and r["ci_high"] is None


def test_unit_costs_by_hand():
    u = costs.unit_costs(1_200_000_000, 4, 60, 3)
    assert u == {"budget_vnd": 1_200_000_000, "per_enterprise": 300_000_000, "per_trainee": 20_000_000,
                 "per_certificate": 400_000_000}
    u = costs.unit_costs(1_000_000, 0, None, 0)
    assert u["per_enterprise"] is None and u["per_trainee"] is None and u["per_certificate"] is None


@pytest.fixture
def effect_sources(monkeypatch):
    sources = []
    monkeypatch.setattr(costs, "_effect_sources", sources)
    return sources


def test_effect_source_hook(effect_sources):
    assert costs.latest_effect() is None

    def broken():
        raise RuntimeError("table missing")
    costs.register_effect_source(broken)
    costs.register_effect_source(lambda: None)
    assert costs.latest_effect() is None  # a failing or empty source says nothing
    costs.register_effect_source(lambda: {"att": 0.1})
    assert costs.latest_effect() == {"att": 0.1}
    n = len(effect_sources)
    costs.register_effect_source(broken)  # registering twice (ready() runs again) adds nothing
    assert len(effect_sources) == n


# --- what the records count ---------------------------------------------------------------------

EFFECT = {"att": 0.08, "ci_low": 0.03, "ci_high": 0.13, "outcome": "log_labour_productivity", "job_id": 7,
          "finished_at": datetime.datetime(2026, 11, 20, 9, 0), "support_total_vnd": 3_000_000_000, "n_treated": 12}


@pytest.fixture
def records(db, make_activity):
    """2023: classes of 30 (provincial, 9 M spent) and 50 people (central, 20 M); enterprise A and its
    branch accepted (35 M paid of 40 M approved; 20 M approved, nothing paid yet); a certificate from
    A's dossier, one of B for the standard B's dossier (accepted 2024) supports, one of C on its own.
    Not counted: the enterprise's own money, an unconfirmed and a cancelled activity, C's dossier
    that is only approved. 2024: B accepted, 50 M approved."""
    make_activity("class", 2023, budget_spent=9_000_000, fund_source="provincial", participants=30)
    make_activity("class", 2023, budget_spent=20_000_000, fund_source="central", participants=50)
    make_activity("campaign", 2023, budget_spent=100_000_000, fund_source="enterprise")
    make_activity("class", 2023, budget_spent=7_000_000, confirmed=False, participants=99)
    make_activity("campaign", 2023, budget_spent=5_000_000, status="cancelled")
    iso, five_s = SupportContent.objects.get(code="iso-9001"), SupportContent.objects.get(code="5s")
    a = Enterprise.objects.create(tax_code="0100109106", name="Công ty A")
    a1 = Enterprise.objects.create(tax_code="0100109106-001", name="Chi nhánh A", parent=a)
    b = Enterprise.objects.create(tax_code="0314409058", name="Công ty B")
    c = Enterprise.objects.create(tax_code="0101243150", name="Công ty C")

    def dossier(e, content, status, accepted, approved, paid=None):
        return Dossier.objects.create(enterprise=e, content=content, title="Hỗ trợ", status=status,
                                      applied_on=datetime.date(2023, 1, 5), total_cost=200_000_000,
                                      requested_amount=approved, approved_amount=approved, paid_amount=paid,
                                      accepted_on=accepted)
    da = dossier(a, iso, "closed", datetime.date(2023, 6, 1), 40_000_000, 35_000_000)
    dossier(a1, five_s, "accepted", datetime.date(2023, 9, 1), 20_000_000)
    dossier(b, five_s, "accepted", datetime.date(2024, 3, 1), 50_000_000)
    dossier(c, iso, "approved", None, 45_000_000)
    Certificate.objects.create(enterprise=a, standard=iso, number="A1", body="QUACERT",
                               issued_on=datetime.date(2023, 5, 20), dossier=da)
    Certificate.objects.create(enterprise=b, standard=five_s, number="B1", body="BV", issued_on=datetime.date(2023, 12, 1))
    Certificate.objects.create(enterprise=c, standard=iso, number="C1", body="BV", issued_on=datetime.date(2023, 7, 1))


def test_period_costs_by_hand(records):
    y = effectiveness.period_costs(2023, 2023)
    assert (y.activities_spent, y.support_paid, y.budget) == (29_000_000, 55_000_000, 84_000_000)
    assert (y.enterprises, y.trainees, y.certificates) == (1, 80, 2)  # the branch counts with its parent
    assert y.units == {"budget_vnd": 84_000_000, "per_enterprise": 84_000_000, "per_trainee": 1_050_000,
                       "per_certificate": 42_000_000}
    both = effectiveness.period_costs(2023, 2024)
    assert (both.budget, both.enterprises, both.trainees, both.certificates) == (134_000_000, 2, 80, 2)
    assert both.units["per_enterprise"] == 67_000_000 and both.label == "2023-2024"
    empty = effectiveness.period_costs(2021, 2021)
    assert empty.budget == 0 and empty.units["per_enterprise"] is None


def test_phase_costs_stops_at_the_year_asked(records, effect_sources):
    phase = Phase.objects.get(code="2021-2025")
    data = effectiveness.phase_costs(phase, 2024)
    assert [p.label for p in data["years"]] == ["2021", "2022", "2023", "2024"]
    assert data["phase"].label == "2021-2024" and data["phase"].budget == 134_000_000
    assert data["effect"] is None and data["per_billion"] is None
    costs.register_effect_source(lambda: EFFECT)
    data = effectiveness.phase_costs(phase, 2024)
    assert data["per_billion"]["value"] == pytest.approx(0.32)
    assert data["effect"]["outcome_label"] == "log năng suất lao động"


# --- pages and documents ------------------------------------------------------------------------

def _section(html):
    start = html.index('id="cost-effectiveness"')
    return html[start:html.index('id="effect-per-billion"', start) + 2000]


def _row(html, name):
    start = html.index(f'data-cost="{name}"')
    return html[start:html.index("</tr>", start)]


def test_dashboard_shows_costs_by_year_and_phase(client, make_user, records, effect_sources):
    client.force_login(make_user(Role.VIEWER))
    html = client.get("/?phase=2021-2025&year=2024").content.decode()
    section = _section(html)
    assert "Lũy kế 2021-2024" in section
    assert "84.000.000 đ" in _row(section, "budget") and "134.000.000 đ" in _row(section, "budget")
    assert "67.000.000 đ" in _row(section, "per-enterprise") and "1.050.000 đ" in _row(section, "per-trainee")
    assert "42.000.000 đ" in _row(section, "per-certificate")
    assert "—" in _row(section, "per-enterprise")  # 2021: no enterprise supported, nothing to divide
    assert "Chưa có ước lượng tác động" in section
    costs.register_effect_source(lambda: EFFECT)
    section = _section(client.get("/?phase=2021-2025&year=2024").content.decode())
    assert "<strong>0,3200</strong>" in section and "0,1200 – 0,5200" in section and "250.000.000 đ" in section
    assert "ATT = 0,0800" in section and "log năng suất lao động" in section


def test_dashboard_opens_on_the_phase_containing_today(client, make_user, records):
    client.force_login(make_user(Role.VIEWER))
    section = _section(client.get("/").content.decode())
    today = datetime.date.today().year
    phase = Phase.objects.get(start_year__lte=today, end_year__gte=today)
    assert f"Lũy kế {phase.start_year}-{today}" in section or f"Lũy kế {today}" in section


def test_annual_report_has_the_costs_section(client, make_user, records, effect_sources):
    client.force_login(make_user(Role.OFFICER))
    doc = Document(io.BytesIO(client.get("/reports/annual/?year=2024&format=docx").content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "IV. HIỆU QUẢ SỬ DỤNG KINH PHÍ" in text and "Chưa có ước lượng tác động" in text
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Chỉ số")
    rows = {r.cells[0].text: (r.cells[1].text, r.cells[2].text) for r in table.rows[1:]}
    assert table.rows[0].cells[1].text == "Năm 2024" and table.rows[0].cells[2].text == "Lũy kế 2021-2024"
    assert rows["Doanh nghiệp được hỗ trợ"] == ("1", "2")
    assert rows["Kinh phí bình quân / doanh nghiệp được hỗ trợ"] == ("50.000.000 đ", "67.000.000 đ")
    assert rows["Kinh phí bình quân / học viên"] == ("—", "1.675.000 đ")  # 134 M / 80
    costs.register_effect_source(lambda: EFFECT)
    pdf = client.get("/reports/annual/?year=2024&format=pdf").content
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\u00a0", " ")
    assert "0,3200" in text and "HIỆU QUẢ SỬ DỤNG KINH PHÍ" in text


def test_dashboard_with_an_estimate_it_cannot_scale(client, make_user, records, effect_sources):
    """An estimate without support amounts (or with odd types from its source) is said in words."""
    client.force_login(make_user(Role.VIEWER))
    costs.register_effect_source(lambda: {**EFFECT, "att": "0.08", "ci_low": float("nan"), "n_treated": 0})
    r = client.get("/?phase=2021-2025&year=2024")
    section = _section(r.content.decode())
    assert r.status_code == 200 and "chưa tính được tác động trên mỗi tỷ đồng" in section
    assert "<strong>" not in section[section.index('id="effect-per-billion"'):]
