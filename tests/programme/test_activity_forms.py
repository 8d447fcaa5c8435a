"""Recording activities through the forms: good input saved, bad input refused with nothing saved."""
import uuid

import pytest

from nscl.accounts.models import Role
from nscl.geo.models import AdministrativeUnit
from nscl.programme.models import Activity, CatalogueItem, TrainingClass

pytestmark = pytest.mark.django_db


def class_post(units, **over):
    old_commune = AdministrativeUnit.objects.get(level="commune", code="11953", valid_from__isnull=True)
    data = {
        "title": "Lớp tập huấn 5S", "start_date": "15/03/2024", "end_date": "16/03/2024", "status": "completed",
        "responsible_unit": units["skhcn"].pk, "location": old_commune.pk, "budget_planned": "20000000",
        "budget_spent": "18500000", "fund_source": "provincial", "notes": "", "topic": CatalogueItem.objects.get(code="5s").pk,
        "participants": "45", "hours": "8", "participant_list": "Nguyễn A; Công ty X", "token": str(uuid.uuid4()),
    }
    data.update(over)
    return data


def test_officer_records_a_training_class(client, make_user, units):
    client.force_login(make_user(Role.OFFICER, unit=units["skhcn"]))
    resp = client.post("/registers/class/new/", class_post(units))
    assert resp.status_code == 302
    obj = TrainingClass.objects.get()
    assert obj.title == "Lớp tập huấn 5S" and obj.budget_spent == 18_500_000 and obj.count_year == 2024
    assert obj.participant_rows() == [("Nguyễn A", "Công ty X")]
    assert obj.is_confirmed is False
    page = client.get(resp["Location"]).content.decode()
    assert "18.500.000 đ" in page and "15/03/2024" in page


@pytest.mark.parametrize("over,field,message", [
    ({"end_date": "10/03/2024"}, "end_date", "Ngày kết thúc không được trước ngày bắt đầu"),
    ({"budget_spent": "-5"}, "budget_spent", "Giá trị không được âm"),
    ({"budget_planned": "-1"}, "budget_planned", "Giá trị không được âm"),
    ({"participants": "-3"}, "participants", "Giá trị không được âm"),
    ({"location": "999999"}, "location", "“Địa điểm” đã chọn không có trong danh mục"),
    ({"responsible_unit": "999999"}, "responsible_unit", "đã chọn không có trong danh mục"),
    ({"start_date": "31/02/2024"}, "start_date", "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy"),
    ({"status": "completed", "end_date": ""}, "end_date", "cần có ngày kết thúc"),
])
def test_bad_input_is_refused_with_a_vietnamese_message(client, make_user, units, over, field, message):
    client.force_login(make_user(Role.OFFICER))
    resp = client.post("/registers/class/new/", class_post(units, **over))
    assert resp.status_code == 200
    errors = " ".join(resp.context["form"].errors.get(field, []))
    assert message in errors, resp.context["form"].errors
    assert Activity.objects.count() == 0


def test_location_must_be_valid_on_the_activity_date(client, make_user, units):
    client.force_login(make_user(Role.OFFICER))
    new_commune = AdministrativeUnit.objects.get(level="commune", code="11953", valid_from__isnull=False)
    resp = client.post("/registers/class/new/", class_post(units, location=new_commune.pk))  # 2024 record, 2025 unit
    assert "không có hiệu lực vào ngày 15/03/2024" in " ".join(resp.context["form"].errors["location"])
    assert Activity.objects.count() == 0
    resp = client.post("/registers/class/new/", class_post(units, location=new_commune.pk, start_date="02/07/2025",
                                                            end_date="03/07/2025"))
    assert resp.status_code == 302


def test_same_form_submitted_twice_saves_once(client, make_user, units):
    client.force_login(make_user(Role.OFFICER))
    data = class_post(units)
    assert client.post("/registers/class/new/", data).status_code == 302
    resp = client.post("/registers/class/new/", data)
    assert resp.status_code == 200
    assert "đã được gửi trước đó" in " ".join(resp.context["form"].non_field_errors())
    assert Activity.objects.count() == 1


