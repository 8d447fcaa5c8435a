"""The TFP section: entry and import, runs kept with their inputs, publication counting toward MT6, the note."""
import io

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import load_workbook

from nscl.accounts.models import Role
from nscl.programme.models import Phase, TfpMeasurement
from nscl.programme.services import phase_progress
from nscl.stats.models import TfpObservation, TfpPublication, TfpRun, TfpSeries

pytestmark = pytest.mark.django_db


def csv_upload(df, name="hy.csv"):
    return SimpleUploadedFile(name, df.to_csv(index=False).encode())


def good_frame():
    return pd.DataFrame({"year": range(2019, 2025), "output": [100, 103, 106, 113, 121, 130],
                         "investment": [30, 31, 33, 35, 37, 40], "investment_price_index": [100, 101, 103, 105, 107, 109],
                         "labour": [600, 601, 603, 606, 610, 612]})


@pytest.fixture
def series():
    return TfpSeries.objects.create(name="Hưng Yên mới", territory=TfpSeries.Territory.HY_NEW)


@pytest.fixture
def stats_user(make_user, units):
    return make_user(Role.PARTNER, unit=units["ctk"])


def test_vietnam_reference_series_is_there_with_gso_preselected(client, make_user):
    vnm = TfpSeries.objects.get(is_reference=True)
    assert vnm.territory == "national" and vnm.observations.count() == 50  # PWT 1970-2019
    assert "Penn World Table 10.01" in vnm.sources["output"]
    client.force_login(make_user(Role.OFFICER))
    html = client.get(f"/tfp/series/{vnm.pk}/").content.decode()
    assert '<option value="gso" selected>' in html and 'name="alpha" value="0,35"' in html  # the decimal comma


def test_import_replaces_rows_and_keeps_sources(client, stats_user, series):
    client.force_login(stats_user)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf) as xl:
        good_frame().to_excel(xl, sheet_name="So lieu", index=False)
        pd.DataFrame({"column": ["output"], "source": ["Niên giám thống kê 2024"]}).to_excel(xl, sheet_name="Nguon", index=False)
    resp = client.post(f"/tfp/series/{series.pk}/import/", {"file": SimpleUploadedFile("hy.xlsx", buf.getvalue())}, follow=True)
    assert "Đã nhập 6 năm số liệu" in resp.content.decode()
    series.refresh_from_db()
    assert series.observations.count() == 6 and series.sources["output"] == "Niên giám thống kê 2024"


@pytest.mark.parametrize("change,message", [
    (lambda d: d.assign(year=[2019, 2020, 2020, 2022, 2023, 2024]), "năm 2020 bị lặp"),
    (lambda d: d.assign(year=[2019, 2020, 2021, 2023, 2024, 2025]), "thiếu năm giữa 2021 và 2023"),
    (lambda d: d.assign(output=[100, 103, 0, 113, 121, 130]), "Cột output, năm 2021: giá trị phải dương"),
    (lambda d: d.drop(columns=["labour"]), "Thiếu cột: labour"),
    (lambda d: d.assign(grdp=1), "Cột không nhận ra: grdp"),
])
def test_bad_import_saves_nothing(client, stats_user, series, change, message):
    TfpObservation.objects.create(series=series, year=2000, output=1, capital=1, labour=1)
    client.force_login(stats_user)
    resp = client.post(f"/tfp/series/{series.pk}/import/", {"file": csv_upload(change(good_frame()))}, follow=True)
    assert message in resp.content.decode() and "không có gì được lưu" in resp.content.decode()
    assert list(series.observations.values_list("year", flat=True)) == [2000]


