"""The same support application posted 20 times at once (a double click, a client retrying) against a
running server (`nscl serve`, 2 processes with 8 threads each, its own database: a SQLite file or a
PostgreSQL database, as DATABASE_URL says) makes one dossier, and every answer leads to it (issue 20:
it made 20 dossiers); its confirmed withdrawal posted 20 times at once makes one step, and no answer
is an error (the 19 others are told it was done)."""
import re
import threading

import requests

from tests.deploy.server import Site, form_fields, login

PASSWORD = "song-song-2026"
SETUP = f"""
from django.contrib.auth import get_user_model
from nscl.accounts.models import Profile, Role
from nscl.enterprises.models import Enterprise, SupportContent
e = Enterprise.objects.create(tax_code="0100109106", name="Công ty Cổ phần Phố Hiến")
u = get_user_model().objects.create_user("dn-songsong", password="{PASSWORD}")
Profile.objects.create(user=u, role=Role.ENTERPRISE, enterprise=e)
print(e.pk, SupportContent.objects.get(code="iso-9001").pk)
"""
COUNT = """
from nscl.enterprises.dossiers import Dossier, DossierStep
print(Dossier.objects.count(), DossierStep.objects.count(), *Dossier.objects.values_list("pk", flat=True),
      *Dossier.objects.values_list("status", flat=True))
"""


def at_once(n, send):
    barrier, answers = threading.Barrier(n), []

    def run():
        barrier.wait()
        answers.append(send())
    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_twenty_parallel_posts_make_one_dossier_and_one_withdrawal(tmp_path):
    site = Site(tmp_path, env={"NSCL_DEBUG": "0"})
    try:
        site.setup(demo=False)
        enterprise, content = site.nscl("manage", "shell", "-c", SETUP).stdout.strip().splitlines()[-1].split()
        base = site.serve("--workers", "2", "--threads", "8")
        session = requests.Session()
        assert login(session, base, "dn-songsong", PASSWORD).status_code == 302
        page = session.get(f"{base}/enterprises/{enterprise}/apply/", timeout=60)
        assert page.status_code == 200, page.text[:2000]
        data = {**form_fields(page.text), "content": content, "title": "Áp dụng ISO 9001:2015",
                "total_cost": "80.000.000", "requested_amount": "40.000.000", "applied_on": "01/11/2025"}
        assert re.fullmatch(r"[0-9a-f-]{36}", data.get("submission_key", "")), data
        headers = {"Referer": page.url, "Origin": base}
        cookies = session.cookies.get_dict()  # one session, each thread its own connection

        def apply():
            r = requests.post(f"{base}/enterprises/{enterprise}/apply/", data=data, headers=headers, cookies=cookies,
                              allow_redirects=False, timeout=120)
            return r.status_code, r.headers.get("Location")
        answers = at_once(20, apply)
        dossiers, steps, pk, status = site.nscl("manage", "shell", "-c", COUNT).stdout.strip().splitlines()[-1].split()
        assert (dossiers, steps, status) == ("1", "1", "applied"), (answers, site.log()[-3000:])
        assert answers == [(302, f"/enterprises/dossiers/{pk}/")] * 20, (answers, site.log()[-3000:])

        page = session.get(f"{base}/enterprises/dossiers/{pk}/transition/?move=withdraw", timeout=60)
        withdraw = form_fields(page.text)
        assert (withdraw["transition"], withdraw["confirm"], withdraw["from_status"]) == ("withdraw", "1", "applied")

        def move():
            r = requests.post(f"{base}/enterprises/dossiers/{pk}/transition/", data=withdraw, headers=headers,
                              cookies=cookies, allow_redirects=False, timeout=120)
            return r.status_code, r.headers.get("Location")
        answers = at_once(20, move)
        dossiers, steps, pk, status = site.nscl("manage", "shell", "-c", COUNT).stdout.strip().splitlines()[-1].split()
        assert (dossiers, steps, status) == ("1", "2", "withdrawn"), (answers, site.log()[-3000:])
        assert answers == [(302, f"/enterprises/dossiers/{pk}/")] * 20, (answers, site.log()[-3000:])
    finally:
        site.close()
