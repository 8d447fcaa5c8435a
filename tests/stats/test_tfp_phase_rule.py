"""Objective 6 in the running phase (issue 20, item 4): a year's TFP measurement counts toward the
phase in which it is carried out (the day its figure is published), while the figure belongs to
its data year (README, "Objective 6 across phases"); the publish menu offers first the latest data
year not yet published.

Before: a measurement counted in its data year, so the 2025 figure, published in 2026, counted
toward 2021-2025 and the running phase 2026-2030 could never count its first year's measurement
(the 2026 figure is published in 2027, the 2030 one after the phase); a publication entered late
could not say when it was made; the menu offered the earliest year of the run (2020) first."""
import datetime
import re

import pandas as pd
import pytest
from django.utils import timezone

from nscl.accounts.models import Role
from nscl.programme import services as programme
from nscl.programme.models import Phase, TfpMeasurement
from nscl.stats import services
from nscl.stats.models import TfpPublication, TfpSeries

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(make_user):
    series = TfpSeries.objects.create(name="Hưng Yên mới", territory=TfpSeries.Territory.HY_NEW)
    services.replace_observations(series, pd.DataFrame({
        "year": range(2019, 2026), "output": [100, 103, 106, 113, 121, 130, 139],
        "investment": [30, 31, 33, 35, 37, 40, 42], "investment_price_index": [100, 101, 103, 105, 107, 109, 111],
        "labour": [600, 601, 603, 606, 610, 612, 615]}))
    return services.run(series, make_user(Role.OFFICER), alpha=0.4, depreciation=0.05)


@pytest.fixture
def officer(client, make_user):
    user = make_user(Role.OFFICER)
    client.force_login(user)
    return user


def _mt6(code, as_of):
    phase = Phase.objects.get(code=code)
    if not phase.targets.exists():
        programme.copy_targets(Phase.objects.get(code="2021-2025"), phase)
    return next(p for p in programme.phase_progress(phase, as_of) if p.target.code == "MT6")


def _publish(client, run, year, day=None):
    data = {"year": year} | ({"published_on": day} if day else {})
    return client.post(f"/tfp/runs/{run.pk}/publish/", data, follow=True)


def test_a_measurement_counts_in_the_phase_it_is_carried_out(client, officer, run):
    """By hand: figures of 2020..2024 published each March of the next year (2021..2025), the 2025
    figure on 16/03/2026. 2021-2025 counts one measurement in each of its five years: 5 of exactly 5,
    met. 2026-2030 counts the 2025 figure in 2026: its first year met (1 of 5/5 a year). Under the
    data-year rule 2021-2025 would count 2021..2025's figures and 2026-2030 nothing in 2026."""
    for data_year in range(2020, 2026):
        _publish(client, run, data_year, f"{16 if data_year == 2025 else 15}/03/{data_year + 1}")
    assert TfpMeasurement.objects.count() == 6
    old = _mt6("2021-2025", 2025)
    assert old.yearly == {2021: 1, 2022: 1, 2023: 1, 2024: 1, 2025: 1}
    assert (old.actual, old.status) == (5, "met")
    new = _mt6("2026-2030", 2026)
    assert new.yearly[2026] == 1 and new.status_by_year[2026] == "met" and new.actual == 1
    m2025 = TfpPublication.objects.get(year=2025).activity
    assert (m2025.year_measured, m2025.count_year, m2025.end_date) == (2025, 2026, datetime.date(2026, 3, 16))


def test_the_running_year_is_not_failed_before_its_measurement(client, officer, run):
    """In the running phase, the running year's measurement is awaited, not failed: before the 2025
    figure is published, the running year is "not started"; once published (today) it is met."""
    this_year = timezone.localdate().year
    assert this_year in range(2026, 2031)
    before = _mt6("2026-2030", this_year)
    assert (before.status_by_year[this_year], before.status) == ("not_started", "not_started")
    _publish(client, run, 2025)  # published today
    after = _mt6("2026-2030", this_year)
    assert (after.status_by_year[this_year], after.status, after.actual) == ("met", "on_track", 1)


def test_two_figures_published_in_one_year_count_once(client, officer, run):
    """2023's and 2024's figures both published in 2025 (one caught up late): 2025 has a measurement,
    2024 none; the phase counts two years measured of five."""
    _publish(client, run, 2022, "10/04/2023")
    _publish(client, run, 2023, "05/01/2025")
    _publish(client, run, 2024, "20/03/2025")
    mt6 = _mt6("2021-2025", 2025)
    assert mt6.yearly == {2021: 0, 2022: 0, 2023: 1, 2024: 0, 2025: 1}
    assert mt6.actual == 2 and mt6.status_by_year[2024] == "not_met" and mt6.status == "not_met"


