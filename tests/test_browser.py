"""In headless Debian Chromium: log in, record a training class, confirm it, see the dashboard bar move;
and every main page on a phone (390×844), in Vietnamese and in English: no sideways scrolling of the
page, chart text at least 11 px."""
import os
import re

import pytest

from nscl.accounts.models import Role

from .conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI needs Debian's chromium at /usr/bin/chromium (make browser installs it)")
    pytest.skip("Debian chromium not installed (sudo apt-get install chromium chromium-driver)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

SHOTS = os.environ.get("NSCL_SHOTS")  # a folder: full-page screenshots of every page the phone test takes
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
MIN_CHART_PX = 11


@pytest.fixture(scope="module")
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
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
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
    context.close()


# The page's own width, and for every chart (an <img> of a matplotlib SVG, whose text is drawn as glyph
# paths at scale(size/100)) the smallest text as rendered: size in the SVG × shown width / viewBox width.
MEASURE = """async () => {
  const charts = [];
  for (const img of document.querySelectorAll('main img.chart')) {
    img.loading = 'eager';
    img.scrollIntoView();
    try { await img.decode(); } catch (e) { charts.push({src: img.src, error: 'not loaded'}); continue; }
    const svg = new DOMParser().parseFromString(await (await fetch(img.src)).text(), 'image/svg+xml').documentElement;
    const viewWidth = parseFloat(svg.getAttribute('viewBox').split(/\\s+/)[2]);
    let smallest = Infinity;
    for (const g of svg.querySelectorAll('g[id^="text_"] g[transform*="scale("]')) {
      const m = /scale\\(([0-9.]+) -[0-9.]+\\)/.exec(g.getAttribute('transform'));
      if (m) smallest = Math.min(smallest, parseFloat(m[1]) * 100);
    }
    const shown = img.getBoundingClientRect().width;
    charts.push({src: img.src.replace(location.origin, ''), shown: Math.round(shown), svgFont: smallest,
                 px: Math.round(smallest * shown / viewWidth * 10) / 10});
  }
  window.scrollTo(0, 0);
  const wide = [];  // what sticks out of the screen (outside a box that scrolls by itself), for the message
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > screen.width + 0.5 && !el.closest('.table-scroll')) wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className == 'string' ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(r.right));
  }
  const targets = document.querySelector('#targets');
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          lang: document.documentElement.lang, charts, wide: wide.slice(0, 8),
          targets: targets ? Math.round(targets.getBoundingClientRect().width) : null};
}"""


def _pages():
    """(user, path, an English word the page shows) for each main page; None: not logged in."""
    from nscl.programme.models import TrainingClass
    from nscl.stats.models import TfpRun, TfpSeries

    officer = [
        ("/", "Progress"),
        ("/?phase=2021-2025&year=2025", "Status"),
        ("/progress/2021-2025/MT5/", "Year"),
        ("/registers/", "Activity registers"),
        ("/registers/class/", "Status"),
        (f"/registers/class/{TrainingClass.objects.filter(is_demo=True).order_by('pk').first().pk}/", "Evidence"),
        ("/registers/class/new/", "Save"),
        ("/reports/annual/", "Annual implementation report"),
        ("/tfp/", "Contribution of TFP to growth"),
        (f"/tfp/series/{TfpSeries.objects.filter(is_demo=True).first().pk}/", "Year"),
        (f"/tfp/runs/{TfpRun.objects.filter(is_demo=True).first().pk}/", "Year"),
        ("/tfp/asean/", "ASEAN"),
        ("/analysis/", "Firm productivity analysis"),
    ]
    return [(None, "/accounts/login/", "Log in"), (None, "/?phase=2021-2025&year=2025", "Status")] + [
        ("canbo", p, w) for p, w in officer] + [
        ("phoihop", "/registers/class/new/", "Save"), ("doanhnghiep", "/enterprises/dossiers/", "Enterprise support dossiers"),
        ("xem", "/reports/annual/", "Annual implementation report"), ("admin", "/audit/", "Audit log")]


@pytest.mark.django_db(transaction=True)
def test_main_pages_fit_a_phone_in_both_languages(live_server, browser, settings):
    from nscl.cli import load_demo
    from nscl.programme.demo import DEMO_PASSWORD

    settings.NSCL_PUBLIC_PROGRESS = True
    load_demo()
    pages = _pages()
    problems, report = [], []
    for user in dict.fromkeys(u for u, _, _ in pages):
        context = browser.new_context(**PHONE)
        page = context.new_page()
        if user:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", user)
            page.fill("#id_password", DEMO_PASSWORD)
            with page.expect_navigation():
                page.click("main button[type=submit]")
        for lang in ("vi", "en"):
            for path, english in [(p, w) for u, p, w in pages if u == user]:
                page.goto(f"{live_server.url}{path}")
                if lang == "en" and page.locator("html").get_attribute("lang") != "en":
                    with page.expect_navigation():  # the language switch in the header
                        page.select_option("header select[name=language]", "en")
                m = page.evaluate(MEASURE)
                where = f"{user or 'anonymous'} {lang} {path}"
                if SHOTS:
                    os.makedirs(SHOTS, exist_ok=True)
                    name = re.sub(r"[^a-z0-9]+", "-", f"phone {user or 'anonymous'} {lang} {path}".lower()).strip("-")
                    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
                report.append((where, m["scrollWidth"], m["targets"], [c.get("px") for c in m["charts"]]))
                if m["innerWidth"] != 390 or m["scrollWidth"] > m["innerWidth"]:
                    problems.append(f"{where}: page {m['scrollWidth']} px wide in {m['innerWidth']}: {m['wide']}")
                for c in m["charts"]:
                    if "error" in c or c["px"] < MIN_CHART_PX:
                        problems.append(f"{where}: chart text {c}")
                if m["lang"] != lang:
                    problems.append(f"{where}: <html lang={m['lang']}>")
                if lang == "en" and not re.search(rf"\b{re.escape(english)}\b", page.inner_text("body")):
                    problems.append(f"{where}: no '{english}'")
        context.close()
    if SHOTS:  # the dashboard on a desktop, for comparison
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(f"{live_server.url}/?phase=2021-2025&year=2025")
        page.evaluate(MEASURE)  # loads the lazy chart
        page.screenshot(path=os.path.join(SHOTS, "desktop-dashboard.png"), full_page=True)
        context.close()
    for row in report:
        print(*row)
    assert not problems, "\n".join(problems)
