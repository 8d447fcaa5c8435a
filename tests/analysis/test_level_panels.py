"""Firm panels in levels and in logarithms, with "Lấy logarit" ticked or not: the mapping form tells
levels from logarithms (pre-selects the option, warns when the choice does not fit), and whatever
the user chose, every estimator runs through the worker and every result page renders, in both
languages. Reproduces the 500 of a level panel run with the default (log_inputs unticked):
OverflowError in interpret.firm_notes, math.exp(p90 − p10)."""
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from nscl.analysis import runner
from nscl.analysis.models import AnalysisJob
from nscl.productivity import methods

from ..test_bilingual_pages import VIETNAMESE

pytestmark = pytest.mark.django_db
CHILEAN = Path(__file__).parent.parent / "data" / "prodest" / "chilean.csv"
PROXY = {None: "", "investment": "inv", "materials": "pX"}


def level_panel() -> pd.DataFrame:
    """The Chilean panel (logarithms) in levels: money in thousands (values like 56 989), workers
    as whole persons."""
    d = pd.read_csv(CHILEAN)
    for c in ("Y", "sX", "pX", "inv", "cX"):
        d[c] = np.round(np.exp(d[c]) * 1000)
    for c in ("fX1", "fX2"):
        d[c] = np.round(np.exp(d[c]))
    return d


def log_panel() -> pd.DataFrame:
    """Logarithms all above 0, so that taking their logarithm again runs (and gives nonsense)."""
    d = pd.read_csv(CHILEAN)
    for c in ("fX1", "fX2"):
        d[c] = d[c] + 1
    return d


@pytest.fixture(scope="module")
def panels(tmp_path_factory):
    folder = tmp_path_factory.mktemp("panels")
    out = {}
    for name, make in (("level", level_panel), ("log", log_panel)):
        path = folder / f"{name}.csv"
        make().to_csv(path, index=False)
        out[name] = path.read_bytes()
    out["chilean"] = CHILEAN.read_bytes()
    return out


def upload(client, content, name="panel.csv"):
    resp = client.post("/analysis/", {"title": "Panel", "kind": "firm_tfp", "file": SimpleUploadedFile(name, content)})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    return AnalysisJob.objects.latest("pk")


def mapping(method="lp", log=False, **over):
    spec = methods.firm_method(method)
    data = {"id": "idvar", "time": "timevar", "output": "Y", "free": ["fX1", "fX2"], "state": ["sX"],
            "proxy": PROXY[spec.proxy], "method": method, "bootstrap": 0, "seed": 1, "jobs": 1, **over}
    if log:
        data["log_inputs"] = "on"
    return data


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def vietnamese(client):
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})


def interpretation(html: str) -> str:
    m = re.search(r'<div id="interpretation">(.*?)</div>', html, re.S)
    return re.sub(r"<[^>]+>", " ", m.group(1)) if m else ""


def test_level_panel_with_the_default_renders_and_says_why_it_is_implausible(officer_client, panels):
    """The defect: run as it was (log_inputs unticked) the result page was a 500."""
    job = upload(officer_client, panels["level"])
    assert officer_client.post(f"/analysis/{job.pk}/map/", mapping(confirm_scale="on")).status_code == 302
    job = runner.run(job.pk)
    assert job.status == "done", job.error
    assert job.result["tfp_distribution"]["p90"] - job.result["tfp_distribution"]["p10"] > 1e8
    resp = officer_client.get(f"/analysis/{job.pk}/")
    assert resp.status_code == 200
    notes = interpretation(resp.content.decode())
    assert "gấp hơn 100 lần doanh nghiệp ở phân vị 10" in notes and "không thể có thật" in notes
    assert "đánh dấu “Lấy logarit (số liệu ở dạng mức)” rồi chạy lại" in notes
    assert re.search(r"cách nhau \d,\d\d×10[⁰¹²³⁴⁵⁶⁷⁸⁹]+", notes)  # a huge number written readably
    assert "gấp khoảng" not in notes  # no ratio computed from it
    english(officer_client)
    notes = interpretation(officer_client.get(f"/analysis/{job.pk}/").content.decode())
    assert "more than 100 times the output" in notes and "tick “Take logarithms (data in levels)”" in notes
    assert not VIETNAMESE.search(notes)


def test_mapping_preselects_logarithms_for_levels_and_warns_when_unticked(officer_client, panels):
    job = upload(officer_client, panels["level"])
    html = officer_client.get(f"/analysis/{job.pk}/map/").content.decode()
    assert re.search(r'<input type="checkbox" name="log_inputs"[^>]*checked', html)
    note = re.search(r'<p class="muted" id="scale-note">(.*?)</p>', html).group(1)
    value = f"{pd.read_csv(io.BytesIO(panels['level']))['Y'].head(200).max():,.0f}".replace(",", ".")
    # the columns the names suggest (output Y, investment inv as OP's proxy)
    assert note.startswith("Cột Y, inv có giá trị như " + value + ", không thể là logarit")
    assert "đã đánh dấu sẵn" in note
    resp = officer_client.post(f"/analysis/{job.pk}/map/", mapping())  # unticked
    html = resp.content.decode()
    assert resp.status_code == 200 and "đây là số liệu dạng mức (đồng, người), không phải logarit" in html
    job.refresh_from_db()
    assert job.status == "new" and not job.params
    assert officer_client.post(f"/analysis/{job.pk}/map/", mapping(log=True)).status_code == 302
    job.refresh_from_db()
    assert job.params["log_inputs"] is True and "confirm_scale" not in job.params
    job = runner.run(job.pk)
    assert job.status == "done" and round(job.result["coefficients"]["sX"], 2) == 0.12  # LP on the logs: 0.117
    english(officer_client)
    job2 = upload(officer_client, panels["level"])
    html = officer_client.post(f"/analysis/{job2.pk}/map/", mapping()).content.decode()
    assert "are levels (VND, persons), not logarithms" in html and "Run as chosen" in html


