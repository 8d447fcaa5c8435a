import datetime

import pytest

from nscl.accounts.models import Role
from nscl.programme.models import Target
from nscl.programme.services import phase_progress
from nscl.programme.models import Phase

pytestmark = pytest.mark.django_db


def _row(html, code):
    start = html.index(f'data-target="{code}"')
    return html[start:html.index("</tr>", start)]


def test_reference_plan_is_loaded_verbatim():
    phase = Phase.objects.get(code="2021-2025")
    codes = list(phase.targets.values_list("code", flat=True))
    assert codes == ["MT1a", "MT1b", "MT2", "MT3", "MT4", "MT5", "MT6", "MT7", "MT8", "MT9"]
    mt3 = Target.objects.get(code="MT3")
    assert (mt3.kind, mt3.min_value, mt3.max_value) == ("about", 20, None)
    assert mt3.description.startswith("Tổ chức khoảng 20 lớp tập huấn")
    assert "about 20 training classes" in mt3.description_en
    mt1a, mt1b = Target.objects.get(code="MT1a"), Target.objects.get(code="MT1b")
    assert (mt1a.kind, mt1a.min_value, mt1a.max_value, mt1a.criteria) == ("range", 1, 2, {"field": "pq"})
    assert mt1b.criteria == {"field": "assessment"}
    assert "Trung ương mở khóa" in mt1a.condition
    mt5 = Target.objects.get(code="MT5")
    assert (mt5.kind, mt5.min_value, mt5.max_value, mt5.distinct_by) == ("range", 20, 30, "organisation")
    mt6 = Target.objects.get(code="MT6")
    assert mt6.every_year and mt6.kind == "exact" and mt6.min_value == 5


def test_only_confirmed_completed_records_count(make_activity):
    phase = Phase.objects.get(code="2021-2025")
    for _ in range(3):
        make_activity("class", 2022)
    make_activity("class", 2022, confirmed=False)
    make_activity("class", 2022, status="ongoing")
    make_activity("class", 2022, status="cancelled")
    make_activity("class", 2019)  # before the phase
    mt3 = next(p for p in phase_progress(phase, as_of=2025) if p.target.code == "MT3")
    assert mt3.actual == 3 and mt3.yearly[2022] == 3 and mt3.status == "not_met"


def test_expert_targets_split_by_field(make_activity):
    make_activity("expert", 2022, field="pq")
    make_activity("expert", 2023, field="assessment")
    make_activity("expert", 2023, field="assessment")
    make_activity("expert", 2024, field="assessment")
    prog = {p.target.code: p for p in phase_progress(Phase.objects.get(code="2021-2025"), as_of=2025)}
    assert (prog["MT1a"].actual, prog["MT1a"].status) == (1, "met")
    assert (prog["MT1b"].actual, prog["MT1b"].status) == (3, "exceeded")


def test_enterprise_counted_once_however_often_supported(make_dossier):
    """MT5 counts distinct enterprises with an accepted dossier; a branch counts with its parent."""
    from nscl.enterprises.models import Enterprise

    ent = Enterprise.objects.create(tax_code="0100109106", name="A")
    branch = Enterprise.objects.create(tax_code="0100109106-001", name="A, chi nhánh", parent=ent)
    make_dossier(ent, 2021)
    make_dossier(ent, 2023)
    make_dossier(branch, 2024)
    make_dossier(Enterprise.objects.create(tax_code="0100112437", name="B"), 2024, status="implementing")
    make_dossier(Enterprise.objects.create(tax_code="0100100079", name="C"), 2026)  # the next phase
    prog = {p.target.code: p for p in phase_progress(Phase.objects.get(code="2021-2025"), as_of=2025)}
    assert prog["MT5"].actual == 1  # the branch's dossier (2024) counts its parent, already supported
    assert [prog["MT5"].yearly[y] for y in range(2021, 2026)] == [1, 0, 1, 1, 0]


def test_a_support_target_narrowed_by_criteria_counts_only_those_dossiers(make_dossier):
    """A target may count only some support (its criteria are dossier lookups), like other kinds."""
    from nscl.enterprises.models import Enterprise
    from nscl.programme.services import target_progress

    a = Enterprise.objects.create(tax_code="0100109106", name="A")
    b = Enterprise.objects.create(tax_code="0100112437", name="B")
    make_dossier(a, 2023, content="iso-9001")
    make_dossier(b, 2023, content="5s")
    mt5 = Target.objects.get(phase__code="2021-2025", code="MT5")
    assert target_progress(mt5, as_of=2025).actual == 2
    mt5.criteria = {"content__group": "system"}
    assert target_progress(mt5, as_of=2025).actual == 1


