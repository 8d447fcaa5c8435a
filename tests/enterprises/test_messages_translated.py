"""The registry's own messages follow the page's language (issue 21 item 3: eleven flash messages
of the enterprise pages were not marked for translation, so English pages said "Đã lưu ...")."""
import datetime

import pytest

from nscl.accounts.models import Role
from nscl.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


YEAR = datetime.date.today().year - 1  # last year: open for entry until 31/12 this year


@pytest.mark.parametrize("language, message", [("vi", f"Đã lưu số liệu năm {YEAR}."), ("en", f"Figures for {YEAR} saved.")])
def test_saving_figures_says_so_in_the_pages_language(client, make_user, language, message):
    e = Enterprise.objects.create(tax_code="0100109106", name="Công ty A")
    client.force_login(make_user(Role.OFFICER))
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    resp = client.post(f"/enterprises/{e.pk}/figures/", {"year": str(YEAR), "revenue": "18.500.000", "employees": "12"},
                       follow=True)
    assert message in resp.content.decode()


def test_a_repeated_certificate_is_refused_in_english(client, make_user):
    from nscl.enterprises.models import SupportContent

    e = Enterprise.objects.create(tax_code="0100109106", name="Công ty A")
    client.force_login(make_user(Role.OFFICER))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    data = {"standard": SupportContent.objects.filter(certifiable=True).first().pk, "number": "C-1", "body": "Quacert",
            "issued_on": "01/06/2025"}
    assert client.post(f"/enterprises/{e.pk}/certificates/", data).status_code == 302
    resp = client.post(f"/enterprises/{e.pk}/certificates/", data)
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "already" in html and "đã được ghi nhận" not in html
