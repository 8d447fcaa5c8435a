"""Enterprise registry benchmark: list and search page times with 50,000 enterprises and ten years of
figures, and the time of a 50,000-row import, on a throw-away database.

    .venv/bin/python bench/registry.py                    # SQLite in a temp dir
    .venv/bin/python bench/registry.py --postgres postgres://postgres@127.0.0.1:5432
                                                          # creates and drops database nscl_bench_registry

Data are bulk-created (no audit entries: synthetic). Pages are requested through Django's test
client as an officer (the whole view: query, pagination, template); each is timed --runs times and
the median printed. Goals: at most 200 ms median per page; the import (audit entries included) at
most 10 s on SQLite and 15 s on PostgreSQL.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DBNAME = "nscl_bench_registry"
WORDS = ("An Bình Cường Đức Hưng Hải Hòa Khánh Long Minh Nam Phát Phú Quang Sơn Tân Thành Thịnh Tiến Trung Việt "
         "Xuân Phố Hiến Sao Vàng Hồng Châu Kim Động Mỹ Hào Văn Lâm Ân Thi Tiên Lữ").split()
KINDS = ("Công ty TNHH", "Công ty Cổ phần", "Hợp tác xã", "Doanh nghiệp tư nhân")


def tax_codes(n, seed):
    from stdnum.vn import mst

    rnd = random.Random(seed)
    seen = set()
    while len(seen) < n:
        body = f"{rnd.choice(['01', '09', '33', '34', '03'])}{rnd.randrange(10**7):07d}"
        check = mst.calc_check_digit(body)
        if len(check) == 1 and body[2:] != "0000000":
            seen.add(body + check)
    return sorted(seen)


def build(n, years):
    from django.contrib.auth import get_user_model

    from nscl.accounts.models import Profile, Role
    from nscl.enterprises import vsic
    from nscl.enterprises.dossiers import Certificate, Dossier
    from nscl.enterprises.models import Enterprise, IndustryCode, SupportContent, YearlyFigures, fold
    from nscl.enterprises.reference import load_reference
    from nscl.geo.loader import load_admin_units
    from nscl.geo.models import AdministrativeUnit
    import datetime

    load_admin_units()
    load_reference()
    rnd = random.Random(1)
    communes = list(AdministrativeUnit.objects.filter(level="commune", valid_to__isnull=True))
    codes5 = [c for c, i in vsic.table("2025").items() if i.level == 5]
    sizes = ["micro", "small", "medium", "large"]
    ents = []
    for code in tax_codes(n, 1):
        name = f"{rnd.choice(KINDS)} {' '.join(rnd.sample(WORDS, 3))}"
        ents.append(Enterprise(tax_code=code, name=name, ownership=rnd.choice(["private", "state", "fdi", "cooperative"]),
                               commune=rnd.choice(communes), sector_group=rnd.choice(["industry_construction", "trade_services"]),
                               size_class=rnd.choice(sizes), size_year=2025, search_text=fold(name)))
    Enterprise.objects.bulk_create(ents, batch_size=2000)
    ents = list(Enterprise.objects.only("pk"))
    IndustryCode.objects.bulk_create([IndustryCode(enterprise=e, version="2025", code=rnd.choice(codes5), is_primary=True)
                                      for e in ents], batch_size=5000)
    figs = []
    for e in ents:
        for y in range(2016, 2016 + years):
            figs.append(YearlyFigures(enterprise=e, year=y, revenue=rnd.randrange(10**9, 10**11), employees=rnd.randrange(5, 300),
                                      value_added=rnd.randrange(10**8, 10**10), total_capital=rnd.randrange(10**9, 10**11)))
        if len(figs) >= 50_000:
            YearlyFigures.objects.bulk_create(figs, batch_size=5000)
            figs = []
    YearlyFigures.objects.bulk_create(figs, batch_size=5000)
    contents = list(SupportContent.objects.all())
    certifiable = [c for c in contents if c.certifiable]
    Dossier.objects.bulk_create([Dossier(enterprise=e, content=rnd.choice(contents), title="Hỗ trợ", status=rnd.choice(
        ["applied", "approved", "accepted", "closed"]), applied_on=datetime.date(2025, 1, 1), total_cost=10**8,
        requested_amount=5 * 10**7) for e in rnd.sample(ents, n // 10)], batch_size=2000)
    Certificate.objects.bulk_create([Certificate(enterprise=e, standard=rnd.choice(certifiable), number=f"C-{i}", body="QUACERT",
                                                 issued_on=datetime.date(2020 + i % 6, 1 + i % 12, 1),
                                                 expires_on=datetime.date(2026 + i % 3, 1 + i % 12, 1))
                                     for i, e in enumerate(rnd.sample(ents, n // 10))], batch_size=2000)
    user = get_user_model().objects.create(username="bench-officer")
    Profile.objects.create(user=user, role=Role.OFFICER)
    return user, communes, codes5


def timed(fn, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def run(args):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nscl.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", interactive=False, verbosity=0)
    t = time.perf_counter()
    user, communes, codes5 = build(args.n, args.years)
    built = time.perf_counter() - t
    client = Client()
    client.force_login(user)
    from nscl.enterprises.models import Enterprise, YearlyFigures

    some = Enterprise.objects.order_by("pk")[args.n // 2]
    word = some.name.split()[-1]
    pages = [
        ("list, page 1", "/enterprises/", {}),
        ("list, page 500", "/enterprises/", {"page": "500"}),
        (f"search name “{word}”", "/enterprises/", {"q": word}),
        ("search name, no diacritics", "/enterprises/", {"q": "pho hien"}),
        ("search MST prefix", "/enterprises/", {"q": some.tax_code[:6]}),
        ("filter commune", "/enterprises/", {"commune": communes[0].code}),
        ("filter VSIC 2-digit prefix", "/enterprises/", {"vsic": codes5[0][:2]}),
        ("filter size", "/enterprises/", {"size": "medium"}),
        ("filter support status", "/enterprises/", {"status": "accepted"}),
        ("filter standard", "/enterprises/", {"standard": "iso-9001"}),
        ("combined (name+size+commune)", "/enterprises/", {"q": "cong ty", "size": "small", "commune": communes[1].code}),
        ("enterprise detail (10 years)", f"/enterprises/{some.pk}/", {}),
        ("dossier list", "/enterprises/dossiers/", {}),
        ("certificate list", "/enterprises/certificates/", {}),
    ]
    print(f"\n{connection.vendor}: {Enterprise.objects.count():,} enterprises, {YearlyFigures.objects.count():,} yearly figures "
          f"(built in {built:.1f} s)")
    print(f"{'page':40s} {'median ms':>10s}")
    for label, url, q in pages:
        assert client.get(url, q).status_code == 200, url
        print(f"{label:40s} {timed(lambda: client.get(url, q), args.runs):10.1f}")
    # import: 50,000 new rows from CSV, then the same file again (nothing changes)
    from nscl.enterprises.importer import run_import

    rnd = random.Random(2)
    existing = set(Enterprise.objects.values_list("tax_code", flat=True))
    fresh = [c for c in tax_codes(args.n * 2, 7) if c not in existing][: args.n]
    lines = ["tax_code,name,ownership,commune_code,vsic,address"]
    for c in fresh:
        lines.append(f"{c},Công ty TNHH {' '.join(rnd.sample(WORDS, 3))},private,{rnd.choice(communes).code},"
                     f"{rnd.choice(codes5)},Hưng Yên")
    data = ("\n".join(lines) + "\n").encode()
    for label in (f"import {args.n:,} new rows (CSV)", "re-import same file (no change)"):
        t = time.perf_counter()
        r = run_import(data, "bench.csv")
        assert r.ok, list(r.errors.items())[:3]
        print(f"{label:40s} {time.perf_counter() - t:9.1f} s  (created {r.created}, updated {r.updated}, unchanged {r.unchanged})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--postgres", help="server URL without database name, e.g. postgres://postgres@127.0.0.1:5432")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="nscl-bench-registry-")
    os.environ["NSCL_VAR_DIR"] = tmp
    if args.postgres:
        import psycopg

        admin = f"{args.postgres.rstrip('/')}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DBNAME}")
            conn.execute(f"CREATE DATABASE {DBNAME}")
        os.environ["DATABASE_URL"] = f"{args.postgres.rstrip('/')}/{DBNAME}"
        try:
            run(args)
        finally:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DBNAME}")
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/registry.sqlite3"
        run(args)


if __name__ == "__main__":
    main()