def test_the_day_defaults_to_today_and_a_republished_figure_keeps_its_day(client, officer, run, make_user):
    today = timezone.localdate()
    resp = _publish(client, run, 2025)
    assert f"lần đo được tính vào năm {today.year} của chỉ tiêu đo lường TFP, giai đoạn 2026-2030" in resp.content.decode()
    assert TfpPublication.objects.get(year=2025).activity.end_date == today
    _publish(client, run, 2024, "17/03/2025")
    run2 = services.run(run.series, officer, alpha=0.35, depreciation=0.05)
    _publish(client, run2, 2024)  # a corrected figure: the measurement was still carried out in 2025
    pub = TfpPublication.objects.get(year=2024)
    assert pub.run == run2 and pub.activity.end_date == datetime.date(2025, 3, 17) and pub.activity.count_year == 2025
    assert TfpMeasurement.objects.count() == 2


@pytest.mark.parametrize("data, message", [
    ({"year": 2024, "published_on": "01/01/2099"}, "Chưa công bố: Ngày công bố 01/01/2099 chưa đến."),
    ({"year": 2024, "published_on": "31/12/2023"},
     "Chưa công bố: Số liệu năm 2024 không thể công bố ngày 31/12/2023, trước khi năm đó bắt đầu."),
    ({"year": 2024, "published_on": "31/02/2025"}, "Chưa công bố: Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy."),
    ({"year": 2031}, "Năm “2031” không có tỷ trọng TFP trong lần tính này"),
    ({"year": 2019}, "Năm “2019” không có tỷ trọng TFP trong lần tính này"),  # the base year has no growth
])
def test_bad_input_publishes_nothing(client, officer, run, data, message):
    html = client.post(f"/tfp/runs/{run.pk}/publish/", data, follow=True).content.decode()
    assert message in html
    assert not TfpPublication.objects.exists() and not TfpMeasurement.objects.exists()


def test_the_menu_offers_the_latest_year_not_yet_published(client, officer, run):
    def selected():
        html = client.get(f"/tfp/runs/{run.pk}/").content.decode()
        form = html[html.index('id="publish-form"'):html.index("</form>", html.index('id="publish-form"'))]
        return re.findall(r'<option value="(\d+)" selected>', form), re.findall(r'<option value="(\d+)"', form)

    assert selected() == (["2025"], ["2025", "2024", "2023", "2022", "2021", "2020"])
    _publish(client, run, 2025, "16/03/2026")
    assert selected()[0] == ["2024"]
    _publish(client, run, 2024, "17/03/2025")
    _publish(client, run, 2022, "15/03/2023")
    assert selected()[0] == ["2023"]  # a gap is offered before older years
    for y in (2023, 2021, 2020):
        _publish(client, run, y, f"15/03/{y + 1}")
    assert selected()[0] == ["2025"]  # all published: the latest, to republish it
    html = client.get(f"/tfp/runs/{run.pk}/").content.decode()
    assert "2025 (đã công bố)" in html
    listing = client.get("/tfp/").content.decode()
    assert "16/03/2026" in listing[listing.index('id="published"'):]


def test_stored_measurements_move_to_the_year_carried_out(run, officer):
    """The migration: a measurement stored under the old rule (counted in its data year) counts in
    the year of its end date; an illustrative one is dated 31 March of the year after its data year."""
    import importlib

    from django.apps import apps

    from nscl.programme.models import Activity

    migration = importlib.import_module("nscl.programme.migrations.0006_tfp_counted_when_carried_out")
    real = programme.record_tfp_measurement(2024, "R", officer)
    with programme.tfp_carried_out_on(datetime.date(2026, 11, 2)):
        demo = programme.record_tfp_measurement(2022, "D", officer, is_demo=True)
    Activity.objects.filter(pk=real.pk).update(count_year=2024)
    Activity.objects.filter(pk=demo.pk).update(count_year=2022)
    migration.count_tfp_when_carried_out(apps, None)
    real.refresh_from_db()
    demo.refresh_from_db()
    assert real.count_year == timezone.localdate().year and real.end_date == timezone.localdate()
    assert (demo.end_date, demo.count_year) == (datetime.date(2023, 3, 31), 2023)