@pytest.mark.parametrize("change,message", [
    (lambda d: d.assign(output=["100", "103", "1e400", "113", "121", "130"]), "Cột output, năm 2021: số quá lớn"),
    (lambda d: d.assign(year=[2019, 2020, 2021, 2022, 99998, 99999]), "“99998” không phải là năm"),
    (lambda d: d.assign(year=["2019", "2020", "2021", "2022", "2023", "1e20"]), "“1e+20” không phải là năm"),
])
def test_odd_numbers_are_refused_with_their_value(client, stats_user, series, change, message):
    """Probe: 1e400 gave a 500 (the audit JSON cannot hold Infinity); years 99998-99999 replaced the
    whole series; year 1e20 said "năm -9223372036854775808 bị lặp"."""
    from nscl.stats import services

    services.replace_observations(series, good_frame())
    client.force_login(stats_user)
    resp = client.post(f"/tfp/series/{series.pk}/import/", {"file": csv_upload(change(good_frame()))}, follow=True)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert message in html and "không có gì được lưu" in html
    assert list(series.observations.values_list("year", flat=True)) == list(range(2019, 2025))


def test_an_import_that_drops_years_needs_confirmation(client, stats_user, series):
    from nscl.stats import services

    services.replace_observations(series, good_frame())
    client.force_login(stats_user)
    later = good_frame().iloc[2:]
    resp = client.post(f"/tfp/series/{series.pk}/import/", {"file": csv_upload(later)}, follow=True)
    assert "Tệp không có các năm 2019, 2020" in resp.content.decode()
    assert series.observations.count() == 6
    resp = client.post(f"/tfp/series/{series.pk}/import/", {"file": csv_upload(later), "confirm_drop": "on"}, follow=True)
    assert "Đã nhập 4 năm số liệu" in resp.content.decode()
    assert list(series.observations.values_list("year", flat=True)) == [2021, 2022, 2023, 2024]


def test_saving_one_year_is_one_change_in_the_audit_log(client, stats_user, series):
    from nscl.audit.models import AuditEntry
    from nscl.stats import services

    services.replace_observations(series, good_frame())
    client.force_login(stats_user)
    AuditEntry.objects.all().delete()
    row = good_frame().iloc[3].to_dict() | {"output": 114}
    client.post(f"/tfp/series/{series.pk}/row/", {k: v for k, v in row.items() if v == v})
    entry = AuditEntry.objects.get()
    assert entry.action == "update" and entry.model == "stats.TfpObservation"
    assert (entry.before["output"], entry.after["output"]) == (113.0, 114.0)


def test_not_a_table(client, stats_user, series):
    client.force_login(stats_user)
    resp = client.post(f"/tfp/series/{series.pk}/import/", {"file": SimpleUploadedFile("x.xlsx", b"garbage")}, follow=True)
    assert "không phải là bảng" in resp.content.decode() and series.observations.count() == 0


def test_template_round_trip(client, stats_user, series):
    wb = load_workbook(io.BytesIO(client.get("/tfp/template.xlsx").content))
    headers = [c.value for c in wb["So lieu"][1]]
    assert headers[:6] == ["year", "output", "capital", "investment", "investment_price_index", "labour"]
    assert set(wb.sheetnames) == {"So lieu", "Nguon", "Huong dan"}


def test_run_is_saved_with_inputs_and_reproduces(client, stats_user, series):
    from nscl.stats import services

    services.replace_observations(series, good_frame())
    client.force_login(stats_user)
    resp = client.post(f"/tfp/series/{series.pk}/", {"method": "gso", "alpha": "0.4", "depreciation": "0.05",
                                                      "periods": "2020-2024"})
    run = TfpRun.objects.get()
    assert resp["Location"] == f"/tfp/runs/{run.pk}/"
    assert run.author == stats_user and run.alpha == 0.4 and len(run.inputs) == 6 and run.territory == "hy_new"
    y2020 = run.year_result(2020)
    assert y2020["output_growth"] == pytest.approx(0.03)
    # changing the series later does not change the saved run, and the run recomputes to the same numbers
    series.observations.filter(year=2024).update(output=999)
    assert services.rerun(run)["years"] == run.results["years"]
    html = client.get(f"/tfp/runs/{run.pk}/").content.decode()
    assert "cho cùng kết quả" in html and "Tỉnh Hưng Yên từ 01/07/2025" in html
    for name in ("contributions", "share", "index"):
        assert b"<svg" in client.get(f"/tfp/runs/{run.pk}/{name}.svg").content


