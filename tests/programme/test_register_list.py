"""Register lists: text search, pagination, totals; pending counts as links; the officer's queue."""
import re

import pytest

from nscl.accounts.models import Role
from nscl.programme.views import REGISTER_PAGE_SIZE

pytestmark = pytest.mark.django_db


def test_search_totals_and_pages(client, make_user, make_activity):
    client.force_login(make_user(Role.VIEWER))
    for i in range(REGISTER_PAGE_SIZE + 3):
        make_activity("class", 2024, title=f"Lớp Kaizen số {i}" if i % 2 else f"Lớp 5S số {i}",
                      budget_planned=2_000_000, budget_spent=1_500_000)
    html = client.get("/registers/class/").content.decode()
    n = REGISTER_PAGE_SIZE + 3
    assert f"{n} hồ sơ" in html
    assert f"{2_000_000 * n:,} đ".replace(",", ".") in html and f"{1_500_000 * n:,} đ".replace(",", ".") in html
    rows = re.compile(r'href="/registers/class/[0-9]+/"')
    first = len(rows.findall(client.get("/registers/class/").content.decode()))
    second = len(rows.findall(client.get("/registers/class/?page=2").content.decode()))
    assert (first, second) == (REGISTER_PAGE_SIZE, 3)
    past = client.get("/registers/class/?page=9").content.decode()
    assert "Không có trang 9; danh sách có 2 trang" in past
    found = client.get("/registers/class/?q=kaizen").content.decode()
    assert f"{n // 2} hồ sơ" in found and "Lớp 5S" not in found
    assert "1 hồ sơ" in client.get("/registers/class/?q=kaizen+s%E1%BB%91+51").content.decode()


def test_pending_counts_are_links_and_the_officer_sees_the_queue(client, make_user, make_activity):
    make_activity("class", 2024, confirmed=False)
    make_activity("class", 2024, confirmed=False, status="planned")
    client.force_login(make_user(Role.OFFICER))
    assert '/registers/class/?confirmed=no">2</a>' in client.get("/registers/").content.decode()
    html = client.get("/?phase=2021-2025").content.decode()
    assert 'id="awaiting"' in html and "Lớp tập huấn: 2" in html and "1 đã hoàn thành" in html
    client.force_login(make_user(Role.VIEWER))
    assert 'id="awaiting"' not in client.get("/?phase=2021-2025").content.decode()
