"""The running phase: the dashboard opens on it; its targets are copied, edited, cited and published;
drafts are seen only by officers and administrators; outcome indicators beside the targets."""
import pytest
from django.utils import timezone

from nscl.accounts.models import Role
from nscl.programme.models import Phase, Target

pytestmark = pytest.mark.django_db


def formset_post(phase, action, changes=None, doc=None):
    data = {"action": action, "t-TOTAL_FORMS": 0, "t-INITIAL_FORMS": 0, "t-MIN_NUM_FORMS": 0, "t-MAX_NUM_FORMS": 1000}
    targets = list(phase.targets.order_by("order", "code"))
    data["t-TOTAL_FORMS"] = data["t-INITIAL_FORMS"] = len(targets)
    for i, t in enumerate(targets):
        row = {"id": t.pk, "code": t.code, "objective": t.objective, "description": t.description,
               "description_en": t.description_en, "unit": t.unit, "kind": t.kind, "min_value": t.min_value,
               "max_value": t.max_value or "", "tolerance_pct": t.tolerance_pct, "activity_kind": t.activity_kind,
               "condition": t.condition, **({"every_year": "on"} if t.every_year else {})}
        row.update((changes or {}).get(t.code, {}))
        data.update({f"t-{i}-{k}": v for k, v in row.items()})
    data.update({f"d-{k}": v for k, v in (doc or {}).items()})
    return data


def test_the_dashboard_opens_on_the_phase_that_contains_today(client, make_user):
    client.force_login(make_user(Role.VIEWER))
    html = client.get("/").content.decode()
    today = timezone.localdate().year
    current = Phase.objects.get(start_year__lte=today, end_year__gte=today)
    assert f"Giai đoạn {current.code} chưa có chỉ tiêu được ban hành" in html
    assert "?phase=2021-2025" in html                   # the previous phase's results, one click away
    assert "Thiết lập chỉ tiêu giai đoạn" not in html     # only for an administrator
    client.force_login(make_user(Role.ADMIN))
    assert "/phases/2026-2030/targets/" in client.get("/").content.decode()


def test_copy_edit_cite_publish(client, make_user, make_activity):
    admin, viewer, officer = make_user(Role.ADMIN), make_user(Role.VIEWER), make_user(Role.OFFICER)
    phase = Phase.objects.get(code="2026-2030")
    client.force_login(officer)
    assert client.get("/phases/2026-2030/targets/").status_code == 403
    client.force_login(admin)
    client.post("/phases/2026-2030/targets/", {"action": "copy"})
    assert phase.targets.count() == Phase.objects.get(code="2021-2025").targets.count() == 10
    mt3 = phase.targets.get(code="MT3")
    assert (mt3.kind, mt3.activity_kind, float(mt3.min_value)) == ("about", "class", 20.0)

    make_activity("class", 2026)  # a class completed and confirmed in the running phase
    client.force_login(viewer)
    assert "MT3" not in client.get("/?phase=2026-2030").content.decode()  # a draft is not public
    assert client.get("/progress/2026-2030/MT3/").status_code == 404
    assert client.get("/api/v1/targets?phase=2026-2030").json() == []
    client.force_login(officer)
    html = client.get("/?phase=2026-2030").content.decode()
    assert "Bản nháp" in html and 'data-target="MT3"' in html

    client.force_login(admin)
    resp = client.post("/phases/2026-2030/targets/", formset_post(phase, "publish", {"MT3": {"min_value": "25"}}), follow=True)
    assert "văn bản" in resp.content.decode().lower() and not Phase.objects.get(pk=phase.pk).targets_published
    doc = {"number": "12/QĐ-UBND", "title": "Chỉ tiêu năng suất chất lượng 2026-2030", "issued_on": "15/03/2026",
           "issuer": "UBND tỉnh Hưng Yên"}
    # publishing asks first (issue 20): the confirmation page publishes nothing
    ask = client.post("/phases/2026-2030/targets/", formset_post(phase, "publish", {"MT3": {"min_value": "25"}}, doc))
    assert "Xác nhận công bố" in ask.content.decode() and not Phase.objects.get(pk=phase.pk).targets_published
    client.post("/phases/2026-2030/targets/", formset_post(phase, "publish_confirmed", {"MT3": {"min_value": "25"}}, doc))
    phase.refresh_from_db()
    assert phase.targets_published and phase.targets_document.number == "12/QĐ-UBND"
    assert phase.targets_published_by == admin
    assert float(Target.objects.get(phase=phase, code="MT3").min_value) == 25

    client.force_login(viewer)
    rows = {t["code"]: t for t in client.get("/api/v1/targets?phase=2026-2030&year=2026").json()}
    assert rows["MT3"]["min"] == 25 and rows["MT3"]["actual"] == 1  # the 2026 class counts now
    client.force_login(admin)
    assert "Đã công bố" in client.get("/phases/2026-2030/targets/").content.decode()


