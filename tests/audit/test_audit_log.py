import pytest

from nscl.accounts.models import Role
from nscl.audit.models import AuditEntry

from ..programme.test_activity_forms import class_post

pytestmark = pytest.mark.django_db


def test_create_update_confirm_reopen_delete_are_audited(client, make_user, units, make_activity):
    officer = make_user(Role.OFFICER, username="canbo1")
    client.force_login(officer)
    AuditEntry.objects.all().delete()
    client.post("/registers/class/new/", class_post(units, title="Lớp A"))
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.username, entry.model) == ("create", "canbo1", "programme.TrainingClass")
    assert entry.before is None and entry.after["title"] == "Lớp A" and entry.after["budget_spent"] == "18500000"
    pk = int(entry.object_id)
    client.post(f"/registers/class/{pk}/edit/", class_post(units, title="Lớp B", budget_spent="17000000", version="1"))
    upd = AuditEntry.objects.filter(action="update").get()
    changed = {k: (b, a) for k, b, a in upd.changed_fields()}
    assert changed["title"] == ("Lớp A", "Lớp B") and changed["budget_spent"] == ("18500000", "17000000")
    assert changed["version"] == (1, 2)
    client.post(f"/registers/class/{pk}/confirm/")
    client.post(f"/registers/class/{pk}/reopen/")
    conf, reop = AuditEntry.objects.get(action="confirm"), AuditEntry.objects.get(action="reopen")
    assert conf.before["confirmed_at"] is None and conf.after["confirmed_at"] is not None
    assert reop.before["confirmed_at"] is not None and reop.after["confirmed_at"] is None and reop.username == "canbo1"
    client.post(f"/registers/class/{pk}/delete/")
    deleted = AuditEntry.objects.get(action="delete")
    assert deleted.before["title"] == "Lớp B" and deleted.after is None
    assert AuditEntry.objects.filter(object_id=str(pk)).count() == 5


def test_refused_write_leaves_no_audit_entry(client, make_user, units):
    client.force_login(make_user(Role.OFFICER))
    n = AuditEntry.objects.count()
    client.post("/registers/class/new/", class_post(units, end_date="01/01/2020"))
    assert AuditEntry.objects.count() == n


def test_admin_browses_and_filters_the_log(client, make_user, units, make_activity):
    client.force_login(make_user(Role.OFFICER, username="canbo2"))
    client.post("/registers/class/new/", class_post(units, title="Lớp lọc nhật ký"))
    client.force_login(make_user(Role.ADMIN, username="quantri"))
    html = client.get("/audit/?user=canbo2&action=create&model=programme.TrainingClass").content.decode()
    assert "Lớp lọc nhật ký" in html and "canbo2" in html
    html = client.get("/audit/?user=canbo2&action=delete").content.decode()
    assert "Lớp lọc nhật ký" not in html
    client.force_login(make_user(Role.VIEWER))
    assert client.get("/audit/").status_code == 403


def test_the_audit_contract(make_user, units):
    """Apps declare `audited` on their AppConfig; `recording` names the action; `acting_as` the user."""
    from django.apps import apps

    from nscl.audit.api import Action, acting_as, recording
    from nscl.programme.models import Unit

    audited = {c.label for c in apps.get_app_configs() if getattr(c, "audited", False)}
    assert audited >= {"accounts", "geo", "programme", "stats", "analysis"} and not audited & {"audit", "common", "api"}
    officer = make_user(Role.OFFICER, username="canbo2")
    AuditEntry.objects.all().delete()
    with acting_as(officer), recording(Action.CONFIRM):
        unit = Unit.objects.create(code="thu", name="Đơn vị thử")
    unit.name = "Đơn vị thử 2"
    unit.save()
    first, second = AuditEntry.objects.order_by("pk")
    assert (first.action, first.username) == ("confirm", "canbo2")
    assert (second.action, second.username) == ("update", "system")
    with pytest.raises(ValueError):
        with recording("approve-everything"):
            pass
    from django.contrib.sessions.models import Session  # an app that is not audited

    Session.objects.create(session_key="x" * 32, session_data="", expire_date="2030-01-01T00:00:00Z")
    assert AuditEntry.objects.count() == 2


def test_the_log_speaks_to_people(client, make_user):
    """Probe: entries read "stats.TfpObservation #81"; saving one TFP year made 31 entries."""
    import pandas as pd

    from nscl.stats import services
    from nscl.stats.models import TfpSeries

    series = TfpSeries.objects.create(name="Hưng Yên mới", territory=TfpSeries.Territory.HY_NEW)
    frame = pd.DataFrame({"year": [2022, 2023, 2024], "output": [100, 104, 109], "capital": [50, 52, 55],
                          "labour": [10, 10.1, 10.3]})
    services.replace_observations(series, frame)
    AuditEntry.objects.all().delete()
    services.replace_observations(series, frame.assign(output=[100, 104, 110]))
    entry = AuditEntry.objects.get()
    assert entry.model_name == "Số liệu TFP một năm"
    assert entry.object_repr == "Chuỗi số liệu TFP Hưng Yên mới, năm 2024"
    assert entry.changed_rows() == [("GRDP giá so sánh", 109.0, 110.0)]
    client.force_login(make_user(Role.ADMIN))
    html = client.get("/audit/").content.decode()
    assert "Số liệu TFP một năm: Chuỗi số liệu TFP Hưng Yên mới, năm 2024" in html
    assert '<option value="stats.TfpObservation" >Số liệu TFP một năm</option>' in html
