"""The bulk path of the imports (issue 18, item 7): rows and audit entries go in by COPY /
executemany (`common.bulk`), and what is stored, audit entries included, is what saving each
object through the ORM would store. 50,000 rows: bench/registry.py (at most 10 s on SQLite, 15 s on
PostgreSQL); here a guard of the cost per row."""
import datetime
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from stdnum.vn import mst as stdnum_mst

from nscl.accounts.models import Role
from nscl.audit.api import acting_as, record_bulk
from nscl.audit.models import AuditEntry
from nscl.audit.signals import snapshot
from nscl.common.bulk import JsonText, create_objects, insert_rows, maker, pks_by
from nscl.enterprises.importer import run_import
from nscl.enterprises.models import Enterprise, IndustryCode, YearlyFigures

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _past_years_open(settings):
    """These tests import past years' figures to test the import itself; reporting years closing
    (and refusing such rows) is tests/enterprises/test_periods.py."""
    settings.NSCL_FIGURES_CLOSE = ""


def codes(n, start=1_000_000):
    out, body = [], start
    while len(out) < n:
        body += 1
        check = stdnum_mst.calc_check_digit(f"01{body:07d}")
        if len(check) == 1:
            out.append(f"01{body:07d}{check}")
    return out


def csv(rows, header="tax_code,name,ownership,vsic,address"):
    return ("\n".join([header, *rows]) + "\n").encode()


def _entry(obj):
    return AuditEntry.objects.get(model=obj._meta.label, object_id=str(obj.pk))


def test_an_import_audits_each_object_as_saving_it_would(make_user):
    user = make_user(Role.OFFICER)
    a, b = codes(2)
    with acting_as(user):
        r = run_import(csv([f"{a},Công ty TNHH Sao Vàng,private,10790,Hưng Yên,",
                            f"{b},HTX Phố Hiến,cooperative,,,trade_services"],
                           "tax_code,name,ownership,vsic,address,sector_group"), "dn.csv")
    assert r.ok and r.created == 2
    for e in Enterprise.objects.filter(tax_code__in=[a, b]):
        entry = _entry(e)
        assert (entry.action, entry.user_id, entry.username, entry.object_repr, entry.before) == \
            ("create", user.pk, user.username, str(e), None)
        assert entry.after == snapshot(e) and entry.after["tax_code"] == e.tax_code
        assert entry.after["created_at"] == snapshot(e)["created_at"] is not None
    code = IndustryCode.objects.get(enterprise__tax_code=a)
    assert (code.version, code.code, code.is_primary) == ("2025", "10790", True)
    assert _entry(code).after == snapshot(code) and _entry(code).action == "create"
    # figures: decimals and the size class
    with acting_as(user):
        r = run_import(csv([f"{a},2024,12,3000000000"], "tax_code,year,employees,revenue"), "so-lieu.csv",
                       kind="figures")
    f = YearlyFigures.objects.get(enterprise__tax_code=a, year=2024)
    assert r.ok and (f.employees, f.revenue) == (12, Decimal(3_000_000_000))
    after = _entry(f).after  # the values as the file gave them (employees "12"; the column keeps 12.0)
    assert (after["enterprise"], after["year"], after["employees"], after["revenue"]) == (f.enterprise_id, 2024, "12",
                                                                                        "3000000000")
    # a change: one update entry, before and after as stored
    with acting_as(user):
        r = run_import(csv([f"{a},Công ty TNHH Sao Vàng Mới,private,10790,Hưng Yên"]), "dn.csv")
    e = Enterprise.objects.get(tax_code=a)
    update = AuditEntry.objects.get(model="enterprises.Enterprise", object_id=str(e.pk), action="update")
    assert r.updated == 1 and (update.before["name"], update.after["name"]) == ("Công ty TNHH Sao Vàng", e.name)
    assert e.search_text == "cong ty tnhh sao vang moi"


