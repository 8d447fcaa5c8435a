"""Issue 20 item 8: the TFP note (.docx/.pdf) is a Vietnamese document, so every number in its text
and tables has a decimal comma, as its chart has; a publication's description (stored Vietnamese
text) too. Before: the note wrote "α = 0.38", "1 − α = 0.62", "δ = 0.05" and the sensitivity table's
α and δ with a point (only growth rates and shares went through a hand-made comma); a publication
was described "Lần tính TFP #1: 73.50% (GSO, α=0.38)"."""
import io
import re

import pytest
from docx import Document

from nscl.accounts.models import Role
from nscl.stats import note, services

from .test_tfp_language import run  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def note_text(run):
    doc = Document(io.BytesIO(note.to_docx(run, year=2024)))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells), doc


def test_note_writes_its_parameters_with_a_decimal_comma(run):
    text, doc = note_text(run)
    assert "Tỷ trọng vốn α = 0,38 (tỷ trọng lao động 1 − α = 0,62)." in text
    assert "khấu hao δ = 0,05;" in text
    assert not re.search(r"\d\.\d", text.replace("01/07/2025", "")), "a decimal point in the Vietnamese note"
    sens = next(t for t in doc.tables if t.rows[0].cells[0].text == "α")
    column = [(r.cells[0].text, r.cells[1].text) for r in sens.rows[1:]]
    assert ("0,3", "0,05") in column and ("0,38", "0,05") in column and ("0,45", "0,05") in column


def test_note_numbers_in_the_text_and_tables_are_vietnamese(run):
    """GRDP 2024 = 138 after 130: growth 6,15% (138/130 − 1 = 0,0615); the rest from the run."""
    text, doc = note_text(run)
    assert "Năm 2024, tốc độ tăng GRDP 6,15%, trong đó TFP đóng góp 73,50%, vốn 21,56%, lao động 4,94%." in text
    rows = [[c.text for c in r.cells] for t in doc.tables for r in t.rows]
    assert ["2024", "6,15", "21,56", "4,94", "73,50", "1,3449"] in rows
    assert ["2021-2024", "6,82", "18,92", "4,49", "76,59", "76,45"] in rows
    assert ["0,3", "0,05", "70,22", "62,71", "79,99"] in rows


def test_note_pdf_says_the_same(run):
    from pypdf import PdfReader

    text = " ".join(" ".join(p.extract_text().replace("\u00a0", " ").split())
                    for p in PdfReader(io.BytesIO(note.to_pdf(run, year=2024))).pages)
    assert "α = 0,38 (tỷ trọng lao động 1 − α = 0,62)" in text and "δ = 0,05" in text
    assert not re.search(r"\d\.\d", text.replace("01/07/2025", "")), "a decimal point in the Vietnamese note"


def test_publication_describes_the_run_with_a_decimal_comma(make_user, run):
    pub = services.publish(run, 2024, make_user(Role.OFFICER))
    assert pub.activity.result_reference == f"Lần tính TFP #{run.pk}: 73,50% (GSO, α=0,38)"
