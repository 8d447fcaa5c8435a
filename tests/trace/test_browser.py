"""The consumer page a QR code opens fits a 390 px phone, in Vietnamese and in English (issue 19: it
was 458 px wide, the raw URN could not wrap): headless Debian Chromium through Playwright, as in
tests/test_browser.py (never a downloaded browser)."""
import pytest

from ..test_browser import PHONE, browser  # noqa: F401  (Debian's chromium, launched once per module)

# what sticks out of the screen (outside a box that scrolls by itself), and the first words of the page
MEASURE = """() => {
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 0.5 && !el.closest('.table-scroll'))
      wide.push(el.tagName.toLowerCase() + (el.className && typeof el.className == 'string' ? '.' + el.className : '') + ' ' + Math.round(r.right));
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          lang: document.documentElement.lang, wide: wide.slice(0, 8),
          first: document.querySelector('main').innerText.trim().slice(0, 80)};
}"""
PAGES = [  # (path, the page's first words in Vietnamese, in English)
    ("/01/08930002000017/10/PH260720", "Dữ liệu minh họa", "Illustrative data"),
    ("/01/08930001000018/10/HN260728", "Lô sản phẩm này đang bị thu hồi", "This lot is being recalled"),
    ("/01/08930002000017/10/PH260730/21/A-LONG-SERIAL-0001", "Mã này chưa có ghi nhận sản xuất nào",
     "This code has no recorded production"),
    ("/01/08930009000010/10/X1", "Mã này chưa có ghi nhận sản xuất nào", "This code has no recorded production"),
]


@pytest.mark.django_db(transaction=True)
def test_consumer_page_fits_a_phone_in_both_languages(live_server, browser):
    from nscl.trace import demo

    demo.load()
    problems = []
    context = browser.new_context(**PHONE)
    page = context.new_page()
    for lang in ("vi", "en"):
        for path, first_vi, first_en in PAGES:
            page.goto(f"{live_server.url}{path}")
            if page.locator("html").get_attribute("lang") != lang:
                with page.expect_navigation():  # the language switch in the header
                    page.select_option("header select[name=language]", lang)
            m = page.evaluate(MEASURE)
            where = f"{lang} {path}"
            if m["innerWidth"] != 390 or m["scrollWidth"] > m["innerWidth"] or m["wide"]:
                problems.append(f"{where}: page {m['scrollWidth']} px wide in {m['innerWidth']}: {m['wide']}")
            if m["lang"] != lang:
                problems.append(f"{where}: <html lang={m['lang']}>")
            first = first_vi if lang == "vi" else first_en
            if not m["first"].startswith(first):
                problems.append(f"{where}: begins {m['first']!r}, not {first!r}")
    assert not problems, "\n".join(problems)
    # the report form works from the phone: sent, thanked, stored for the officers
    page.goto(f"{live_server.url}/01/08930002000017/10/GIA2026")
    page.fill("textarea[name=message]", "Tem in mờ")
    with page.expect_navigation():
        page.click("form.report button")
    assert "report has been sent" in page.inner_text("main")
    context.close()
    from nscl.trace.models import CounterfeitReport

    assert CounterfeitReport.objects.filter(lot="GIA2026", message="Tem in mờ").exists()
