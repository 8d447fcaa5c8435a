"""Reporting years close (issue 23 item 5): a year's figures can be entered and changed until
NSCL_FIGURES_CLOSE (default 31/12) of the following year; after it only while an officer's
reopening (with a reason, audited) is open — on the web form and in the import alike."""
import datetime

import pytest
from django.core.exceptions import ValidationError

from nscl.accounts.models import Role
from nscl.audit.models import AuditEntry
from nscl.enterprises import periods
from nscl.enterprises.importer import run_import
from nscl.enterprises.models import Enterprise, PeriodReopening, YearlyFigures

from .test_import import figures_xlsx

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
CLOSED = TODAY.year - 2  # closed since 31/12 of last year
OPEN = TODAY.year - 1    # open until 31/12 this year


@pytest.fixture
def firm():
    return Enterprise.objects.create(tax_code="0100109106", name="Công ty A", sector_group="industry_construction")


@pytest.fixture
def officer(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    return client


def post_figures(client, firm, year, revenue="18.500.000"):
    return client.post(f"/enterprises/{firm.pk}/figures/", {"year": str(year), "revenue": revenue, "employees": "12"})


def test_the_closing_day():
    assert periods.closes_on(2024, "12-31") == datetime.date(2025, 12, 31)
    assert periods.closes_on(2024, "06-30") == datetime.date(2025, 6, 30)
    assert periods.closes_on(2024, "") is None


def test_a_closed_year_is_refused_on_the_web_and_nothing_is_written(officer, firm):
    resp = post_figures(officer, firm, CLOSED)
    assert resp.status_code == 400
    assert f"Số liệu năm {CLOSED} đã khóa sổ sau ngày 31/12/{CLOSED + 1}" in resp.content.decode()
    assert not YearlyFigures.objects.exists()
    assert post_figures(officer, firm, OPEN).status_code == 302


def test_an_officers_reopening_with_a_reason_opens_it_and_is_audited(officer, firm):
    resp = officer.post(f"/enterprises/{firm.pk}/figures/reopen/", {"year": str(CLOSED), "reason": "Doanh nghiệp nộp bổ sung"},
                        follow=True)
    assert f"Đã mở lại số liệu năm {CLOSED} trong 30 ngày." in resp.content.decode()
    r = PeriodReopening.objects.get()
    assert (r.year, r.reason, r.until) == (CLOSED, "Doanh nghiệp nộp bổ sung", TODAY + datetime.timedelta(days=30))
    assert AuditEntry.objects.filter(model="enterprises.PeriodReopening", action=AuditEntry.Action.CREATE).count() == 1
    assert post_figures(officer, firm, CLOSED).status_code == 302
    assert YearlyFigures.objects.get(year=CLOSED).revenue == 18_500_000
    page = officer.get(f"/enterprises/{firm.pk}/").content.decode()
    assert "Doanh nghiệp nộp bổ sung" in page  # the reopenings are listed with their reason


def test_a_reopening_ends(firm):
    PeriodReopening.objects.create(enterprise=firm, year=CLOSED, reason="x", until=TODAY)
    assert periods.closed_years([firm.pk], [CLOSED], TODAY) == set()
    assert periods.closed_years([firm.pk], [CLOSED], TODAY + datetime.timedelta(days=1)) == {(firm.pk, CLOSED)}


@pytest.mark.parametrize("data, message", [
    ({"year": str(CLOSED), "reason": "  "}, "Cần ghi lý do mở lại năm báo cáo."),
    ({"year": str(OPEN), "reason": "Sửa"}, f"Năm {OPEN} chưa khóa sổ: không cần mở lại."),
    ({"year": "abc", "reason": "Sửa"}, "Chọn năm cần mở lại."),
])
def test_a_bad_reopening_is_refused_in_words(officer, firm, data, message):
    resp = officer.post(f"/enterprises/{firm.pk}/figures/reopen/", data, follow=True)
    assert message in resp.content.decode() and not PeriodReopening.objects.exists()


def test_only_officers_reopen(client, make_user, firm):
    from nscl.accounts.models import Profile

    user = make_user(Role.ENTERPRISE)
    Profile.objects.filter(user=user).update(enterprise=firm)
    client.force_login(user)
    assert client.post(f"/enterprises/{firm.pk}/figures/reopen/", {"year": str(CLOSED), "reason": "x"}).status_code == 403
    assert not PeriodReopening.objects.exists()
    with pytest.raises(ValidationError):
        periods.reopen(firm, OPEN, "x", user)


def test_the_import_refuses_changes_to_a_closed_year_but_not_a_repeat(firm):
    YearlyFigures.objects.create(enterprise=firm, year=CLOSED, employees=12, revenue=4_000_000_000,
                                 value_added=1_200_000_000, total_capital=2_000_000_000)
    same = [["0100109106", CLOSED, 12, 4_000_000_000, 1_200_000_000, 2_000_000_000]]
    r = run_import(figures_xlsx(same + [["0100109106", OPEN, 9, 1, 1, 1]]), "so-lieu.xlsx", kind="figures")
    assert r.ok and (r.created, r.unchanged) == (1, 1)
    changed = [["0100109106", CLOSED, 13, 4_000_000_000, 1_200_000_000, 2_000_000_000]]
    r = run_import(figures_xlsx(changed), "so-lieu.xlsx", kind="figures")
    assert not r.ok and r.errors[2] == [periods.closed_message(CLOSED)]
    assert YearlyFigures.objects.get(year=CLOSED).employees == 12


@pytest.mark.parametrize("value, ok", [("12-31", True), ("06-30", True), ("02-28", True), ("02-29", False),
                                       ("02-30", False), ("04-31", False), ("13-01", False), ("1231", False)])
def test_only_a_day_every_year_has_is_accepted_as_the_closing_day(value, ok):
    """02-30 and 04-31 passed the old check and then every enterprise page answered 500."""
    import nscl.settings

    assert nscl.settings._month_day(value) is ok


def test_an_over_long_reason_is_refused_not_cut(officer, firm):
    resp = officer.post(f"/enterprises/{firm.pk}/figures/reopen/", {"year": str(CLOSED), "reason": "x" * 501}, follow=True)
    assert "dài quá 500 ký tự" in resp.content.decode() and not PeriodReopening.objects.exists()