def test_insert_rows_stores_values_as_the_orm_does():
    at = timezone.now()
    saved = AuditEntry.objects.create(action=AuditEntry.Action.CONFIRM, model="m", object_id="1", object_repr="ổ",
                                      before={"a": [1, "2"], "b": None}, after=None)
    insert_rows(AuditEntry, ["at", "action", "username", "model", "object_id", "object_repr", "before", "after"],
                [(saved.at, AuditEntry.Action.CONFIRM, "", "m", "2", "ổ", {"a": [1, "2"], "b": None}, None),
                 (at, "create", "system", "m", "3", "x", None, JsonText('{"k": "v"}'))])
    copy = AuditEntry.objects.get(model="m", object_id="2")
    saved.refresh_from_db()
    assert (copy.at, copy.action, copy.before, copy.after) == (saved.at, "confirm", saved.before, None)
    assert AuditEntry.objects.get(model="m", object_id="3").after == {"k": "v"}
    assert insert_rows(AuditEntry, ["at", "action"], []) == 0 and pks_by(AuditEntry, ("object_id",), []) == {}
    day = datetime.date(2020, 2, 29)
    make = maker(Enterprise, "tax_code", "registered_on", "is_demo")
    ents = [Enterprise(tax_code=c, name="Công ty", registered_on=day, is_demo=True, size_year=2024) for c in codes(2)]
    ents[1] = make(ents[1].tax_code, day, True)
    ents[1].name, ents[1].size_year = "Công ty", 2024
    assert snapshot(ents[1]) == {**snapshot(ents[0]), "tax_code": ents[1].tax_code}  # the keyword defaults
    create_objects(Enterprise, ents, "tax_code")
    for e in ents:
        stored = Enterprise.objects.get(pk=e.pk)
        assert (stored.tax_code, stored.registered_on, stored.is_demo, stored.size_year, stored.created_at) == \
            (e.tax_code, day, True, 2024, e.created_at)


def test_rows_made_with_queries_do_not_block_the_copy():
    """Making a row may query the database (an audited object's str()); on PostgreSQL the rows
    were sent while they were made, in the middle of the COPY, and the connection waited for itself."""
    e = Enterprise.objects.create(tax_code=codes(1)[0], name="Công ty")

    def rows():
        for i in range(3):
            yield (timezone.now(), "create", "system", "m", str(i), str(Enterprise.objects.get(pk=e.pk)), None, None)
    assert insert_rows(AuditEntry, ["at", "action", "username", "model", "object_id", "object_repr", "before",
                                    "after"], rows()) == 3
    assert AuditEntry.objects.filter(model="m").count() == 3
    # an object with deferred fields: its snapshot loads them, so its entries are not streamed
    record_bulk([("update", Enterprise.objects.only("pk").get(pk=e.pk), snapshot(e))])
    entries = AuditEntry.objects.filter(model="enterprises.Enterprise", object_id=str(e.pk)).order_by("pk")
    assert [x.action for x in entries] == ["create", "update"] and entries[1].after == snapshot(e)


def test_the_cost_per_row_stays_low():
    """5,000 new enterprises with their industry and 10,000 audit entries, in CPU time (the
    machine's other load counts less than in wall time): through the ORM's bulk_create 1.26 s on
    SQLite and 1.36 s on PostgreSQL, by the bulk path 0.52 s and 0.50 s."""
    rows = [f"{c},Công ty TNHH Hưng Yên {i},private,{'10790' if i % 2 else '46510'},Phố Hiến"
            for i, c in enumerate(codes(5000))]
    data = csv(rows)
    start = time.process_time()
    r = run_import(data, "dn.csv")
    cpu = time.process_time() - start
    assert r.ok and r.created == 5000 and IndustryCode.objects.filter(is_primary=True).count() >= 5000
    assert AuditEntry.objects.filter(model="enterprises.Enterprise", action="create").count() == 5000
    assert cpu < 0.9, f"{connection.vendor}: {cpu:.2f} s of CPU for 5,000 rows"



# SQLite's page cache: a test only where there is one (the PostgreSQL pass has none to check)
if connection.vendor == "sqlite":
    def test_the_sqlite_page_cache_is_larger_only_while_rows_go_in():
        from nscl.common.bulk import _sqlite_cache

        def cache(cur):
            cur.execute("PRAGMA cache_size")
            return cur.fetchone()[0]
        with connection.cursor() as cur:
            before = cache(cur)
            with _sqlite_cache(cur):
                assert cache(cur) == -16384
            assert cache(cur) == before == -2000
            cur.execute("PRAGMA cache_size = -50000")
            with _sqlite_cache(cur):
                assert cache(cur) == -50000  # never smaller
            cur.execute(f"PRAGMA cache_size = {before}")
