"""Reporting duties after support and their reminders (issue 23, items 1 and 2). Before: accepting a
dossier asked the enterprise for nothing, and nothing reminded anyone."""
import argparse
import datetime as dt
import io

import pytest
from django.utils import timezone

from nscl.accounts.models import Role
from nscl.enterprises import cli, duties, workflow
from nscl.enterprises.duties import ReportingDuty
from nscl.enterprises.models import YearlyFigures
from nscl.notifications.models import Notification

from ..mailserver import smtp  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def at(day: dt.date):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


@pytest.fixture
def officer(make_user):
    u = make_user(Role.OFFICER, username="canbo-baocao")
    u.email = "canbo-baocao@example.vn"
    u.save()
    return u


@pytest.fixture
def implementing(catalogue, enterprises, make_dossier):
    return make_dossier(enterprise=enterprises["parent"], year=2026, status="implementing",
                        contract_date=dt.date(2026, 2, 1))


def accept(dossier, officer):
    return workflow.perform(dossier, "accept", officer, accepted_on=dt.date(2026, 6, 1))


def test_accepting_creates_three_yearly_duties_due_31_march_after(implementing, officer):
    assert not ReportingDuty.objects.exists()
    accept(implementing, officer)
    got = list(ReportingDuty.objects.order_by("year").values_list("enterprise__tax_code", "year", "kind", "due_on"))
    assert got == [("0100109106", 2026, "figures", dt.date(2027, 3, 31)),
                   ("0100109106", 2027, "figures", dt.date(2028, 3, 31)),
                   ("0100109106", 2028, "figures", dt.date(2029, 3, 31))]
    # again (a retried acceptance, a second worker): nothing new
    assert duties.create_for(implementing) == []
    assert ReportingDuty.objects.count() == 3


def test_the_years_and_the_due_date_are_settings(implementing, officer, settings):
    settings.NSCL_REPORTING_YEARS, settings.NSCL_REPORTING_DUE = 2, "06-30"
    accept(implementing, officer)
    assert list(ReportingDuty.objects.values_list("year", "due_on")) == [(2026, dt.date(2027, 6, 30)),
                                                                         (2027, dt.date(2028, 6, 30))]


def test_a_refused_move_creates_no_duty(implementing, officer):
    with pytest.raises(workflow.WorkflowError):
        workflow.perform(implementing, "accept", officer)  # no acceptance date
    assert not ReportingDuty.objects.exists()


def test_done_when_the_years_figures_exist(implementing, officer, enterprises):
    accept(implementing, officer)
    d2026 = ReportingDuty.objects.get(year=2026)
    assert d2026.status(dt.date(2027, 3, 1)) == "due" and d2026.status(dt.date(2027, 4, 1)) == "overdue"
    YearlyFigures.objects.create(enterprise=enterprises["parent"], year=2026, revenue=1_000_000_000)
    d2026.refresh_from_db()
    assert d2026.status(dt.date(2027, 4, 1)) == "done" and d2026.done_at is not None
    assert ReportingDuty.objects.get(year=2027).status(dt.date(2027, 4, 1)) == "due"


def test_the_enterprise_sees_its_duties_with_their_status(implementing, officer, enterprises, make_user, client):
    accept(implementing, officer)
    ReportingDuty.objects.filter(year=2026).update(due_on=dt.date(2020, 3, 31))  # overdue today
    YearlyFigures.objects.create(enterprise=enterprises["parent"], year=2027, revenue=5)
    enterprises["branch"].delete()  # with one enterprise, "Doanh nghiệp của tôi" is its page
    client.force_login(make_user(Role.ENTERPRISE, enterprise=enterprises["parent"]))
    page = client.get("/enterprises/mine/", follow=True).content.decode()
    assert "Nghĩa vụ báo cáo sau hỗ trợ" in page
    assert page.count('class="duty-overdue"') == 1 and page.count('class="duty-done"') == 1
    assert page.count('class="duty-due"') == 1 and "31/03/2029" in page


@pytest.fixture
def registry(catalogue, make_enterprise, make_dossier):
    """3 enterprises, duties for 2025 (due 31/03/2026) and 2026 (due 31/03/2027):
    2025: A on time (15/03/2026), B late (01/05/2026), C never; 2026: A early (01/02/2027), B, C not yet."""
    firms = [make_enterprise(code, f"Công ty {code}") for code in ("0100109106", "0314409058", "0101243150")]
    sent = {(0, 2025): dt.date(2026, 3, 15), (1, 2025): dt.date(2026, 5, 1), (0, 2026): dt.date(2027, 2, 1)}
    for i, e in enumerate(firms):
        dossier = make_dossier(enterprise=e, year=2025, status="accepted")
        for year in (2025, 2026):
            duty = ReportingDuty.objects.create(enterprise=e, dossier=dossier, year=year, due_on=duties.due_date(year))
            if (i, year) in sent:
                YearlyFigures.objects.create(enterprise=e, year=year, revenue=1)
                ReportingDuty.objects.filter(pk=duty.pk).update(done_at=at(sent[i, year]))
    return firms