def test_bad_run_parameters(client, stats_user, series):
    from nscl.stats import services

    services.replace_observations(series, good_frame())
    client.force_login(stats_user)
    resp = client.post(f"/tfp/series/{series.pk}/", {"method": "gso", "alpha": "0.4", "depreciation": "0.05",
                                                      "periods": "2015-2020"})
    assert "cần số liệu từ năm 2014 đến 2020" in resp.content.decode() and TfpRun.objects.count() == 0
    resp = client.post(f"/tfp/series/{series.pk}/", {"method": "gso", "alpha": "1.5", "depreciation": "0.05"})
    assert resp.status_code == 200 and TfpRun.objects.count() == 0


def test_publication_counts_toward_the_tfp_target(client, make_user, stats_user, series):
    from nscl.stats import services

    services.replace_observations(series, good_frame())
    run = services.run(series, stats_user, alpha=0.4, depreciation=0.05)
    client.force_login(stats_user)
    assert client.post(f"/tfp/runs/{run.pk}/publish/", {"year": 2022}).status_code == 403  # partners run, officers publish
    officer = make_user(Role.OFFICER)
    client.force_login(officer)
    phase = Phase.objects.get(code="2021-2025")
    before = next(p for p in phase_progress(phase, 2025) if p.target.code == "MT6").actual
    # (issue 20: a measurement counts in the year it is published, so the 2022 figure is entered
    # with the day the office published it, 20/03/2023, and counts toward 2023)
    client.post(f"/tfp/runs/{run.pk}/publish/", {"year": 2022, "published_on": "20/03/2023"})
    client.post(f"/tfp/runs/{run.pk}/publish/", {"year": 2022})  # publishing again replaces, never duplicates
    pub = TfpPublication.objects.get(year=2022)
    assert pub.run == run and pub.activity.is_confirmed and pub.activity.year_measured == 2022
    assert TfpMeasurement.objects.count() == 1
    mt6 = next(p for p in phase_progress(phase, 2025) if p.target.code == "MT6")
    assert mt6.actual == before + 1 and mt6.yearly[2023] == 1 and mt6.status_by_year[2023] == "met"
    # a second run published for the same year takes its place
    run2 = services.run(series, officer, alpha=0.35, depreciation=0.05)
    client.post(f"/tfp/runs/{run2.pk}/publish/", {"year": 2022})
    assert TfpPublication.objects.get(year=2022).run == run2 and TfpMeasurement.objects.count() == 1
    assert "35" in TfpMeasurement.objects.get().result_reference


