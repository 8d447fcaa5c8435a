"""Analysis for people who are not econometricians: columns pre-selected from their names, help on
every choice, checkboxes, text firm ids end to end, results in words, Vietnamese printout, translated
aggregation labels, re-running into a new job, the status read once, English pages."""
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from nscl.analysis import runner
from nscl.analysis.forms import MappingForm
from nscl.analysis.models import AnalysisJob

from .test_analysis_views import map_lp, process_ended, upload, wait_for, worker_db  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent.parent / "data"


def vietnamese_panel(tmp_path, headers=("ma_dn", "nam", "va", "lao_dong", "von", "nguyen_lieu")):
    """The Chilean panel of prodest with Vietnamese headers and text firm ids (DN10007...)."""
    d = pd.read_csv(DATA / "prodest" / "chilean.csv")
    d = pd.DataFrame({headers[0]: "DN" + d.idvar.astype(int).astype(str), headers[1]: d.timevar.astype(int),
                      headers[2]: d.Y, headers[3]: d.fX1, headers[4]: d.sX, headers[5]: d.pX})
    path = tmp_path / "dn.csv"
    d.to_csv(path, index=False)
    return path


def selected(html, name):
    """The values the rendered form has selected or checked for field `name`."""
    out = re.findall(rf'<input type="checkbox" name="{name}" value="([^"]*)"[^>]*checked', html)
    m = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if m:
        out += re.findall(r'<option value="([^"]*)" selected>', m.group(1))
    return out


def test_the_mapping_form_preselects_obvious_columns(officer_client, tmp_path):
    upload(officer_client, vietnamese_panel(tmp_path), "firm_tfp")
    job = AnalysisJob.objects.get()
    html = officer_client.get(f"/analysis/{job.pk}/map/").content.decode()
    assert selected(html, "id") == ["ma_dn"] and selected(html, "time") == ["nam"] and selected(html, "output") == ["va"]
    assert selected(html, "free") == ["lao_dong"] and selected(html, "state") == ["von"]
    assert selected(html, "proxy") == ["nguyen_lieu"] and selected(html, "method") == ["lp"]
    # multiple choices are checkboxes, never a multi-select
    assert 'type="checkbox" name="free"' in html and "multiple" not in html
    # every choice has a help line
    form = MappingForm(job)
    assert all(f.help_text for f in form.fields.values())
    assert "Biến trạng thái" in str(form.fields["state"].help_text)
    assert 'id="id_seed_helptext">Số khởi đầu của việc lấy mẫu ngẫu nhiên' in html
    assert html.count('class="muted help"') == len(form.fields)


@pytest.mark.parametrize("headers,expected", [
    (("Mã DN", "Năm", "Sản lượng", "Lao động", "Vốn", "Đầu tư"),
     {"id": "Mã DN", "time": "Năm", "output": "Sản lượng", "free": ["Lao động"], "state": ["Vốn"], "proxy": "Đầu tư",
      "method": "op"}),
    (("FIRM", "Year", "ln_VA", "L", "K", "M"),
     {"id": "FIRM", "time": "Year", "output": "ln_VA", "free": ["L"], "state": ["K"], "proxy": "M"}),
    (("a", "b", "c", "d", "e", "f"), {}),
])
def test_names_are_matched_without_case_or_diacritics(headers, expected):
    job = AnalysisJob(kind=AnalysisJob.Kind.FIRM_TFP, columns=list(headers))
    assert MappingForm(job).initial == expected


def test_impact_columns_are_preselected():
    job = AnalysisJob(kind=AnalysisJob.Kind.IMPACT, columns=["ma_dn", "nam", "tfp", "nam_ho_tro", "quy_mo"])
    assert MappingForm(job).initial == {"id": "ma_dn", "time": "nam", "outcome": "tfp", "first_treated": "nam_ho_tro"}
    job = AnalysisJob(kind=AnalysisJob.Kind.IMPACT, columns=["year", "countyreal", "lemp", "First_Support"])
    assert MappingForm(job).initial == {"time": "year", "first_treated": "First_Support"}


