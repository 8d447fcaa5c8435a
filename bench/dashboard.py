"""Dashboard server time with ten years of data and 2,000 activity records.

Builds a fresh database (SQLite file under a temp dir, or DATABASE_URL if given), loads the
reference plan, copies the 2021-2025 targets onto 2026-2030 so both phases have targets, records
2,000 confirmed activities spread over 2021-2030 and all kinds, then times GET / for each phase
with Django's test client (server time: middleware, queries, template; no network).

    .venv/bin/python bench/dashboard.py [--records 2000] [--repeat 30]
"""
import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="nscl-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["NSCL_VAR_DIR"] = tmp
    os.environ["NSCL_PUBLIC_PROGRESS"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "nscl.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from nscl.programme.models import KIND_MODELS, Activity, CatalogueItem, Organisation, Phase, Target, Unit
    from nscl.programme.reference import load_reference

    if connection.vendor != "sqlite":  # a scratch test database, never the production one
        from django.test.utils import get_runner  # noqa: F401

        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    else:
        call_command("migrate", verbosity=0)
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    load_reference()
    p1, p2 = Phase.objects.get(code="2021-2025"), Phase.objects.get(code="2026-2030")
    for t in list(p1.targets.all()):
        t.pk, t.phase = None, p2
        t.save()
    rng = random.Random(1)
    units = list(Unit.objects.all())
    topic = CatalogueItem.objects.get(code="5s")
    orgs = [Organisation.objects.create(tax_code=f"0100109106-{i:03d}", name=f"DN {i}") for i in range(1, 200)]
    own = {
        "expert": lambda i: {"person": f"P{i}", "field": rng.choice(["pq", "assessment"]), "course_organiser": "VNPI"},
        "education": lambda i: {"institution": f"Trường {i % 7}", "programme": "P", "trainees": 30},
        "class": lambda i: {"topic": topic, "participants": 40, "hours": 8},
        "campaign": lambda i: {"channels": "Báo", "reach": 1000},
        "support": lambda i: {"organisation": rng.choice(orgs), "content": "tccs", "amount": 50_000_000},
        "tfp": lambda i: {"year_measured": 2021 + i % 10, "result_reference": "R"},
        "body": lambda i: {"body_name": f"B{i % 3}", "accreditation_sought": "17065"},
        "lab": lambda i: {"beneficiary": f"Lab {i % 5}", "equipment": "GC"},
        "project": lambda i: {"project_type": "green", "organisation_name": f"Org {i % 40}"},
    }
    kinds = list(KIND_MODELS)
    t0 = time.perf_counter()
    now = timezone.now()
    for i in range(args.records):
        kind = kinds[i % len(kinds)]
        year = 2021 + i % 10
        start = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
        KIND_MODELS[kind](title=f"{kind} {i}", start_date=start, end_date=start, status="completed",
                          responsible_unit=rng.choice(units), budget_planned=10_000_000, budget_spent=9_000_000,
                          confirmed_at=now, **own[kind](i)).save()
    build = time.perf_counter() - t0
    client = Client()
    rows = []
    for phase in (p1, p2):
        url = f"/?phase={phase.code}&year={phase.end_year}"
        assert client.get(url).status_code == 200  # warm-up
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            resp = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200
        times.sort()
        rows.append((connection.vendor, phase.code, Activity.objects.count(), Target.objects.filter(phase=phase).count(),
                     statistics.median(times), times[int(0.95 * (len(times) - 1))]))
    print(f"built {args.records} records in {build:.1f} s; {args.repeat} requests per phase; goal: median <= 150 ms\n")
    print(f"| {'database':10} | {'phase':9} | {'records':>7} | {'targets':>7} | {'median ms':>9} | {'p95 ms':>7} |")
    print(f"|{'-' * 12}|{'-' * 11}|{'-' * 9}|{'-' * 9}|{'-' * 11}|{'-' * 9}|")
    for db, code, n, nt, med, p95 in rows:
        print(f"| {db:10} | {code:9} | {n:7d} | {nt:7d} | {med:9.1f} | {p95:7.1f} |")
    if connection.vendor != "sqlite":
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    return 0 if all(r[4] <= 150 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
