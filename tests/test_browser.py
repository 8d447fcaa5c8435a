"""In headless Debian Chromium: log in, record a training class, confirm it, see the dashboard bar move."""
import os

import pytest

from nscl.accounts.models import Role

from .conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI needs Debian's chromium at /usr/bin/chromium (make browser installs it)")
    pytest.skip("Debian chromium not installed (sudo apt-get install chromium chromium-driver)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def _mt3(page):
    row = page.locator('tr[data-target="MT3"]')
    return row.locator("td.actual").inner_text().strip(), row.locator(".bar .fill").get_attribute("style")


@pytest.mark.django_db(transaction=True)
def test_record_a_class_and_watch_the_bar_move(live_server, browser, make_user, make_activity, settings):
    settings.NSCL_PUBLIC_PROGRESS = True
    for _ in range(9):
        make_activity("class", 2023)
    make_user(Role.OFFICER, username="canbo")
    page = browser.new_page()
    page.goto(f"{live_server.url}/?phase=2021-2025&year=2025")
    before_text, before_style = _mt3(page)
    assert before_text == "9"

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/registers/class/new/")
    page.fill("#id_title", "Lớp tập huấn Kaizen cho doanh nghiệp")
    page.fill("#id_start_date", "10/06/2024")
    page.fill("#id_end_date", "11/06/2024")
    page.select_option("#id_status", "completed")
    page.select_option("#id_responsible_unit", label="Sở Khoa học và Công nghệ")
    page.select_option("#id_topic", label="Kaizen")
    page.fill("#id_participants", "42")
    page.fill("#id_hours", "8")
    page.fill("#id_budget_spent", "15000000")
    page.click("button[type=submit]")
    page.wait_for_url("**/registers/class/*/")
    assert "Đã lưu hồ sơ" in page.content() and "15.000.000 đ" in page.content()

    # not counted until confirmed
    page.goto(f"{live_server.url}/?phase=2021-2025&year=2025")
    assert _mt3(page)[0] == "9"
    page.go_back()
    page.click("form[action$='/confirm/'] button")
    page.wait_for_load_state()
    assert "Đã xác nhận" in page.content()
    page.goto(f"{live_server.url}/?phase=2021-2025&year=2025")
    after_text, after_style = _mt3(page)
    assert after_text == "10" and after_style != before_style
    width = lambda s: float(s.split("width:")[1].split("%")[0])  # noqa: E731
    assert width(after_style) > width(before_style)