def test_text_firm_ids_run_through_the_form_and_worker_with_results_in_words(officer_client, tmp_path):
    upload(officer_client, vietnamese_panel(tmp_path), "firm_tfp")
    job = AnalysisJob.objects.get()
    html = officer_client.get(f"/analysis/{job.pk}/map/").content.decode()
    assert "ma_dn" in html
    # the pre-selected mapping is what a user who only clicks "Run" sends
    resp = officer_client.post(f"/analysis/{job.pk}/map/", {"id": "ma_dn", "time": "nam", "output": "va",
                                                            "free": ["lao_dong"], "state": ["von"], "proxy": "nguyen_lieu",
                                                            "method": "acf", "bootstrap": 0, "seed": 1, "jobs": 1})
    assert resp.status_code == 302
    job = runner.run(job.pk)
    assert job.status == "done", job.error
    page = officer_client.get(f"/analysis/{job.pk}/").content.decode()
    assert "Tăng 1% lao_dong (lao động) làm sản lượng (va)" in page and "Hiệu suất theo quy mô" in page
    assert "Kết quả nói gì" in page
    # the printout is Vietnamese on a Vietnamese page
    assert "quan sát:" in page and "hàm mục tiêu:" in page
    for english in ("obs:", "criterion:", "NOTE:", "std. err."):
        assert english not in page
    lines = officer_client.get(f"/analysis/{job.pk}/tfp.csv").content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("DN10007,")
    wb = load_workbook(io.BytesIO(officer_client.get(f"/analysis/{job.pk}/results.xlsx").content))
    assert wb["TFP doanh nghiep"]["A2"].value == "DN10007"
    # the status reads once and the bar is green
    assert page.count(">Xong<") == 1 and '<span id="status-note" class="muted"></span>' in page
    assert 'class="fill s-met"' in page


def test_aggregation_labels_are_translated_on_the_page_and_in_the_workbook(officer_client):
    upload(officer_client, DATA / "did" / "mpdta.csv", "impact")
    job = AnalysisJob.objects.get()
    officer_client.post(f"/analysis/{job.pk}/map/", {"id": "countyreal", "time": "year", "outcome": "lemp",
                                                    "first_treated": "first.treat", "control": "never", "estimator": "dr"})
    job = runner.run(job.pk)
    page = officer_client.get(f"/analysis/{job.pk}/").content.decode()
    table = re.search(r'<table id="aggregations">.*?</table>', page, re.S).group(0)
    for label in ("Đơn giản (toàn bộ)", "Theo nhóm (năm hỗ trợ đầu)", "Nghiên cứu sự kiện (năm so với hỗ trợ)", "Theo năm"):
        assert label in table
    assert "<td>simple</td>" not in table and "<td>dynamic</td>" not in table
    assert "Hỗ trợ làm lemp giảm trung bình 0,0400" in page and "Trước khi được hỗ trợ" in page
    wb = load_workbook(io.BytesIO(officer_client.get(f"/analysis/{job.pk}/results.xlsx").content))
    first = {row[0] for row in wb["Tong hop"].iter_rows(min_row=2, values_only=True)}
    assert first == {"Đơn giản (toàn bộ)", "Theo nhóm (năm hỗ trợ đầu)", "Nghiên cứu sự kiện (năm so với hỗ trợ)", "Theo năm"}
    officer_client.cookies["django_language"] = "en"
    page = officer_client.get(f"/analysis/{job.pk}/").content.decode()
    assert "Event study (years since support)" in page and "By calendar year" in page
    wb = load_workbook(io.BytesIO(officer_client.get(f"/analysis/{job.pk}/results.xlsx").content))
    assert "Simple (overall)" in {row[0] for row in wb["Tong hop"].iter_rows(min_row=2, values_only=True)}


def test_rerun_keeps_the_earlier_result(officer_client, no_subprocess):
    upload(officer_client, DATA / "prodest" / "chilean.csv", "firm_tfp")
    first = AnalysisJob.objects.get()
    map_lp(officer_client, first)
    first = runner.run(first.pk)
    assert first.status == "done"
    page = officer_client.get(f"/analysis/{first.pk}/").content.decode()
    assert f'href="/analysis/{first.pk}/map/"' in page and "Chạy lại với tham số khác" in page
    # the form starts from the earlier parameters
    html = officer_client.get(f"/analysis/{first.pk}/map/").content.decode()
    assert selected(html, "id") == ["idvar"] and selected(html, "free") == ["fX1", "fX2"] and selected(html, "method") == ["lp"]
    resp = map_lp(officer_client, first, method="ols")
    second = AnalysisJob.objects.exclude(pk=first.pk).get()
    assert resp["Location"] == f"/analysis/{second.pk}/" and no_subprocess == [first.pk, second.pk]
    assert second.input_file.name == first.input_file.name and second.params["method"] == "ols"
    second = runner.run(second.pk)
    first.refresh_from_db()
    assert first.status == "done" and first.params["method"] == "lp" and round(first.result["coefficients"]["sX"], 3) == 0.117
    assert second.status == "done" and second.result["method"] == "ols"
    assert first.tfp_path != second.tfp_path
    index = officer_client.get("/analysis/").content.decode()
    assert f'href="/analysis/{first.pk}/"' in index and f'href="/analysis/{second.pk}/"' in index