def test_outcome_indicators_are_measured(client, make_user, make_activity):
    from nscl.cli import load_demo
    from nscl.stats.models import TfpPublication

    load_demo()
    client.force_login(make_user(Role.VIEWER))
    html = client.get("/?phase=2021-2025&year=2024").content.decode()
    assert 'data-indicator="TFP"' in html and "Quyết định 36/QĐ-TTg" in html and "Quyết định 489/QĐ-TTg" in html
    assert "Quyết định 1322/QĐ-TTg" in html
    pub = TfpPublication.objects.get(year=2024)
    share = pub.run.year_result(2024)["contribution_tfp_pct"]
    assert f"{share:.2f}".replace(".", ",") + "%" in html
    rows = {r["year"]: r for r in pub.run.inputs}
    lp = 100 * ((rows[2024]["output"] / rows[2024]["labour"]) / (rows[2023]["output"] / rows[2023]["labour"]) - 1)
    assert f"{lp:.2f}".replace(".", ",") + "%" in html


def test_growth_of_enterprises_supported_by_hand(make_dossier):
    """Accepted dossiers: 5 distinct enterprises in 2023, 6 in 2024 (one twice, one through its
    branch and parent), 3 in 2025: +20%, -50%; a dossier still being implemented is not counted."""
    from nscl.enterprises.models import Enterprise
    from nscl.programme.indicators import supported_enterprises_growth

    ents = [Enterprise.objects.create(tax_code=t, name=f"DN {i}") for i, t in enumerate(
        ["0100109106", "0100112437", "0100100079", "0100100061", "0100100047", "0100100037"])]
    branch = Enterprise.objects.create(tax_code="0100109106-001", name="Chi nhánh DN 0", parent=ents[0])
    for e in ents[:5]:
        make_dossier(e, 2023)
    for e in ents + [ents[0], branch]:
        make_dossier(e, 2024)
    for e in ents[:3]:
        make_dossier(e, 2025)
    make_dossier(ents[4], 2025, status="implementing")  # not accepted: not counted
    ind = supported_enterprises_growth([2023, 2024, 2025])
    assert ind.values[2023] is None  # nothing in 2022 to grow from
    assert ind.values[2024] == pytest.approx(20.0) and ind.values[2025] == pytest.approx(-50.0)
    assert [met for _y, _v, met, _partial in ind.cells([2024, 2025])] == [True, False]


def test_cached_indicators_follow_the_language(client, make_user, settings):
    """With the cache on (as under `nscl serve`), indicators computed on a Vietnamese page are
    shown in English on an English one (their labels are translated when drawn)."""
    from nscl.cli import load_demo

    settings.NSCL_PROGRESS_CACHE_SECONDS = 300
    load_demo()
    client.force_login(make_user(Role.VIEWER))
    vi = client.get("/?phase=2021-2025&year=2024").content.decode()
    client.cookies["django_language"] = "en"
    en = client.get("/?phase=2021-2025&year=2024").content.decode()
    assert "Quốc gia đến 2025: khoảng 45%" in vi and "National by 2025: about 45%" in en
