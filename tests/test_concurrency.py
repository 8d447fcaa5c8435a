"""Concurrent writes against a real server (`nscl serve` on its own database, SQLite file or
PostgreSQL as DATABASE_URL says): every request ends in success or a clear refusal, never a 500
(Hardening item 6: SQLite gave "database is locked")."""
import re
import threading

import pytest

from tests.deploy.server import Site, form_fields, login, new_class_activity

requests = pytest.importorskip("requests")

REPEATED = "Biểu mẫu này đã được gửi trước đó"
STALE = "Hồ sơ đã được người khác thay đổi"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    s = Site(tmp_path_factory.mktemp("concurrency")).setup(demo=True)
    s.base = s.serve()  # the default server: waitress, 8 threads, one process
    yield s
    s.close()


def fire(n, send):
    """n requests at once (a barrier releases them together); their responses."""
    barrier = threading.Barrier(n)
    out = [None] * n

    def one(i):
        barrier.wait()
        try:
            out[i] = send(i)
        except Exception as e:  # noqa: BLE001 (a dropped connection is a failure to report)
            out[i] = e

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return out


def sessions(site, n):
    out = []
    for _ in range(n):
        s = requests.Session()
        assert login(s, site.base, "canbo").status_code == 302
        out.append(s)
    return out


def count_titled(site, title) -> int:
    out = site.nscl("manage", "shell", "-c",
                    f"from nscl.programme.models import Activity; print(Activity.objects.filter(title={title!r}).count())")
    return int(out.stdout.strip().splitlines()[-1])


def describe(responses):
    return [r if isinstance(r, Exception) else (r.status_code, r.headers.get("Location")) for r in responses]


def test_simultaneous_creates_with_one_form_token_make_one_record(site):
    clients = sessions(site, 10)
    page = clients[0].get(f"{site.base}/registers/class/new/")
    data = new_class_activity(page.text, title="Lớp gửi đồng thời")

    def send(i):
        s = clients[i]
        s.get(f"{site.base}/registers/class/new/")  # each browser tab has its own CSRF cookie
        return s.post(f"{site.base}/registers/class/new/", allow_redirects=False, timeout=60,
                      data={**data, "csrfmiddlewaretoken": s.cookies["csrftoken"]},
                      headers={"Referer": f"{site.base}/registers/class/new/"})

    responses = fire(10, send)
    codes = describe(responses)
    assert all(not isinstance(r, Exception) for r in responses), codes
    created = [r for r in responses if r.status_code == 302]
    refused = [r for r in responses if r.status_code == 200 and REPEATED in r.text]
    assert len(created) == 1 and len(refused) == 9, codes
    assert count_titled(site, "Lớp gửi đồng thời") == 1


def test_simultaneous_edits_of_one_version_apply_once(site):
    s0 = requests.Session()
    assert login(s0, site.base, "canbo").status_code == 302
    page = s0.get(f"{site.base}/registers/class/new/")
    r = s0.post(f"{site.base}/registers/class/new/", data=new_class_activity(page.text, title="Lớp sửa đồng thời"),
                headers={"Referer": f"{site.base}/"}, allow_redirects=False)
    assert r.status_code == 302, r.status_code
    pk = int(re.search(r"/(\d+)/?$", r.headers["Location"]).group(1))
    edit_url = f"{site.base}/registers/class/{pk}/edit/"
    clients = sessions(site, 8)
    forms = [form_fields(c.get(edit_url).text) for c in clients]
    assert forms[0]["version"]

    def send(i):
        return clients[i].post(edit_url, data={**forms[i], "title": f"Lớp sửa đồng thời {i}"}, allow_redirects=False,
                               headers={"Referer": edit_url}, timeout=60)

    responses = fire(8, send)
    codes = describe(responses)
    assert all(not isinstance(r, Exception) for r in responses), codes
    applied = [r for r in responses if r.status_code == 302]
    refused = [r for r in responses if r.status_code == 200 and STALE in r.text]
    errors = [re.findall(r"errorlist[^>]*>(.*?)</ul", r.text, re.S) for r in responses if r.status_code == 200]
    assert len(applied) == 1 and len(refused) == 7, (codes, errors[:2])
    winner = responses.index(applied[0])
    assert count_titled(site, f"Lớp sửa đồng thời {winner}") == 1
    assert "Traceback" not in site.log() and "database is locked" not in site.log()