def test_english_labels(officer_client, tmp_path):
    officer_client.cookies["django_language"] = "en"
    index = officer_client.get("/analysis/").content.decode()
    assert "Firm productivity analysis" in index and "Phân tích năng suất" not in index
    upload(officer_client, vietnamese_panel(tmp_path), "firm_tfp")
    job = AnalysisJob.objects.get()
    html = officer_client.get(f"/analysis/{job.pk}/map/").content.decode()
    for english in ("Enterprise identifier", "Free variables (labour)", "State variables (capital)", "Bootstrap repetitions",
                    "Random seed", "Parallel processes", "Run", "Free variables: inputs the enterprise adjusts",
                    "How many times enterprises are resampled"):
        assert english in html, english
    for vietnamese in ("Biến tự do", "Biến trạng thái", "Số lần bootstrap", "Hạt giống", "chọn cột", "Lấy logarit",
                       "lấy mẫu lại", "Biến đại diện"):
        assert vietnamese not in html, vietnamese
    map_lp(officer_client, job, id="ma_dn", time="nam", output="va", free=["lao_dong"], state=["von"], proxy="nguyen_lieu")
    runner.run(job.pk)
    page = officer_client.get(f"/analysis/{job.pk}/").content.decode()
    for english in ("Production function coefficients", "Std. error", "Run again with other parameters", "Done",
                    "What the results say"):
        assert english in page, english
    assert "obs:" in page  # the printout follows the page's language
    for vietnamese in ("Hệ số hàm sản xuất", "Sai số chuẩn", "Chạy lại", "Phân bố TFP", "Quan sát"):
        assert vietnamese not in page, vietnamese
    impact = AnalysisJob.objects.create(kind=AnalysisJob.Kind.IMPACT, title="x", columns=["a", "b", "c", "d"],
                                        created_by=job.created_by)
    html = officer_client.get(f"/analysis/{impact.pk}/map/").content.decode()
    for english in ("Control group", "Outcome", "Never treated"):
        assert english in html, english
    assert "Nhóm đối chứng" not in html and "Chưa bao giờ" not in html


def test_the_model_has_no_plural():
    assert AnalysisJob._meta.verbose_name_plural == AnalysisJob._meta.verbose_name


def test_text_ids_through_the_real_worker_for_impact(officer_client, worker_db, tmp_path):
    d = pd.read_csv(DATA / "did" / "mpdta.csv")
    d = d.rename(columns={"countyreal": "ma_dn", "year": "nam", "first.treat": "nam_ho_tro"})
    d["ma_dn"] = "DN" + d["ma_dn"].astype(str).str.zfill(5)
    d.to_csv(tmp_path / "dn.csv", index=False)
    upload(officer_client, tmp_path / "dn.csv", "impact")
    job = AnalysisJob.objects.get()
    html = officer_client.get(f"/analysis/{job.pk}/map/").content.decode()
    assert selected(html, "id") == ["ma_dn"] and selected(html, "first_treated") == ["nam_ho_tro"]
    resp = officer_client.post(f"/analysis/{job.pk}/map/", {"id": "ma_dn", "time": "nam", "outcome": "lemp",
                                                            "first_treated": "nam_ho_tro", "control": "never",
                                                            "estimator": "dr"})
    assert resp.status_code == 302
    wait_for(officer_client, job, lambda st: st["status"] not in ("queued", "running"))
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.pid and process_ended(job.pid)
    assert job.result["n_units"] == 500 and round(job.result["aggregations"]["simple"]["att"], 4) == -0.0400