def test_completeness_by_year_hand_computed(registry):
    rows = duties.completeness(ReportingDuty.objects.all(), today=dt.date(2027, 3, 1))
    assert rows == [
        {"year": 2025, "duties": 3, "due": 3, "on_time": 1, "late": 1, "missing": 1, "pending": 0, "rate": 67},
        # only A's (sent early) counts as due: B and C are not yet late
        {"year": 2026, "duties": 3, "due": 1, "on_time": 1, "late": 0, "missing": 0, "pending": 2, "rate": 100},
    ]


def test_the_officers_page_and_its_permission(registry, make_user, client):
    client.force_login(make_user(Role.ENTERPRISE, enterprise=registry[0]))
    assert client.get("/enterprises/duties/").status_code == 403
    client.force_login(make_user(Role.OFFICER))
    page = client.get("/enterprises/duties/").content.decode()
    assert "<td>2025</td>" in page and "Gửi trễ hạn" in page and "67" in page


# --- reminders -------------------------------------------------------------------------------------

@pytest.fixture
def duty(implementing, officer, enterprises, make_user):
    owner = make_user(Role.ENTERPRISE, enterprise=enterprises["parent"], username="dn-phohien")
    owner.email = "dn-phohien@example.vn"
    owner.save()
    accept(implementing, officer)
    ReportingDuty.objects.exclude(year=2026).delete()
    return ReportingDuty.objects.get(year=2026)  # due 31/03/2027


def run(day, capture):
    with capture(execute=True):
        return duties.remind(today=day)


def test_reminders_once_per_step_by_real_mail(duty, smtp, django_capture_on_commit_callbacks):
    Notification.objects.all().delete()  # the acceptance's own notices
    c = django_capture_on_commit_callbacks
    assert run(dt.date(2027, 2, 28), c) == 0           # 31 days before: nothing yet
    assert run(dt.date(2027, 3, 1), c) == 2            # 30 days before: enterprise and officer
    assert run(dt.date(2027, 3, 1), c) == 0            # the same day again: nothing
    assert run(dt.date(2027, 3, 10), c) == 0           # still the 30-day step
    assert run(dt.date(2027, 3, 24), c) == 2           # 7 days before
    assert run(dt.date(2027, 3, 31), c) == 2           # on the day
    assert run(dt.date(2027, 4, 3), c) == 0
    assert run(dt.date(2027, 4, 7), c) == 2            # a week late
    assert run(dt.date(2027, 4, 8), c) == 0
    msgs = smtp.wait(8)
    assert len(msgs) == 8
    assert sorted({a for m in msgs for a in m["to"]}) == ["canbo-baocao@example.vn", "dn-phohien@example.vn"]
    body = smtp.to("dn-phohien@example.vn")[0]["body"]
    assert "Công ty Cổ phần Phố Hiến: “Số liệu năm 2026”, hạn gửi 31/03/2027." in body
    assert sorted(set(Notification.objects.values_list("dedupe_key", flat=True))) == [
        f"duty:{duty.pk}:{s}" for s in ("before-30", "before-7", "due", "late-1")]


def test_a_done_duty_gets_no_reminder(duty, enterprises, smtp, django_capture_on_commit_callbacks):
    YearlyFigures.objects.create(enterprise=enterprises["parent"], year=2026, revenue=1)
    before = Notification.objects.count()
    assert run(dt.date(2027, 3, 31), django_capture_on_commit_callbacks) == 0
    assert Notification.objects.count() == before


def test_the_remind_command_run_twice_sends_once(duty, smtp, django_capture_on_commit_callbacks):
    ReportingDuty.objects.filter(pk=duty.pk).update(due_on=timezone.localdate() + dt.timedelta(days=7))
    parser = argparse.ArgumentParser()
    cli.add_parsers(parser.add_subparsers(dest="c"))
    args = parser.parse_args(["enterprise", "remind"])
    outs = []
    for _ in range(2):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            assert cli.remind(out=out) == 0
        outs.append(out.getvalue())
    assert outs == ["Đã gửi 2 thông báo nhắc hạn báo cáo.\n", "Đã gửi 0 thông báo nhắc hạn báo cáo.\n"]
    assert args.run is not None
    assert len(smtp.wait(2)) == 2
