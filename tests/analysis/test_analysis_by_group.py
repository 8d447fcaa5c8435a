"""Firm TFP by group on the web: the mapping form's group column (stored in the job's parameters),
the worker estimating each group, the result page with the groups side by side and those not
estimated with why (in the page's language), a TFP chart per group, the TFP table and the workbook
keeping the group."""
import io
from pathlib import Path

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from nscl.analysis import runner
from nscl.analysis.models import AnalysisJob
from nscl.productivity.firm import estimate

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent.parent / "data" / "prodest" / "chilean.csv"
MAPPING = {"id": "idvar", "time": "timevar", "output": "Y", "free": ["fX1", "fX2"], "state": ["sX"], "proxy": "pX",
           "method": "lp", "bootstrap": 2, "seed": 1, "jobs": 1}


@pytest.fixture
def panel():
    """The Chilean panel with an industry per firm: "01", "02", "15" and a small "99" (4 firms)."""
    d = pd.read_csv(DATA)
    firms = d.idvar.unique()
    code = {f: ("01", "02", "15")[i % 3] for i, f in enumerate(firms)}
    code.update({f: "99" for f in firms[:4]})
    d["nganh"] = d.idvar.map(code)
    return d


def uploaded(client, d):
    client.post("/analysis/", {"title": "Theo ngành", "kind": "firm_tfp",
                               "file": SimpleUploadedFile("nganh.csv", d.to_csv(index=False).encode())})
    return AnalysisJob.objects.get()


def test_by_group_end_to_end(officer_client, no_subprocess, panel):
    job = uploaded(officer_client, panel)
    assert "nganh" in job.columns
    resp = officer_client.post(f"/analysis/{job.pk}/map/", {**MAPPING, "by": "nganh", "min_group": 100})
    assert resp.status_code == 302 and no_subprocess == [job.pk]
    job.refresh_from_db()
    assert job.params["by"] == "nganh" and job.params["min_group"] == 100
    job = runner.run(job.pk)
    assert job.status == "done", job.error
    r = job.result
    assert list(r["groups"]) == ["01", "02", "15"] and list(r["skipped_detail"]) == ["99"]
    alone = estimate(panel[panel.nganh == "02"], "lp", proxy="pX", id="idvar", time="timevar", output="Y",
                     free=["fX1", "fX2"], state=["sX"]).fit(bootstrap=2, seed=1)
    assert r["groups"]["02"]["coefficients"] == pytest.approx(alone.coefficients, abs=1e-12)
    html = officer_client.get(f"/analysis/{job.pk}/").content.decode()
    assert 'id="group-coefficients"' in html and html.count('<th class="num" translate="no">') == 3
    for key in ("01", "02", "15"):
        assert f'translate="no">{key}</th>' in html
    n99 = int((panel.nganh == "99").sum())
    assert f"nhóm quá nhỏ: {n99} doanh nghiệp-năm, cần ít nhất 100" in html
    officer_client.cookies["django_language"] = "en"
    assert f"group too small: {n99} firm-years, at least 100 needed" in officer_client.get(f"/analysis/{job.pk}/").content.decode()
    assert b"<svg" in officer_client.get(f"/analysis/{job.pk}/tfp.svg?group=15").content
    assert officer_client.get(f"/analysis/{job.pk}/tfp.svg?group=99").status_code == 404
    lines = officer_client.get(f"/analysis/{job.pk}/tfp.csv").content.decode("utf-8-sig").splitlines()
    assert lines[0] == "nganh,firm,time,log_tfp,tfp_index" and lines[1].startswith("01,")
    assert len(lines) == 1 + (panel.nganh != "99").sum()
    wb = load_workbook(io.BytesIO(officer_client.get(f"/analysis/{job.pk}/results.xlsx").content))
    rows = list(wb["He so"].iter_rows(values_only=True))
    assert rows[0] == ("nganh", "Biến", "Hệ số", "Sai số chuẩn") and rows[1][:2] == ("01", "fX1")
    assert list(wb["Nhom khong uoc luong"].iter_rows(values_only=True))[1][0] == "99"
    assert list(wb["TFP doanh nghiep"].iter_rows(values_only=True))[1][0] == "01"


def test_group_column_must_not_be_a_role(officer_client, panel):
    job = uploaded(officer_client, panel)
    html = officer_client.post(f"/analysis/{job.pk}/map/", {**MAPPING, "by": "fX1"}).content.decode()
    assert "Cột nhóm không được là một biến của hàm sản xuất." in html
    html = officer_client.post(f"/analysis/{job.pk}/map/", {**MAPPING, "by": "idvar"}).content.decode()
    assert "Mỗi cột chỉ được dùng cho một vai trò." in html
    officer_client.post(f"/analysis/{job.pk}/map/", {**MAPPING, "by": "", "min_group": ""})
    job.refresh_from_db()
    assert job.params["by"] == "" and job.params["min_group"] == 100
    job = runner.run(job.pk)
    assert job.status == "done" and "groups" not in job.result and round(job.result["coefficients"]["sX"], 3) == 0.117