def test_tfp_note(client, make_user, stats_user, series):
    from nscl.stats import services

    services.replace_observations(series, good_frame())
    run = services.run(series, stats_user, alpha=0.4, depreciation=0.05, periods="2020-2024")
    client.force_login(make_user(Role.VIEWER))
    doc = Document(io.BytesIO(client.get(f"/tfp/runs/{run.pk}/note.docx?year=2024&number=7/BC-TK").content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "năm 2024" in text and "α = 0,4" in text and "δ = 0,05" in text and "Tỉnh Hưng Yên từ 01/07/2025" in text
    years = doc.tables[1]
    assert [c.text for c in years.rows[0].cells] == ["Năm", "Tăng GRDP (%)", "Vốn (%)", "Lao động (%)", "TFP (%)", "Chỉ số TFP"]
    last = [c.text for c in years.rows[-1].cells]
    r2024 = run.year_result(2024)
    assert last[0] == "2024" and last[4] == f"{r2024['contribution_tfp_pct']:.2f}".replace(".", ",")
    sens = doc.tables[-2]
    assert [c.text for c in sens.rows[0].cells][:3] == ["α", "δ", "TB tỷ trọng TFP hằng năm"]
    assert len(sens.rows) == 1 + 5 * 5  # five alphas (0.40 among them) x five depreciation rates
    assert len(doc.inline_shapes) == 1
    pdf = client.get(f"/tfp/runs/{run.pk}/note.pdf").content
    assert pdf[:5] == b"%PDF-"


def test_asean_comparison(client, make_user):
    client.force_login(make_user(Role.VIEWER))
    html = client.get("/tfp/asean/?alpha=0,35").content.decode()  # the Vietnamese decimal comma is accepted
    assert "Việt Nam" in html and "Thái Lan" in html and "2016-2019" in html and 'value="0.35"' in html
    assert "<td>VNM</td>" not in html  # countries are named, not coded
    table = html[html.index("<tbody>", html.index("Nước")):]
    assert table.index("Việt Nam") < table.index("Thái Lan") < table.index("Campuchia") < table.index("Brunei")
    brunei = html[html.index("<td>Brunei</td>"):]
    brunei = brunei[:brunei.index("</tr>")]
    assert brunei.count("—") == 3 and "-1,40" in brunei  # Brunei grew under 1% a year after 2005
    assert "dưới 1%/năm" in html
    svg = client.get("/tfp/asean/?alpha=0.35&format=svg").content.decode()
    assert "<svg" in svg and "Mục tiêu Việt Nam 2025: 45%" in svg and "Campuchia" in svg


def test_tfp_pages_show_shares_units_and_the_province_alpha(client, make_user):
    """/tfp/ lists published years with their share; series columns carry units; the run form's
    alpha is the last published run's (0.38 in the demo), not the library's 0.35."""
    from nscl.cli import load_demo
    from nscl.stats.models import TfpPublication

    load_demo()
    client.force_login(make_user(Role.OFFICER))
    html = client.get("/tfp/").content.decode()
    published = html[html.index('id="published"'):]
    share = TfpPublication.objects.get(year=2023).run.year_result(2023)["contribution_tfp_pct"]
    assert f"{share:.2f}".replace(".", ",") in published[:published.index("</table>")]
    demo = TfpSeries.objects.get(is_demo=True)
    page = client.get(f"/tfp/series/{demo.pk}/").content.decode()
    assert "GRDP giá so sánh <span class=\"unit\">(triệu đồng)</span>" in page
    assert "Lao động có việc làm <span class=\"unit\">(người)</span>" in page
    assert 'name="alpha" value="0,38"' in page
    vnm = TfpSeries.objects.get(is_reference=True)
    assert "(triệu USD giá 2017)" in client.get(f"/tfp/series/{vnm.pk}/").content.decode()


def test_permissions(client, make_user, series, units):
    from nscl.enterprises.models import Enterprise

    org = Enterprise.objects.create(tax_code="0100109106", name="A")
    client.force_login(make_user(Role.ENTERPRISE, enterprise=org))
    assert client.get("/tfp/").status_code == 403
    client.force_login(make_user(Role.PARTNER, unit=units["sct"]))  # a partner that is not the statistics office
    assert client.get("/tfp/").status_code == 200
    assert client.post(f"/tfp/series/{series.pk}/import/", {"file": csv_upload(good_frame())}).status_code == 403
    assert client.post(f"/tfp/series/{series.pk}/", {"method": "gso", "alpha": "0.4", "depreciation": "0.05"}).status_code == 403
    client.force_login(make_user(Role.VIEWER))
    assert client.post("/tfp/", {"name": "x", "territory": "hy_new"}).status_code == 403
    ref = TfpSeries.objects.get(is_reference=True)
    client.force_login(make_user(Role.OFFICER))
    assert client.post(f"/tfp/series/{ref.pk}/import/", {"file": csv_upload(good_frame())}).status_code == 403


def test_one_year_typed_in_by_hand(client, stats_user, series):
    from nscl.stats import services

    services.replace_observations(series, good_frame())
    client.force_login(stats_user)
    ok = {"year": 2025, "output": 140, "investment": 42, "investment_price_index": 111, "labour": 615}
    resp = client.post(f"/tfp/series/{series.pk}/row/", ok, follow=True)
    assert "Đã lưu số liệu năm 2025" in resp.content.decode()
    assert series.observations.get(year=2025).output == 140
    # a gap would break the series: refused, nothing changed
    resp = client.post(f"/tfp/series/{series.pk}/row/", dict(ok, year=2027), follow=True)
    assert "thiếu năm giữa 2025 và 2027" in resp.content.decode() and series.observations.count() == 7
    resp = client.post(f"/tfp/series/{series.pk}/row/", dict(ok, output=-1), follow=True)
    assert "giá trị phải dương" in resp.content.decode() and series.observations.get(year=2025).output == 140


def test_alpha_typed_with_the_decimal_comma(client, stats_user, series):
    from nscl.stats import services

    services.replace_observations(series, good_frame())
    client.force_login(stats_user)
    resp = client.post(f"/tfp/series/{series.pk}/", {"method": "gso", "alpha": "0,38", "depreciation": "0,05"})
    run = TfpRun.objects.get()
    assert resp["Location"] == f"/tfp/runs/{run.pk}/" and run.alpha == 0.38 and run.depreciation == 0.05
    resp = client.post(f"/tfp/series/{series.pk}/", {"method": "gso", "alpha": "0,3,8", "depreciation": "0,05"})
    assert "“0,3,8” không phải là số: dùng dấu phẩy cho phần thập phân (vd. 0,38)" in resp.content.decode()
    assert TfpRun.objects.count() == 1
    # a year typed by hand: GRDP "1.250,5" (triệu đồng) and labour "612 000"
    resp = client.post(f"/tfp/series/{series.pk}/row/", {"year": 2025, "output": "1.250,5", "investment": "41",
                                                          "investment_price_index": "110", "labour": "612 000"},
                       follow=True)
    assert "Đã lưu số liệu năm 2025" in resp.content.decode()
    row = series.observations.get(year=2025)
    assert row.output == 1250.5 and row.labour == 612000


def official_template(fill) -> bytes:
    """The template the page offers (services.template_xlsx), its data sheet filled by `fill` rows
    under its own header, every other column left empty."""
    from nscl.stats import services

    wb = load_workbook(io.BytesIO(services.template_xlsx()))
    ws = wb["So lieu"]
    header = [c.value for c in ws[1]]
    for row in fill:
        ws.append([row.get(h) for h in header])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_official_template_imports_with_its_optional_columns_left_empty(client, stats_user, series):
    """Its guidance says capital *or* investment; the empty optional columns were refused one at a
    time ("Cột capital, năm 2015: thiếu số liệu", then "Cột hours …") until deleted by hand."""
    TfpObservation.objects.create(series=series, year=2019, output=1, capital=5, labour=1, hours=2000)
    rows = [dict(zip(["year", "output", "investment", "labour"], r)) for r in good_frame()[
        ["year", "output", "investment", "labour"]].itertuples(index=False)]
    client.force_login(stats_user)
    resp = client.post(f"/tfp/series/{series.pk}/import/",
                       {"file": SimpleUploadedFile("mau.xlsx", official_template(rows))}, follow=True)
    assert "Đã nhập 6 năm số liệu" in resp.content.decode()
    o = series.observations.get(year=2019)
    assert (o.output, o.investment, o.labour) == (100, 30, 600)
    assert o.capital is None and o.hours is None and o.labour_share is None  # the table's rows, nothing kept


def test_a_sheet_with_several_problems_lists_them_all(client, stats_user, series):
    rows = [{"year": y, "output": o, "investment": 30, "labour": lab, "hours": h}
            for y, o, lab, h in [(2019, 100, 600, 2000), (2020, 0, 601, 2000), (2021, 106, "abc", None),
                                 (2022, 113, 606, None), (2024, 121, 610, 2000)]]
    client.force_login(stats_user)
    resp = client.post(f"/tfp/series/{series.pk}/import/",
                       {"file": SimpleUploadedFile("mau.xlsx", official_template(rows))}, follow=True)
    html = resp.content.decode()
    assert "Không nhập được, không có gì được lưu; bảng có 4 lỗi:" in html
    for problem in ("Cột year: thiếu năm giữa 2022 và 2024 (chuỗi phải liên tục).",
                    "Cột output, năm 2020: giá trị phải dương (&gt; 0).",
                    "Cột labour, năm 2021: “abc” không phải là số.",
                    "Cột hours, năm 2021, 2022: thiếu số liệu."):
        assert problem in html
    assert not series.observations.exists()
