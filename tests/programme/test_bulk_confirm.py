"""Confirming several pending records at once from a register list (issue 20, item 7a): asked
first, each record audited as a single confirmation is, all in one transaction; a record someone
confirmed meanwhile is reported, not confirmed twice. Before: records were confirmed one by one
from each record's page only."""
import pytest

from nscl.accounts.models import Role
from nscl.audit.models import AuditEntry
from nscl.programme import services
from nscl.programme.models import Activity

pytestmark = pytest.mark.django_db

URL = "/registers/class/confirm-selected/"


def confirms(activity):
    return AuditEntry.objects.filter(action="confirm", model="programme.TrainingClass", object_id=str(activity.pk))


@pytest.fixture
def pending(make_activity):
    return [make_activity("class", 2024, confirmed=False, title="Lớp 5S Phố Nối"),
            make_activity("class", 2024, confirmed=False, title="Lớp Kaizen Văn Lâm"),
            make_activity("class", 2024, confirmed=False, status="planned", title="Lớp Lean dự kiến")]


def test_list_offers_a_checkbox_for_each_pending_record_to_officers(client, make_user, make_activity, pending):
    done = make_activity("class", 2024, confirmed=True)
    client.force_login(make_user(Role.OFFICER))
    html = client.get("/registers/class/").content.decode()
    assert f'action="{URL}"' in html
    for a in pending:
        assert f'name="ids" value="{a.pk}"' in html
    assert f'name="ids" value="{done.pk}"' not in html
    client.force_login(make_user(Role.VIEWER))
    assert 'name="ids"' not in client.get("/registers/class/").content.decode()


def test_asked_first_then_each_record_confirmed_and_audited(client, make_user, pending):
    officer = make_user(Role.OFFICER)
    client.force_login(officer)
    ids = [a.pk for a in pending]
    page = client.post(URL, {"ids": ids})
    html = page.content.decode()
    assert page.status_code == 200 and "Xác nhận 3 hồ sơ?" in html
    assert "Lớp 5S Phố Nối" in html and "Lớp Lean dự kiến" in html
    assert "1 hồ sơ chưa hoàn thành" in html  # the planned class is locked but does not count
    assert Activity.objects.filter(confirmed_at__isnull=False).count() == 0  # nothing written yet
    assert not AuditEntry.objects.filter(action="confirm").exists()

    html = client.post(URL, {"ids": ids, "action": "confirm"}, follow=True).content.decode()
    assert "Đã xác nhận 3 hồ sơ" in html
    for a in pending:
        a.refresh_from_db()
        assert a.confirmed_at is not None and a.confirmed_by == officer and a.version == 2
        entry = confirms(a).get()
        assert entry.user == officer and entry.after["confirmed_by"] == officer.pk


def test_a_record_confirmed_meanwhile_is_reported_not_confirmed_twice(client, make_user, pending):
    other = make_user(Role.OFFICER)
    client.force_login(make_user(Role.OFFICER))
    ids = [a.pk for a in pending[:2]]
    assert client.post(URL, {"ids": ids}).status_code == 200  # the officer reads the confirmation page
    services.confirm(pending[0], other)                       # another officer confirms one meanwhile
    first_at = Activity.objects.get(pk=pending[0].pk).confirmed_at
    html = client.post(URL, {"ids": ids, "action": "confirm"}, follow=True).content.decode()
    assert "Đã xác nhận 1 hồ sơ" in html
    assert "1 hồ sơ đã được xác nhận trước đó, không xác nhận lại: Lớp 5S Phố Nối" in html
    locked = Activity.objects.get(pk=pending[0].pk)
    assert locked.confirmed_by == other and locked.confirmed_at == first_at
    assert confirms(pending[0]).count() == 1 and confirms(pending[1]).count() == 1


def test_all_or_nothing_when_one_write_fails(client, make_user, pending, monkeypatch):
    client.force_login(make_user(Role.OFFICER))
    real_save = Activity.save

    def failing(self, *args, **kwargs):
        if self.pk == pending[1].pk:
            raise RuntimeError("disk gone")
        return real_save(self, *args, **kwargs)
    monkeypatch.setattr(Activity, "save", failing)
    with pytest.raises(RuntimeError):
        services.confirm_many("class", [a.pk for a in pending], make_user(Role.OFFICER))
    assert not Activity.objects.filter(confirmed_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="confirm").exists()


@pytest.mark.parametrize("data,message", [
    ({}, "Chưa chọn hồ sơ nào để xác nhận."),
    ({"ids": ["1", "x"]}, "Danh sách hồ sơ đã chọn không hợp lệ; vui lòng tải lại trang và chọn lại."),
    ({"ids": ["99999999999999999999"]}, "Danh sách hồ sơ đã chọn không hợp lệ; vui lòng tải lại trang và chọn lại."),
])
def test_bad_selection_is_refused_in_words(client, make_user, pending, data, message):
    client.force_login(make_user(Role.OFFICER))
    html = client.post(URL, {**data, "action": "confirm"}, follow=True).content.decode()
    assert message in html
    assert not Activity.objects.filter(confirmed_at__isnull=False).exists()


def test_records_of_another_register_are_not_confirmed(client, make_user, make_activity, pending):
    campaign = make_activity("campaign", 2024, confirmed=False, title="Chiến dịch truyền thông")
    client.force_login(make_user(Role.OFFICER))
    html = client.post(URL, {"ids": [pending[0].pk, campaign.pk], "action": "confirm"}, follow=True).content.decode()
    assert "Đã xác nhận 1 hồ sơ" in html and "1 hồ sơ không còn trong sổ này" in html
    campaign.refresh_from_db()
    assert campaign.confirmed_at is None


@pytest.mark.parametrize("role", [Role.PARTNER, Role.VIEWER])
def test_only_those_who_confirm_may(client, make_user, units, pending, role):
    client.force_login(make_user(role, unit=units["skhcn"]))
    assert client.post(URL, {"ids": [pending[0].pk], "action": "confirm"}).status_code == 403
    assert not Activity.objects.filter(confirmed_at__isnull=False).exists()
