"""One look for every header row the system writes (issue 21 item 3: four copies of the styling,
two of them bold only): common.downloads.style_header, checked on a workbook of each app."""
import io

import pytest
from openpyxl import load_workbook

from nscl.accounts.models import Role
from nscl.common.downloads import HEADER_COLOUR
from nscl.enterprises.exports import template_xlsx as registry_template
from nscl.stats.services import template_xlsx as tfp_template

pytestmark = pytest.mark.django_db


def header_cells(data: bytes):
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = ([c for c in r if c.value is not None] for r in ws.iter_rows(min_row=1, max_row=5))
    return next(r for r in rows if len(r) > 1)  # a sheet may open with a one-cell note


def styled(cells) -> bool:
    return all(c.font.bold and c.fill.fgColor.rgb.endswith(HEADER_COLOUR) and c.alignment.wrap_text for c in cells)


@pytest.mark.parametrize("kind", ["enterprises", "figures", "support"])
def test_the_registry_import_templates(kind):
    assert styled(header_cells(registry_template(kind)))


def test_the_tfp_template():
    assert styled(header_cells(tfp_template()))


def test_the_progress_export(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    resp = client.get("/progress/export.xlsx")
    assert resp.status_code == 200 and styled(header_cells(resp.content))