def test_accepting_a_dossier_shows_on_the_dashboard_at_once(client, make_dossier, make_user, settings):
    """The progress cache is dropped when a dossier is accepted (as when a record is confirmed)."""
    from nscl.accounts.models import Role
    from nscl.enterprises import workflow
    from nscl.enterprises.models import Enterprise

    settings.NSCL_PUBLIC_PROGRESS = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.NSCL_PROGRESS_CACHE_SECONDS = 300
    officer = make_user(Role.OFFICER)
    d = make_dossier(Enterprise.objects.create(tax_code="0100112437", name="B"), 2024, status="implementing")
    assert '<td class="num actual">0</td>' in _row(client.get("/?phase=2021-2025&year=2025").content.decode(), "MT5")
    workflow.perform(d, "accept", officer, accepted_on=datetime.date(2024, 9, 1))
    assert '<td class="num actual">1</td>' in _row(client.get("/?phase=2021-2025&year=2025").content.decode(), "MT5")


def test_dashboard_lists_every_target_and_filters(client, make_activity, settings, make_user, units):
    settings.NSCL_PUBLIC_PROGRESS = True
    for _ in range(20):
        make_activity("class", 2023)
    html = client.get("/?phase=2021-2025&year=2025").content.decode()
    for code in ["MT1a", "MT1b", "MT2", "MT3", "MT4", "MT5", "MT6", "MT7", "MT8", "MT9"]:
        assert f'data-target="{code}"' in html
    row = _row(html, "MT3")
    assert '<td class="num actual">20</td>' in row and "s-met" in row
    # as of 2022 nothing yet: not started
    row = _row(client.get("/?phase=2021-2025&year=2022").content.decode(), "MT3")
    assert '<td class="num actual">0</td>' in row and "s-not_started" in row
    # filter by responsible unit: MT6 belongs to the statistics office only
    html = client.get("/?phase=2021-2025&unit=ctk").content.decode()
    assert 'data-target="MT6"' in html and 'data-target="MT3"' not in html


def test_dashboard_private_unless_public_setting(client, settings, make_user):
    settings.NSCL_PUBLIC_PROGRESS = False
    resp = client.get("/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    client.force_login(make_user(Role.VIEWER))
    assert client.get("/").status_code == 200


def test_target_drilldown_lists_counting_records(client, make_activity, make_user, settings):
    settings.NSCL_PUBLIC_PROGRESS = True
    counted = make_activity("campaign", 2023)
    pending = make_activity("campaign", 2023, confirmed=False)
    client.force_login(make_user(Role.VIEWER))
    html = client.get("/progress/2021-2025/MT4/").content.decode()
    assert counted.title in html and pending.title not in html
    svg = client.get("/progress/2021-2025/MT4/chart.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert client.get("/progress/2021-2025/NOPE/").status_code == 404


def test_dashboard_chart_png_and_svg(client, settings):
    settings.NSCL_PUBLIC_PROGRESS = True
    assert client.get("/progress/chart.png").content[:4] == b"\x89PNG"
    assert b"<svg" in client.get("/progress/chart.svg").content


def test_small_things_a_user_sees(client, make_user, make_activity, settings):
    """A favicon, a legend for the bar's marker and the chart's percentages, a padlock every browser draws."""
    settings.NSCL_PUBLIC_PROGRESS = True
    html = client.get("/?phase=2021-2025").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html
    assert "vạch đứng: mức cần đạt" in html and "100% là đã đạt" in html
    a = make_activity("class", 2024)
    client.force_login(make_user(Role.OFFICER))
    detail = client.get(f"/registers/class/{a.pk}/").content.decode()
    assert '<svg class="icon"' in detail and "🔒" not in detail
    assert client.get("/static/nscl/favicon.svg").status_code == 200


def test_a_missing_page_is_the_friendly_404(client, settings):
    """`make run` serves with NSCL_DEBUG=0: a new user meets this page, not Django's URL list."""
    settings.DEBUG = False
    resp = client.get("/khong-co-trang-nay/")
    html = resp.content.decode()
    assert resp.status_code == 404 and "Không tìm thấy trang hoặc hồ sơ" in html and "URLconf" not in html
    assert client.get("/static/nscl/nscl.css").status_code == 200  # static files still served