def test_logarithms_with_the_option_ticked_are_warned_and_fail_cleanly(officer_client, panels):
    job = upload(officer_client, panels["chilean"])
    html = officer_client.get(f"/analysis/{job.pk}/map/").content.decode()
    assert not re.search(r'<input type="checkbox" name="log_inputs"[^>]*checked', html)
    assert 'id="scale-note"' not in html and 'id="scale-warning"' not in html
    html = officer_client.post(f"/analysis/{job.pk}/map/", mapping(log=True)).content.decode()
    assert "Cột fX1, fX2, pX có giá trị 0 (≤ 0): không lấy logarit được, có vẻ các cột đã là logarit" in html
    assert officer_client.post(f"/analysis/{job.pk}/map/", mapping(log=True, confirm_scale="on")).status_code == 302
    job = runner.run(job.pk)
    assert job.status == "failed" and "giá trị ≤ 0, không lấy logarit được" in job.error
    assert officer_client.get(f"/analysis/{job.pk}/").status_code == 200
    # a re-run keeps the choice and says again what does not fit
    html = officer_client.get(f"/analysis/{job.pk}/map/").content.decode()
    assert 'id="scale-warning"' in html and "không lấy logarit được" in html


@pytest.mark.parametrize("panel", ["level", "log"])
@pytest.mark.parametrize("log", [False, True], ids=["as-is", "log"])
@pytest.mark.parametrize("method", methods.codes(methods.FIRM_METHODS))
def test_every_estimator_option_and_panel_runs_and_every_page_renders(officer_client, panels, method, log, panel):
    job = upload(officer_client, panels[panel])
    resp = officer_client.post(f"/analysis/{job.pk}/map/", mapping(method, log, confirm_scale="on"))
    assert resp.status_code == 302, resp.content.decode()[:3000]
    job = runner.run(job.pk)
    assert job.status in ("done", "failed")
    assert job.status == "failed" or job.result["method"] == method
    assert "Lỗi không mong đợi" not in job.error  # a failure is one the library words for its users
    if job.status == "done" and (panel == "log" or log):  # plausible data in logs: the usual notes, no overflow
        assert job.result["tfp_distribution"]["p90"] > job.result["tfp_distribution"]["p10"]
    for language in ("vi", "en"):
        (english if language == "en" else vietnamese)(officer_client)
        resp = officer_client.get(f"/analysis/{job.pk}/")
        assert resp.status_code == 200
        html = resp.content.decode()
        assert f'<html lang="{language}">' in html
        if job.status != "done":
            continue
        notes = interpretation(html)
        assert notes.strip()
        if language == "en":
            assert not VIETNAMESE.search(notes)
        if panel == "level" and not log:
            assert ("more than 100 times" if language == "en" else "gấp hơn 100 lần") in notes
        assert officer_client.get(f"/analysis/{job.pk}/tfp.svg").content.startswith(b"<?xml")
        wb = load_workbook(io.BytesIO(officer_client.get(f"/analysis/{job.pk}/results.xlsx").content))
        assert wb["He so"]["B2"].data_type == "n"
        lines = officer_client.get(f"/analysis/{job.pk}/tfp.csv").content.decode("utf-8-sig").splitlines()
        assert lines[0] == "firm,time,log_tfp,tfp_index" and len(lines) == job.n_rows + 1
        assert not re.search(r"\b(nan|inf)\b", "\n".join(lines))  # an index too large to compute is left empty
        assert officer_client.get(f"/analysis/{job.pk}/map/").status_code == 200


def test_level_panel_by_group_renders(officer_client, panels):
    d = pd.read_csv(io.BytesIO(panels["level"]))
    d["sector"] = np.where(d["idvar"] % 2 == 0, "A", "B")
    job = upload(officer_client, d.to_csv(index=False).encode())
    officer_client.post(f"/analysis/{job.pk}/map/", mapping("ols", by="sector", min_group=100, confirm_scale="on"))
    job = runner.run(job.pk)
    assert job.status == "done", job.error
    for language in ("vi", "en"):
        (english if language == "en" else vietnamese)(officer_client)
        html = officer_client.get(f"/analysis/{job.pk}/").content.decode()
        assert ("more than 100 times" if language == "en" else "gấp hơn 100 lần") in html
    assert officer_client.get(f"/analysis/{job.pk}/tfp.svg?group=A").status_code == 200
