"""The TFP note as .docx and .pdf (read back with python-docx and pypdf): signer from the form or
from settings, numbers whole on their lines, tables within the text width, the signature block with
the last lines of text."""
import io
import re

import pandas as pd
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from pypdf import PdfReader

from nscl.accounts.models import Role
from nscl.common import officedoc
from nscl.stats import note
from nscl.stats.models import TfpSeries

pytestmark = pytest.mark.django_db


def frame():
    return pd.DataFrame({"year": range(2015, 2025), "output": [90, 93, 96, 100, 103, 106, 113, 121, 130, 138],
                         "investment": [26, 27, 28, 30, 31, 33, 35, 37, 40, 42],
                         "investment_price_index": [95, 96, 98, 100, 101, 103, 105, 107, 109, 111],
                         "labour": [590, 593, 596, 600, 601, 603, 606, 610, 612, 615]})


@pytest.fixture
def run(make_user, units):
    from nscl.stats import services

    series = TfpSeries.objects.create(name="Hưng Yên mới", territory=TfpSeries.Territory.HY_NEW)
    services.replace_observations(series, frame())
    return services.run(series, make_user(Role.PARTNER, unit=units["ctk"]), alpha=0.4, depreciation=0.05,
                        periods="2016-2020,2021-2024")


def pdf_pages(content):
    return [p.extract_text().replace("\u00a0", " ") for p in PdfReader(io.BytesIO(content)).pages]


def lines_of(pages):
    return [line.strip() for page in pages for line in page.splitlines()]


def assert_whole_on_one_line(lines, value):
    assert any(re.search(rf"(^|\s){re.escape(value)}(\s|$)", line) for line in lines), f"{value!r} broken or missing"


def test_note_pdf_signature_with_text_and_numbers_whole(client, make_user, run):
    client.force_login(make_user(Role.VIEWER))
    content = client.get(f"/tfp/runs/{run.pk}/note.pdf?year=2024&number=7/BC-TK&signer=Phạm Văn E").content
    assert content[:5] == b"%PDF-"
    pages = pdf_pages(content)
    lines = lines_of(pages)
    assert "Số: 7/BC-TK" in pages[0] and "năm 2024" in pages[0]
    for y in run.results["years"]:
        if y["output_growth"] is None:
            continue
        for value in (note._rate(y["output_growth"]), note._pct(y["contribution_tfp_pct"]),
                      f"{y['tfp_index']:.4f}".replace(".", ",")):
            assert_whole_on_one_line(lines, value)
    for q in run.results["periods"]:
        assert_whole_on_one_line(lines, f"{q['start']}-{q['end']}")
    # the signature block: title and name, on a page that also holds the end of the note
    last = pages[-1]
    assert "Nơi nhận:" in last and "GIÁM ĐỐC" in last and "Phạm Văn E" in last
    above = last[:last.index("Nơi nhận:")]
    assert re.search(r"\d,\d\d", above), "the signature block is alone on the last page"
    assert last.index("GIÁM ĐỐC") < last.index("Phạm Văn E")


def test_note_signer_defaults_from_settings_and_docx_layout(client, make_user, run, settings):
    settings.NSCL_SIGNER_NAME, settings.NSCL_SIGNER_TITLE = "Hoàng Thị G", "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC"
    client.force_login(make_user(Role.VIEWER))
    pages = pdf_pages(client.get(f"/tfp/runs/{run.pk}/note.pdf").content)
    last = " ".join(pages[-1].split())
    assert "Hoàng Thị G" in last and "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC" in last
    doc = Document(io.BytesIO(client.get(f"/tfp/runs/{run.pk}/note.docx?signer=Đỗ Văn H").content))
    sign = " ".join(p.text for p in doc.tables[-1].cell(0, 1).paragraphs)
    assert "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC" in sign and "Đỗ Văn H" in sign and "Hoàng Thị G" not in sign
    recipients = doc.tables[-1].cell(0, 0).paragraphs
    assert recipients[0].text == "Nơi nhận:" and all(p.alignment == WD_ALIGN_PARAGRAPH.LEFT for p in recipients)
    section = doc.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in doc.tables[1:-1]:
        assert sum(table.columns[c].width for c in range(len(table.columns))) <= text_width
    # a title given to the writer wins over the setting
    od = note.document(run, signer_title="GIÁM ĐỐC")
    assert od.signer_title == "GIÁM ĐỐC" and od.signer == "Hoàng Thị G"


def test_note_tables_fit_the_text_width(run):
    for item in note.document(run).sections:
        if item[0] == "table":
            lay = officedoc.table_layout(item[1], item[2], officedoc.TEXT_WIDTH)
            assert sum(lay.widths) <= officedoc.TEXT_WIDTH + 1e-9
            assert all(lay.nowrap)      # every column of the note's tables holds numbers: none is broken


def test_the_run_page_asks_for_signer_and_title(client, make_user, settings):
    from nscl.accounts.models import Role
    from nscl.cli import load_demo
    from nscl.stats.models import TfpRun

    settings.NSCL_SIGNER_NAME = "Trần Văn C"
    load_demo()
    run = TfpRun.objects.get(is_demo=True)
    client.force_login(make_user(Role.OFFICER))
    html = client.get(f"/tfp/runs/{run.pk}/").content.decode()
    assert 'name="signer" value="Trần Văn C"' in html and 'name="signer_title" value="GIÁM ĐỐC"' in html
    resp = client.get(f"/tfp/runs/{run.pk}/note.pdf?signer=Lê Thị D&signer_title=PHÓ GIÁM ĐỐC&year=2024")
    from pypdf import PdfReader
    import io

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.content)).pages)
    assert "Lê Thị D" in text and "PHÓ GIÁM ĐỐC" in text
