"""The registry impact page: who may see and run it, what it says about the panel, the job it starts
(an ordinary impact analysis on the panel's CSV, shown by the result page), the latest estimate for
cost-effectiveness, and the deflator series."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nscl.accounts.models import Role
from nscl.analysis import demo_support_impact, runner
from nscl.analysis import support_impact as ri
from nscl.analysis.models import AnalysisJob
from nscl.audit.models import AuditEntry
from nscl.enterprises.reference import load_reference
from nscl.programme import costs
from nscl.stats.deflators import DeflatorSeries

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(db):
    load_reference()
    return demo_support_impact.load(n_firms=60, seed=4)


@pytest.mark.parametrize("role, status", [(Role.VIEWER, 200), (Role.PARTNER, 200), (Role.OFFICER, 200),
                                          (Role.ENTERPRISE, 403)])
def test_who_sees_the_page(client, make_user, registry, role, status):
    client.force_login(make_user(role))
    assert client.get("/analysis/registry/").status_code == status


def test_anonymous_users_are_sent_to_login(client):
    r = client.get("/analysis/registry/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_the_page_says_what_the_panel_holds(client, make_user, registry):
    client.force_login(make_user(Role.VIEWER))
    html = client.get("/analysis/registry/").content.decode()
    assert "Các năm 2016-2025: 60 doanh nghiệp có số liệu đủ mọi năm, 600 quan sát" in html
    assert "Giá hiện hành (danh nghĩa" in html
    for year, n in ((2017, 9), (2018, 9), (2019, 8), (2020, 6)):
        assert f"<tr><td>{year}</td><td class=\"num\">{n}</td><td>có</td></tr>" in html
    assert "Chưa từng được hỗ trợ</td><td class=\"num\">28</td>" in html
    assert "Một năm hỗ trợ chỉ được ước lượng khi có ít nhất 5 doanh nghiệp; cần ít nhất 10 doanh nghiệp đối chứng." in html
    assert "Ước lượng tác động" not in html  # a viewer previews, does not run
    r = client.post("/analysis/registry/", {"outcome": "log_labour_productivity", "control": "never", "estimator": "dr"})
    assert r.status_code == 403 and not AnalysisJob.objects.exists()


def test_preview_with_a_deflator_says_real_values(client, make_user, registry):
    client.force_login(make_user(Role.VIEWER))
    s = DeflatorSeries.objects.get(is_demo=True)
    html = client.get("/analysis/registry/", {"outcome": "log_labour_productivity", "control": "never",
                                              "estimator": "dr", "deflator": s.pk}).content.decode()
    assert "Giá so sánh năm 2020" in html and s.name in html


def test_running_starts_an_impact_job_on_the_panel_and_the_result_page_shows_it(client, make_user, registry,
                                                                               no_subprocess):
    client.force_login(make_user(Role.OFFICER))
    r = client.post("/analysis/registry/", {"outcome": "log_labour_productivity", "control": "notyet",
                                            "estimator": "reg"})
    job = AnalysisJob.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/analysis/{job.pk}/" and no_subprocess == [job.pk]
    assert job.kind == "impact" and job.status == "queued" and job.n_rows == 600
    assert {k: job.params[k] for k in ("id", "time", "outcome", "first_treated", "control", "estimator", "source")} == {
        "id": "tax_code", "time": "year", "outcome": "log_labour_productivity", "first_treated": "first_treated",
        "control": "notyet", "estimator": "reg", "source": "registry"}
    assert job.params["registry"]["n_treated"] == 32 and job.params["registry"]["values"] == "nominal"
    with job.input_file.open("rb") as f:
        assert f.read() == ri.build_panel().csv_bytes()
    runner.run(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.error
    direct = ri.estimate(ri.build_panel(), "notyet", "reg").to_dict()
    assert job.result["aggregations"]["simple"]["att"] == pytest.approx(direct["aggregations"]["simple"]["att"], abs=1e-12)
    html = client.get(f"/analysis/{job.pk}/").content.decode()
    assert 'id="registry-panel"' in html and "Giá hiện hành" in html and "Nghiên cứu sự kiện" in html
    assert "Trước khi được hỗ trợ" in html  # the pre-trends explained in words (interpret.impact_notes)
    listing = client.get("/analysis/registry/").content.decode()
    assert f'href="/analysis/{job.pk}/"' in listing
    # the latest estimate, for cost-effectiveness
    effect = costs.latest_effect()
    simple = job.result["aggregations"]["simple"]
    assert effect == {"att": simple["att"], "ci_low": simple["lower"], "ci_high": simple["upper"],
                      "outcome": "log_labour_productivity", "job_id": job.pk, "finished_at": job.finished_at,
                      "support_total_vnd": job.params["registry"]["support_total_vnd"], "n_treated": 32}
    assert effect["support_total_vnd"] > 0


def test_too_few_enterprises_is_a_400_with_the_numbers(client, make_user, registry):
    client.force_login(make_user(Role.OFFICER))
    r = client.post("/analysis/registry/", {"outcome": "log_labour_productivity", "control": "never",
                                            "estimator": "dr", "content": "haccp"})
    html = r.content.decode()
    assert r.status_code == 400 and not AnalysisJob.objects.exists()
    assert "Không có năm hỗ trợ đầu tiên nào có đủ 5 doanh nghiệp" in html and "(đang có: năm" in html
    r = client.post("/analysis/registry/", {"outcome": "log_revenue", "control": "never", "estimator": "dr",
                                            "year_from": 2020, "year_to": 2019})
    assert r.status_code == 400 and "Năm cuối phải sau năm đầu." in r.content.decode()


def test_no_estimate_means_no_effect_for_cost_effectiveness(registry):
    assert ri.latest_effect() is None


def test_deflators_are_entered_like_tfp_series(client, make_user, registry):
    viewer = make_user(Role.VIEWER)
    client.force_login(viewer)
    assert client.get("/analysis/registry/deflators/").status_code == 200
    r = client.post("/analysis/registry/deflators/", {"name": "Chỉ số giá PPI", "base_year": 2020, "source": "Cục TK",
                                                      "values": "2020 100\n2021 104"})
    assert r.status_code == 403
    client.force_login(make_user(Role.OFFICER))
    r = client.post("/analysis/registry/deflators/", {"name": "Chỉ số giá PPI", "base_year": 2020, "source": "Cục TK",
                                                      "values": "2020 100\n2021;104,5\nhai nghìn\n2021 3"})
    html = r.content.decode()
    assert r.status_code == 400 and "Dòng 3: “hai nghìn” không phải “năm chỉ số”" in html
    assert "Dòng 4: năm 2021 đã có ở trên." in html
    r = client.post("/analysis/registry/deflators/", {"name": "Chỉ số giá PPI", "base_year": 2020, "source": "Cục TK",
                                                      "values": "2020 98\n2021 104"})
    assert r.status_code == 400 and "Chỉ số của năm gốc 2020 phải là 100 (đang là 98)." in r.content.decode()
    audited = AuditEntry.objects.filter(model="stats.DeflatorValue").count()
    r = client.post("/analysis/registry/deflators/", {"name": "Chỉ số giá PPI", "base_year": 2020, "source": "Cục TK",
                                                      "values": "2020 100\n2021;104,5"})
    s = DeflatorSeries.objects.get(name="Chỉ số giá PPI")
    assert r.status_code == 302 and s.factors() == {2020: 1.0, 2021: 1.045}
    assert AuditEntry.objects.filter(model="stats.DeflatorValue").count() == audited + 2
    table = SimpleUploadedFile("chi-so.csv", "Năm,Chỉ số\n2019,97.5\n2020,100\n2021,104.5\n".encode())
    r = client.post(f"/analysis/registry/deflators/{s.pk}/", {"values": "", "file": table})
    assert r.status_code == 302 and s.factors() == {2019: 0.975, 2020: 1.0, 2021: 1.045}
    assert "2019 97,5" in client.get(f"/analysis/registry/deflators/{s.pk}/").content.decode()
    client.force_login(viewer)
    assert client.post(f"/analysis/registry/deflators/{s.pk}/delete/").status_code == 403