def test_stale_edit_is_refused(client, make_user, units, make_activity):
    obj = make_activity("class", 2024, confirmed=False)
    client.force_login(make_user(Role.OFFICER))
    base = class_post(units, title="Sửa lần 1", version=str(obj.version))
    assert client.post(f"/registers/class/{obj.pk}/edit/", base).status_code == 302
    resp = client.post(f"/registers/class/{obj.pk}/edit/", dict(base, title="Sửa từ form cũ"))
    assert resp.status_code == 200 and "đã được người khác thay đổi" in resp.content.decode()
    obj.refresh_from_db()
    assert obj.title == "Sửa lần 1" and obj.version == 2


def test_every_register_has_a_working_form(client, make_user):
    from nscl.programme.models import KIND_MODELS

    client.force_login(make_user(Role.OFFICER))
    assert "support" not in KIND_MODELS  # support to enterprises: the registry's dossiers
    for kind in KIND_MODELS:
        resp = client.get(f"/registers/{kind.value}/new/")
        assert resp.status_code == 200, kind
        assert 'name="start_date"' in resp.content.decode()
        assert client.get(f"/registers/{kind.value}/").status_code == 200
    assert client.get("/registers/unknown/new/").status_code == 404


@pytest.mark.parametrize("day", ["01/01/0001", "01/01/1800", "31/12/9999", "31/12/2036"])
def test_implausible_dates_are_refused_with_a_message(client, make_user, units, day):
    """Probe: 01/01/0001 and 9999 were saved, and the counting year became 1 or 9999."""
    client.force_login(make_user(Role.OFFICER))
    resp = client.post("/registers/class/new/", class_post(units, start_date=day, end_date=day))
    assert resp.status_code == 200 and "nằm ngoài khoảng hợp lý" in resp.content.decode()
    assert not TrainingClass.objects.exists()


def test_hidden_field_problems_are_said_and_nothing_is_saved(client, make_user, units, make_activity):
    client.force_login(make_user(Role.OFFICER))
    for token, message in (("not-a-uuid", "thông tin ẩn không hợp lệ"), ("", "thiếu mã gửi")):
        resp = client.post("/registers/class/new/", class_post(units, token=token))
        assert resp.status_code == 200 and message in resp.content.decode(), token
    assert not TrainingClass.objects.exists()
    obj = make_activity("class", 2024, confirmed=False)
    for version, message in (("", "thiếu số phiên bản"), ("abc", "thông tin ẩn không hợp lệ")):
        resp = client.post(f"/registers/class/{obj.pk}/edit/", class_post(units, title="Sửa", version=version))
        assert resp.status_code == 200 and message in resp.content.decode(), version
    obj.refresh_from_db()
    assert obj.title != "Sửa" and obj.version == 1


@pytest.mark.parametrize("typed", ["18.500.000", "18 500 000", "18500000"])
def test_money_typed_the_vietnamese_way_is_saved(client, make_user, units, typed):
    """"18.500.000" was refused with "Hãy chắc chắn rằng không có nhiều hơn 0 chữ số thập phân."."""
    client.force_login(make_user(Role.OFFICER, unit=units["skhcn"]))
    resp = client.post("/registers/class/new/", class_post(units, budget_planned="20.000.000", budget_spent=typed,
                                                           participants="1.250", hours="7,5"))
    assert resp.status_code == 302, resp.context["form"].errors
    obj = TrainingClass.objects.get()
    assert obj.budget_spent == 18_500_000 and obj.budget_planned == 20_000_000
    assert obj.participants == 1250 and str(obj.hours) == "7.5"
    html = client.get(f"/registers/class/{obj.pk}/edit/").content.decode()  # shown back with separators
    assert 'name="budget_spent" value="18.500.000"' in html and 'name="hours" value="7,5"' in html
    assert 'name="participants" value="1.250"' in html


@pytest.mark.parametrize("typed,message", [
    ("18.500.000,5", "“18.500.000,5”: số tiền tính bằng đồng, không có phần lẻ"),
    ("18,5 triệu", "“18,5 triệu” không phải là số tiền: nhập số đồng bằng chữ số"),
    ("18.50.000", "“18.50.000” không phải là số tiền"),
])
def test_money_that_is_not_money_is_refused_in_words(client, make_user, units, typed, message):
    client.force_login(make_user(Role.OFFICER))
    resp = client.post("/registers/class/new/", class_post(units, budget_spent=typed))
    assert resp.status_code == 200 and Activity.objects.count() == 0
    assert message in " ".join(resp.context["form"].errors["budget_spent"])
    assert f'value="{typed}"' in resp.content.decode()  # what was typed stays in the box
