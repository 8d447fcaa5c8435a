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


# The page's own width; what sticks out of the screen (outside a box that scrolls sideways by itself, such
# as .table-scroll); the header's height with its menu closed; table cells too narrow for one of their
# words (a column squeezed to a letter a line); and for every chart (an <img> of a matplotlib SVG, whose
# text is drawn as glyph paths at scale(size/100)) the smallest text as rendered: size in the SVG × shown
# width / viewBox width.
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
  const scrolls = el => { for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className == 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 0.5 && r.width > 0 && !scrolls(el)) wide.push(name(el) + ' ' + Math.round(r.right));
  }
  const ctx = document.createElement('canvas').getContext('2d');
  const squeezed = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    const section = cell.closest('thead, tbody, tfoot, table');
    if (!cell.getClientRects().length || section.getBoundingClientRect().width <= 2) continue;  // hidden headers
    const words = cell.innerText.split(/[\\s\\-–]+/).filter(w => w.length > 1 && w.length <= 14);
    if (!words.length) continue;
    const cs = getComputedStyle(cell);
    ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const inner = cell.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const word = words.reduce((a, b) => ctx.measureText(a).width >= ctx.measureText(b).width ? a : b);
    if (ctx.measureText(word).width > inner * 1.25 + 4) squeezed.push(`${word} in ${Math.round(inner)} px`);
  }
  const header = document.querySelector('body > header');
  const targets = document.querySelector('#targets');
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          lang: document.documentElement.lang, charts, wide: wide.slice(0, 8), squeezed: squeezed.slice(0, 5),
          header: header ? Math.round(header.getBoundingClientRect().height) : 0,
          targets: targets ? Math.round(targets.getBoundingClientRect().width) : null};
}"""
HEADER_MAX_PX = 64  # the brand, the language switch and the menu button: one line, the menu closed


def _pages():
    """{user: [(path, an English word the page shows)]}: each role's main pages (None: not logged in).
    A role visits the pages its work is on; a page every role sees is visited by one of them."""
    from django.contrib.auth import get_user_model

    from nscl.enterprises.dossiers import Dossier
    from nscl.practices.models import PracticeCase
    from nscl.programme.models import TrainingClass
    from nscl.stats.models import TfpRun, TfpSeries
    from nscl.trace.models import Product, Recall

    own = get_user_model().objects.get(username="doanhnghiep").profile.enterprise
    dossier = Dossier.objects.filter(enterprise=own).order_by("pk").first()
    case = PracticeCase.objects.order_by("pk").first()
    product = Product.objects.order_by("pk").first()
    owner = product.owner_id
    return {
        None: [("/accounts/login/", "Log in"), ("/accounts/password-reset/", "password"),
               ("/?phase=2021-2025&year=2025", "Status"), ("/dien-hinh/", "good practices"),
               (f"/dien-hinh/{case.pk}/", "good practices"), (f"/trace/p/{product.gtin}/", "Origin")],
        "canbo": [  # the programme officer
            ("/", "Progress"), ("/?phase=2021-2025&year=2025", "Status"), ("/progress/2021-2025/MT5/", "Year"),
            ("/registers/", "Activity registers"), ("/registers/class/", "Status"),
            (f"/registers/class/{TrainingClass.objects.filter(is_demo=True).order_by('pk').first().pk}/", "Evidence"),
            ("/registers/class/new/", "Save"), ("/reports/annual/", "Annual implementation report"),
            ("/enterprises/", "Enterprise"), (f"/enterprises/{own.pk}/", "Size"), ("/enterprises/new/", "Save"),
            ("/enterprises/dossiers/", "Enterprise support dossiers"), (f"/enterprises/dossiers/{dossier.pk}/", "Application date"),
            ("/enterprises/duties/", "Year"), ("/enterprises/certificates/", "Certificates"),
            ("/enterprises/import/", "Import"), ("/dien-hinh/manage/", "Good practices"),
            (f"/dien-hinh/manage/{case.pk}/", "Consent"), ("/dien-hinh/manage/new/", "Create"),
            ("/notifications/", "Notifications"), ("/notifications/preferences/", "Save"),
            ("/accounts/password/", "password"), ("/analysis/", "Firm productivity analysis"),
            ("/analysis/registry/", "Impact of support"), ("/analysis/registry/deflators/", "Deflator"),
            ("/trace/", "Traceability"), ("/trace/graph/", "Trace"), ("/trace/recall/", "Product recall"),
            ("/trace/enterprises/", "Enterprise"), (f"/trace/enterprises/{owner}/", "prefixes"),
            ("/trace/prefixes/", "prefix"), ("/trace/reports/", "counterfeit"), (f"/trace/products/{product.pk}/", "GTIN"),
            (f"/trace/products/{product.pk}/edit/", "Save"), (f"/trace/enterprises/{owner}/products/new/", "Save"),
            (f"/trace/recalls/{Recall.objects.order_by('pk').first().pk}/", "Recall"),
            (f"/trace/enterprises/{owner}/recalls/new/", "Declare a recall")],
        "phoihop": [  # a partner unit: the statistics office keeps the TFP series
            ("/tfp/", "Contribution of TFP to growth"), (f"/tfp/series/{TfpSeries.objects.filter(is_demo=True).first().pk}/", "Year"),
            (f"/tfp/runs/{TfpRun.objects.filter(is_demo=True).first().pk}/", "Year"), ("/tfp/asean/", "ASEAN"),
            ("/registers/class/new/", "Save")],
        "doanhnghiep": [  # an enterprise's own account
            ("/enterprises/mine/", "Size"), (f"/enterprises/{own.pk}/edit/", "Save"), (f"/enterprises/{own.pk}/apply/", "Apply for support"),
            ("/enterprises/dossiers/", "Enterprise support dossiers"), (f"/enterprises/dossiers/{dossier.pk}/", "Application date"),
            ("/trace/", "Traceability"), ("/trace/enterprises/", "traceability")],
        "xem": [("/", "Progress"), ("/reports/annual/", "Annual implementation report"), ("/enterprises/", "Enterprise")],
        "admin": [("/audit/", "Audit log"), ("/quan-tri/", "administration"),
                  ("/quan-tri/enterprises/enterprise/", "enterprise"), ("/phases/2021-2025/targets/", "Targets of phase")],
    }


@pytest.mark.django_db(transaction=True)
def test_main_pages_fit_a_phone_in_both_languages(live_server, browser, settings):
    """Every role's main pages at 390×844, in both languages: the page no wider than the screen (issue 20:
    the enterprise page was 476 px, its chart a fixed 475 px), the header one line with its menu closed
    (it took 5-6 lines for an officer), no table column squeezed narrower than its words (a letter a
    line), chart text at least 11 px, the page in the language chosen."""
    from nscl.cli import load_demo
    from nscl.programme.demo import DEMO_PASSWORD

    settings.NSCL_PUBLIC_PROGRESS = True
    load_demo()
    problems, report = [], []
    for user, pages in _pages().items():
        for lang in ("vi", "en"):
            context = browser.new_context(**PHONE)
            page = context.new_page()
            if user:
                page.goto(f"{live_server.url}/accounts/login/")
                page.fill("#id_username", user)
                page.fill("#id_password", DEMO_PASSWORD)
                with page.expect_navigation():
                    page.click("main button[type=submit]")
            for path, english in pages:
                response = page.goto(f"{live_server.url}{path}")
                if page.locator("html").get_attribute("lang") != lang:
                    with page.expect_navigation():  # the language switch in the header
                        page.select_option("header select[name=language]", lang)
                m = page.evaluate(MEASURE)
                where = f"{user or 'anonymous'} {lang} {path}"
                if SHOTS:
                    os.makedirs(SHOTS, exist_ok=True)
                    name = re.sub(r"[^a-z0-9]+", "-", f"phone {user or 'anonymous'} {lang} {path}".lower()).strip("-")
                    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
                report.append((where, m["scrollWidth"], m["header"], m["targets"], [c.get("px") for c in m["charts"]]))
                if response.status != 200:
                    problems.append(f"{where}: HTTP {response.status}")
                if m["innerWidth"] != 390 or m["scrollWidth"] > m["innerWidth"] or m["wide"]:
                    problems.append(f"{where}: page {m['scrollWidth']} px wide in {m['innerWidth']}: {m['wide']}")
                if m["header"] > HEADER_MAX_PX:
                    problems.append(f"{where}: header {m['header']} px high")
                if m["squeezed"]:
                    problems.append(f"{where}: table cells narrower than their words: {m['squeezed']}")
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


@pytest.mark.django_db(transaction=True)
def test_the_menu_folds_behind_a_button_on_a_phone(live_server, browser, make_user):
    """Issue 20: an officer's header took 5-6 lines of a phone. Now one line (brand, language, menu
    button); the button (a checkbox with a name, reached with Tab, toggled with Space) opens the menu,
    every link of it on the screen; on a desktop the menu shows without a button."""
    make_user(Role.OFFICER, username="canbo")
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "canbo")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    header = lambda: page.locator("body > header").bounding_box()["height"]  # noqa: E731
    assert header() <= HEADER_MAX_PX and not page.locator("header nav").is_visible()
    assert page.get_by_role("checkbox", name="Trình đơn").count() == 1  # named for a screen reader
    assert page.locator("label.menu-button").is_visible()
    page.focus("#nscl-menu-toggle")
    page.keyboard.press("Space")
    links = page.locator("header nav a, header .right a")
    assert page.locator("header nav").is_visible() and links.count() >= 10
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, links.nth(i).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("label.menu-button").click()  # and closes again
    assert not page.locator("header nav").is_visible()
    context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("header nav").is_visible() and not page.locator("label.menu-button").is_visible()
    context.close()
