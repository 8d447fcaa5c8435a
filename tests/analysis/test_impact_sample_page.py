"""The analysis page and its workbook state the sample the impact estimate used (issue 22, item 1):
an uploaded panel with 120 of 400 firms missing a year says 280 used and 120 left out."""
import io

import pytest
from openpyxl import load_workbook

from nscl.analysis import runner
from nscl.analysis.models import AnalysisJob

from ..productivity.test_impact_sample import unbalanced_panel
from .test_analysis_views import upload

pytestmark = pytest.mark.django_db


def test_the_page_and_the_workbook_say_what_was_used(officer_client, tmp_path):
    path = tmp_path / "panel.csv"
    unbalanced_panel().to_csv(path, index=False)
    upload(officer_client, path, "impact")
    job = AnalysisJob.objects.get()
    officer_client.post(f"/analysis/{job.pk}/map/", {"id": "firm", "time": "year", "outcome": "y",
                                                    "first_treated": "g", "control": "never", "estimator": "dr"})
    job = runner.run(job.pk)
    assert job.status == "done", job.error
    assert job.result["sample"]["n_units"] == 280
    page = officer_client.get(f"/analysis/{job.pk}/").content.decode()
    assert "Ước lượng trên 280 đơn vị, 2.800 quan sát" in page and "Bỏ ra 120 trong 400 đơn vị" in page
    wb = load_workbook(io.BytesIO(officer_client.get(f"/analysis/{job.pk}/results.xlsx").content))
    sheet = {row[0]: row[1] for row in wb["Mau"].iter_rows(values_only=True) if len(row) > 1}
    assert sheet["Đơn vị dùng để ước lượng"] == 280 and sheet["Đơn vị bỏ ra (thiếu số liệu một số năm)"] == 120
