"""In headless Debian Chromium, on a phone (390×844): the draft of a phase's targets shows each
kind's own numbers and follows a change of kind (issue 20, item 3: every target showed the maximum
and tolerance boxes; the page's grid rows ignored `hidden`), and publishing asks first."""
import os

import pytest

from nscl.accounts.models import Role
from nscl.programme.models import Phase

from ..conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI needs Debian's chromium at /usr/bin/chromium (make browser installs it)")
    pytest.skip("Debian chromium not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.mark.django_db(transaction=True)
def test_each_kind_shows_its_own_numbers_on_a_phone(live_server, make_user):
    from nscl.programme import services

    services.copy_targets(Phase.objects.get(code="2021-2025"), Phase.objects.get(code="2026-2030"))
    make_user(Role.ADMIN, username="quantri")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "quantri")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server.url}/phases/2026-2030/targets/")
        box = page.locator('fieldset[data-target="MT4"]')  # a range: from, to; no tolerance

        def shown(name):
            return box.locator(f'[name$="-{name}"]').is_visible()
        assert shown("min_value") and shown("max_value") and not shown("tolerance_pct")
        assert box.locator("[data-value-label]").inner_text() == "Từ:"
        box.locator("select[data-target-kind]").select_option("about")
        assert shown("min_value") and not shown("max_value") and shown("tolerance_pct")
        assert box.locator("[data-value-label]").inner_text() == "Khoảng:"
        box.locator("select[data-target-kind]").select_option("at_least")
        assert not shown("max_value") and not shown("tolerance_pct")
        assert box.locator("[data-value-label]").inner_text() == "Ít nhất:"
        assert page.locator('fieldset[data-target="MT6"] .wording-warning').first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        browser.close()
