"""`nscl demo` loads labelled illustrative data; `nscl demo --remove` deletes exactly that."""
import pytest

from nscl.accounts.models import Profile
from nscl.cli import load_demo, remove_demo
from nscl.enterprises.dossiers import Dossier
from nscl.enterprises.models import Enterprise
from nscl.programme import demo
from nscl.programme.models import Activity, Phase, Target
from nscl.programme.services import phase_progress

pytestmark = pytest.mark.django_db


def test_demo_covers_every_target_and_is_labelled(client, settings):
    settings.NSCL_PUBLIC_PROGRESS = True
    out = load_demo()
    assert out["activities"] == Activity.objects.filter(is_demo=True).count() > 35
    # support to enterprises: 24 closed dossiers (one per enterprise) and one application waiting
    demo_dossiers = Dossier.objects.filter(is_demo=True, enterprise__tax_code__in=[demo.demo_tax_code(i) for i in range(25)])
    assert demo_dossiers.filter(status="closed").count() == 24 and demo_dossiers.filter(status="applied").count() == 1
    progress = {p.target.code: p for p in phase_progress(Phase.objects.get(code="2021-2025"), as_of=2025)}
    assert set(progress) == set(Target.objects.values_list("code", flat=True))
    assert progress["MT3"].actual == 21 and progress["MT3"].status == "met"
    assert progress["MT5"].actual == 24
    # the TFP target is fed by the demo's published TFP runs (2021-2024)
    assert progress["MT6"].actual == 4 and progress["MT6"].status_by_year[2024] == "met"
    html = client.get("/").content.decode()
    assert "Dữ liệu minh họa" in html
    client.login(username="canbo", password=demo.DEMO_PASSWORD)
    listing = client.get("/registers/class/").content.decode()
    assert listing.count("Dữ liệu minh họa") >= 20
    assert load_demo() == {"skipped": "already loaded"}


def test_remove_deletes_exactly_the_illustrative_records(make_activity, make_user):
    real = make_activity("class", 2024)
    real_org = Enterprise.objects.create(tax_code="0100109106", name="Thật")
    real_user = make_user()
    load_demo()
    counts = remove_demo()
    assert counts["activities"] > 35 and counts["users"] == 5 and counts["organisations"] >= 25
    assert list(Activity.objects.values_list("pk", flat=True)) == [real.pk]
    assert Enterprise.objects.get() == real_org and not Dossier.objects.exists()
    assert Profile.objects.get().user == real_user
    assert Target.objects.count() == 10  # the plan is reference data, not demo
    from nscl.stats.models import TfpRun, TfpSeries

    assert not TfpRun.objects.exists() and list(TfpSeries.objects.values_list("is_reference", flat=True)) == [True]


def test_a_production_install_has_no_demo(client, settings):
    settings.NSCL_PUBLIC_PROGRESS = True
    assert not Activity.objects.exists()
    assert "Dữ liệu minh họa" not in client.get("/").content.decode()


def test_demo_tax_codes_are_valid():
    from stdnum.vn import mst

    codes = {demo.demo_tax_code(i) for i in range(25)}
    assert len(codes) == 25 and all(mst.is_valid(c) for c in codes)
