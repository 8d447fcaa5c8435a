"""20 parallel posts of the same save against a real server (`nscl serve`, waitress, on its own
SQLite file or PostgreSQL database): yearly figures, a certificate, an enterprise import and a
practice consent. Each post ends in success or a clear refusal, never a 500, and the database holds
one record (issue 20 item 9: 6-7 of 20 figure saves answered 500 on both databases; certificates,
imports and consents some 500s on PostgreSQL)."""
import datetime
import json
import re
import time

import pytest

from tests.deploy.server import Site, login
from tests.test_concurrency import fire

requests = pytest.importorskip("requests")
N = 20


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = Site(tmp_path_factory.mktemp("saves")).setup(demo=True)
    s.base = s.serve()
    yield s
    s.close()


def shell(site, code: str):
    out = site.nscl("manage", "shell", "-c", code)
    return json.loads(out.stdout.strip().splitlines()[-1])


def officers(site, n=N):
    out = []
    for _ in range(n):
        s = requests.Session()
        assert login(s, site.base, "canbo").status_code == 302
        s.get(f"{site.base}/")  # a CSRF cookie
        out.append(s)
    return out


def post(s, url, data=None, files=None):
    return s.post(url, data={**(data or {}), "csrfmiddlewaretoken": s.cookies["csrftoken"]}, files=files,
                  headers={"Referer": url}, allow_redirects=False, timeout=120)


def no_server_errors(site, responses):
    codes = [r if isinstance(r, Exception) else r.status_code for r in responses]
    assert all(not isinstance(r, Exception) and r.status_code < 500 for r in responses), codes
    assert "Traceback" not in site.log() and "database is locked" not in site.log()
    return codes


def test_the_same_years_figures_saved_twenty_times(site):
    pk = shell(site, "from nscl.enterprises.models import Enterprise; print(Enterprise.objects.order_by('pk').first().pk)")
    clients = officers(site)
    url = f"{site.base}/enterprises/{pk}/figures/"
    year = datetime.date.today().year - 1  # open for entry until 31/12 this year
    responses = fire(N, lambda i: post(clients[i], url, {"year": str(year), "revenue": f"18.{500 + i}.000.000",
                                                         "employees": str(40 + i)}))
    codes = no_server_errors(site, responses)
    assert codes.count(302) == N, (codes, [re.findall(r"errorlist[^>]*>(.*?)</ul", r.text, re.S) for r in responses][:1])  # each save replaces the year's figures: the last one stands
    rows = shell(site, "import json; from nscl.enterprises.models import YearlyFigures as Y; "
                       f"print(json.dumps(list(map(list, Y.objects.filter(enterprise_id={pk}, year={year}).values_list('revenue', 'employees'))), default=int))")
    assert len(rows) == 1 and rows[0][0] == (rows[0][1] - 40 + 18_500) * 1_000_000  # one whole post, not a mix


def test_the_same_certificate_recorded_twenty_times(site):
    pk, standard = shell(site, "import json; from nscl.enterprises.models import Enterprise; "
                               "from nscl.enterprises.models import SupportContent as C; "
                               "print(json.dumps([Enterprise.objects.order_by('pk').first().pk, "
                               "C.objects.filter(certifiable=True).order_by('pk').first().pk]))")
    clients = officers(site)
    url = f"{site.base}/enterprises/{pk}/certificates/"
    data = {"standard": standard, "number": "SONG-SONG-01", "body": "Quacert", "scope": "Sản xuất",
            "issued_on": (datetime.date.today() - datetime.timedelta(days=30)).strftime("%d/%m/%Y")}
    responses = fire(N, lambda i: post(clients[i], url, data))
    codes = no_server_errors(site, responses)
    assert codes.count(302) == 1 and codes.count(400) == N - 1, codes
    already = ("đã được ghi nhận", "đã tồn tại")  # the view's check, or the form's unique constraint check
    assert all(any(m in r.text for m in already) for r in responses if r.status_code == 400)
    assert shell(site, "from nscl.enterprises.models import Certificate as C; "
                       "print(C.objects.filter(number='SONG-SONG-01').count())") == 1


def test_the_same_import_sent_twenty_times(site):
    clients = officers(site)
    body = "tax_code,name,ownership,sector_group\n0100109106,Công ty Song Song,private,trade_services\n"
    responses = fire(N, lambda i: post(clients[i], f"{site.base}/enterprises/import/", {"kind": "enterprises"},
                                       files={"file": ("dn.csv", body.encode(), "text/csv")}))
    codes = no_server_errors(site, responses)
    assert codes.count(302) == N, codes
    jobs = [int(re.search(r"/import/(\d+)/$", r.headers["Location"]).group(1)) for r in responses]
    deadline = time.time() + 240
    while time.time() < deadline:
        states = shell(site, "import json; from nscl.enterprises.models import ImportJob as J; "
                             f"print(json.dumps(list(map(list, J.objects.filter(pk__in={jobs}).values_list('status', 'error', 'result')))))")
        if all(s in ("done", "failed") for s, _, _ in states):
            break
        time.sleep(1)
    assert len(states) == N and all(s == "done" for s, _, _ in states), [(s, e) for s, e, _ in states if s != "done"]
    assert sum(r["created"] for _, _, r in states) == 1  # the others found it there: "unchanged"
    assert all(r["ok"] for _, _, r in states)
    assert shell(site, "from nscl.enterprises.models import Enterprise as E; "
                       "print(E.objects.filter(tax_code='0100109106').count())") == 1


def test_the_same_consent_given_twenty_times(site):
    pk = shell(site, "from nscl.practices.models import PracticeCase as P; print(P.objects.order_by('pk').first().pk)")
    clients = officers(site)
    url = f"{site.base}/dien-hinh/manage/{pk}/consent/"
    responses = fire(N, lambda i: post(clients[i], url, {"figures_public": "on", "basis": f"Công văn số {i}/DN"}))
    codes = no_server_errors(site, responses)
    assert codes.count(302) == N, codes  # each records the enterprise's decision anew (the last stands)
    assert shell(site, "from nscl.practices.models import Consent as C; "
                       f"print(C.objects.filter(case_id={pk}, revoked_at__isnull=True).count())") == 1
