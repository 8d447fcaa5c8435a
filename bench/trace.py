"""Traceability benchmark on PostgreSQL (a throw-away database, partitioned like production):

1. capture throughput: EPCIS documents of 1,000 events without eventIDs through the same path as
   POST /epcis/capture (parse, GS1 schema validation with formats, key checks, hash ID, ownership
   checks, one transaction), by 1 process and by 2 processes at once (the machine's two cores);
2. a 5-hop trace back among 1,000,000 stored events (nscl.trace.tracing.trace, as an officer);
3. GET /epcis/events with EQ_bizStep and a one-week eventTime window among 1,000,000 events, the
   first page (30 events) through the whole view (Django test client), as an officer and as an
   enterprise (its own events plus those shared with it).

The 1,000,000 events are written by COPY (scripted, no validation) as 55,556 lineages of 18 events:
a harvest lot (commissioning, shipping, receiving), then five transformations L0 → L1 → ... → L5,
each output lot shipped and received; the first transformation also takes a neighbour's harvest lot
(blending), so tracing back from L5 crosses 5 hops and reaches 7 lots. Events
spread over 12 months of event and record time (12 monthly partitions), 40 owners with their GLNs.

    .venv/bin/python bench/trace.py [--postgres postgres://postgres@127.0.0.1:5432] [--events 1000000]
        creates and drops database nscl_bench_trace

Goals: capture ≥ 5,000 events/s with 2 processes (issue 19); trace ≤ 50 ms median;
query first page ≤ 100 ms median.
"""
from __future__ import annotations

import argparse
import datetime
import io
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DBNAME = "nscl_bench_trace"
OWNERS = 40
LINEAGE = 18  # events per lineage
START = datetime.datetime(2025, 12, 1, tzinfo=datetime.timezone.utc)
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]


def prefix(owner):
    return f"893{owner + 1000:04d}"  # 7-digit invented company prefixes 8931000..


def setup_registry():
    from django.contrib.auth import get_user_model

    from nscl.accounts.models import Profile, Role
    from nscl.enterprises.models import Enterprise
    from nscl.trace.models import CompanyPrefix, Location, Product, Share
    from nscl.traceability import keys

    firms = Enterprise.objects.bulk_create([Enterprise(tax_code=f"09{i:08d}", name=f"Bench {i}") for i in range(OWNERS)])
    firms = list(Enterprise.objects.order_by("pk"))
    for i, f in enumerate(firms):
        # captures must fall under a verified GS1 company prefix of their owner (issue 19, item 4)
        CompanyPrefix.objects.create(enterprise=f, prefix=prefix(i), status=CompanyPrefix.Status.VERIFIED)
        Location.objects.create(gln=keys.with_check_digit(prefix(i) + "00001"), name=f"Site {i}", owner=f)
        Product.objects.create(gtin=keys.with_check_digit("0" + prefix(i) + "00001"), name=f"Product {i}", owner=f)
        Share.objects.create(owner=firms[(i - 1) % OWNERS], partner=f)  # each shares with the next
    officer = get_user_model().objects.create(username="bench-officer")
    Profile.objects.create(user=officer, role=Role.OFFICER)
    return firms, officer


def ensure_months(months):
    from django.db import connection

    from nscl.trace import partitions

    day = START.date()
    for _ in range(months + 2):
        name = partitions.partition_name(day)
        if name not in partitions.existing():
            partitions._create(connection, name, day, partitions.next_month(day))
        day = partitions.next_month(day)


def bulk_load(n_events, firms):
    """COPY `n_events` scripted events (see the module docstring) into the registry, events and index."""
    from django.db import connection

    from nscl.traceability import keys

    rnd = random.Random(7)
    lineages = -(-n_events // LINEAGE)
    span = 365 * 24 * 3600
    sgln = [keys.Key("sgln", gln=keys.with_check_digit(prefix(i) + "00001"), extension="0").epc_urn for i in range(OWNERS)]
    gtins = [keys.with_check_digit("0" + prefix(i) + "00001") for i in range(OWNERS)]
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence('trace_eventid', 'id'))")
        first_id = cur.fetchone()[0]
    next_id = first_id
    reg_buf, ev_buf, id_buf = io.StringIO(), io.StringIO(), io.StringIO()
    written, flushed = 0, 0

    def lot(g, owner, name):
        return keys.Key("lgtin", gtin=g, lot=name).epc_urn

    def add(doc, owner, when, identifiers):
        nonlocal next_id, written
        eid = f"urn:uuid:bench-{next_id}"
        doc["eventID"] = eid
        doc["eventTime"] = when.isoformat().replace("+00:00", "Z")
        doc["eventTimeZoneOffset"] = "+07:00"
        doc["readPoint"] = doc["bizLocation"] = {"id": sgln[owner]}
        record = when + datetime.timedelta(hours=2)
        reg_buf.write(f"{next_id}\t{eid}\t{record.isoformat()}\t{firms[owner].pk}\n")
        text = json.dumps(doc).replace("\\", "\\\\")
        ev_buf.write(f"{next_id}\t{doc['type']}\t{when.isoformat()}\t+07:00\t{record.isoformat()}\t{doc.get('action', '')}\t"
                     f"{doc['bizStep']}\t{doc['disposition']}\t{sgln[owner]}\t{sgln[owner]}\t{text}\t{firms[owner].pk}\n")
        for role, ident in identifiers:
            id_buf.write(f"{next_id}\t{role}\t{ident}\n")
        next_id += 1
        written += 1

    def flush(force=False):
        nonlocal flushed
        if not force and written - flushed < 50_000:
            return
        flushed = written
        with connection.cursor() as cur:
            for table, cols, buf in (("trace_eventid", "id, event_id, record_time, owner_id", reg_buf),
                                     ("trace_event", "id, event_type, event_time, event_timezone_offset, record_time, action, "
                                      "biz_step, disposition, read_point, biz_location, document, owner_id", ev_buf),
                                     ("trace_eventidentifier", "event_id, role, identifier", id_buf)):
                buf.seek(0)
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    copy.write(buf.read())
                buf.seek(0)
                buf.truncate()

    for k in range(lineages):
        t = START + datetime.timedelta(seconds=rnd.randrange(span - 20 * 24 * 3600))
        owners = [(k * 5 + step) % OWNERS for step in range(6)]
        lots = [lot(gtins[owners[s]], owners[s], f"K{k}S{s}") for s in range(6)]
        neighbour = lot(gtins[owners[0]], owners[0], f"K{max(k - 1, 0)}S0")
        q = lambda c: [{"epcClass": c, "quantity": 100, "uom": "KGM"}]  # noqa: E731
        add({"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
             "quantityList": q(lots[0])}, owners[0], t, [("epc_class", lots[0])])
        for s in range(6):
            when = t + datetime.timedelta(days=3 * s)
            if s:
                inputs = [lots[s - 1]] + ([neighbour] if s == 1 and k else [])
                add({"type": "TransformationEvent", "bizStep": "commissioning", "disposition": "active",
                     "inputQuantityList": [{"epcClass": i, "quantity": 50} for i in inputs],
                     "outputQuantityList": q(lots[s])}, owners[s], when + datetime.timedelta(hours=4),
                    [("input_class", i) for i in inputs] + [("output_class", lots[s])])
            add({"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
                 "quantityList": q(lots[s])}, owners[s], when + datetime.timedelta(days=1), [("epc_class", lots[s])])
            nxt = owners[min(s + 1, 5)]
            add({"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
                 "quantityList": q(lots[s])}, nxt, when + datetime.timedelta(days=2), [("epc_class", lots[s])])
            flush()
        if written >= n_events:
            break
    flush(force=True)
    with connection.cursor() as cur:
        cur.execute("SELECT setval(pg_get_serial_sequence('trace_eventid', 'id'), %s)", [next_id])
        cur.execute("ANALYZE trace_eventid; ANALYZE trace_event; ANALYZE trace_eventidentifier")
    done = written // LINEAGE
    return written, [lot(gtins[(k * 5 + 5) % OWNERS], (k * 5 + 5) % OWNERS, f"K{k}S5") for k in range(1, done - 1)]


def capture_documents(owner_index, firm_pk, docs, events_per_doc, seed):
    """Build `docs` documents of fresh events for one owner (outside the timing)."""
    from nscl.traceability import keys

    rnd = random.Random(seed)
    site = keys.Key("sgln", gln=keys.with_check_digit(prefix(owner_index) + "00001"), extension="0").epc_urn
    gtin = keys.with_check_digit("0" + prefix(owner_index) + "00001")
    out = []
    for d in range(docs):
        events = []
        for i in range(events_per_doc):
            serials = [keys.Key("sgtin", gtin=gtin, serial=f"S{seed}-{d}-{i}-{j}").epc_urn for j in range(rnd.randint(1, 4))]
            events.append({"type": "ObjectEvent", "action": "OBSERVE",
                           "eventTime": (START + datetime.timedelta(seconds=rnd.randrange(10**7))).isoformat(),
                           "eventTimeZoneOffset": "+07:00", "epcList": serials,
                           "bizStep": rnd.choice(["shipping", "receiving", "storing", "inspecting"]),
                           "disposition": "in_progress", "readPoint": {"id": site}, "bizLocation": {"id": site},
                           "bizTransactionList": [{"type": "po", "bizTransaction": f"urn:epcglobal:cbv:bt:{gtin[1:14]}:{d}"}]})
        out.append(json.dumps({"@context": CONTEXT, "type": "EPCISDocument", "schemaVersion": "2.0",
                               "creationDate": "2026-11-27T00:00:00Z", "epcisBody": {"eventList": events}}).encode())
    return out


def _capture_worker(args):
    owner_index, firm_pk, docs, per_doc, seed, barrier_time = args
    import django

    django.setup()
    from django.db import connection

    from nscl.enterprises.models import Enterprise
    from nscl.trace import store
    from nscl.trace.access import Actor

    connection.close()
    bodies = capture_documents(owner_index, firm_pk, docs, per_doc, seed)
    actor = Actor(enterprises=[Enterprise.objects.get(pk=firm_pk)], source="bench")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    while time.time() < barrier_time:
        time.sleep(0.01)
    t, cpu, server = time.perf_counter(), time.process_time(), backend_cpu(backend)
    stored = 0
    for b in bodies:
        stored += store.capture(b, actor).stored_count
    return (stored, time.perf_counter() - t, time.time(), time.process_time() - cpu, backend_cpu(backend) - server)


def backend_cpu(pid) -> float:
    """CPU seconds (user + system) a PostgreSQL backend on this machine has used."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def capture_bench(firms, processes, docs, per_doc, seed):
    from django.db import connections

    connections.close_all()
    start_at = time.time() + 8  # everyone has built its documents by then
    jobs = [(i, firms[i].pk, docs, per_doc, seed * 100 + i, start_at) for i in range(processes)]
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_capture_worker, jobs)
    stored = sum(r[0] for r in results)
    wall = max(r[2] for r in results) - start_at
    cpu = sum(r[3] + r[4] for r in results)  # Python and PostgreSQL, all processes
    return stored, wall, cpu


def phases(per_doc):
    """Where a single-process capture spends its time, per event (ms)."""
    from nscl.enterprises.models import Enterprise
    from nscl.trace import store
    from nscl.trace.access import Actor
    from nscl.traceability import epcis, hashing

    warm, body = capture_documents(3, None, 2, per_doc, 999)
    epcis.validate_document(epcis.parse_json(warm))  # the schemas compiled once, as in a server
    out = {}
    t = time.perf_counter()
    doc = epcis.parse_json(body)
    out["parse"] = time.perf_counter() - t
    t = time.perf_counter()
    problems = epcis.validate_document(doc)
    out["validate"] = time.perf_counter() - t
    assert not problems, problems[:3]
    events = list(epcis.iter_events(doc))
    t = time.perf_counter()
    for e in events:
        hashing.event_hash_id(e, doc["@context"])
    out["hash"] = time.perf_counter() - t
    t = time.perf_counter()
    for e in events:
        store.index_rows(e)
    out["index rows"] = time.perf_counter() - t
    prepared = store.prepare(doc)
    actor = Actor(enterprises=[Enterprise.objects.order_by("pk")[3]], source="bench")
    t = time.perf_counter()
    store.authorise(prepared, actor)
    out["authorise"] = time.perf_counter() - t
    t = time.perf_counter()
    store._store(prepared, actor, "bench")
    out["store"] = time.perf_counter() - t
    return {k: 1000 * v / len(events) for k, v in out.items()}


def timed(fn, runs):
    times = []
    for i in range(runs):
        t = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), max(times)


def run(args):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nscl.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from nscl.trace import tracing
    from nscl.trace.access import Actor
    from nscl.trace.models import Event

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", interactive=False, verbosity=0)
    firms, officer = setup_registry()
    ensure_months(12)
    t = time.perf_counter()
    n, tails = bulk_load(args.events, firms)
    load_s = time.perf_counter() - t
    rows = []
    print(f"\n{connection.vendor}: {n:,} events loaded by COPY in {load_s:.0f} s "
          f"({len(__import__('nscl.trace.partitions', fromlist=['x']).existing())} partitions)")

    # 1. capture
    from nscl.trace.store import _collector_paused

    with _collector_paused():  # as store.capture runs
        per_event = phases(args.per_doc)
    for processes in (1, 2):
        stored, wall, cpu = capture_bench(firms, processes, args.docs, args.per_doc, processes)
        rows.append((f"capture, {processes} process{'es' if processes > 1 else ''} "
                     f"({processes * args.docs} × {args.per_doc} events)", f"{stored / wall:,.0f} events/s",
                     "≥ 5,000 events/s" if processes == 2 else ""))
        if processes == 2:
            rows.append(("  CPU per event (Python + PostgreSQL) → capacity of 2 idle cores",
                         f"{1000 * cpu / stored:.2f} ms → {2 * stored / cpu:,.0f}/s", ""))
    connection.close()

    # 2. trace back 5 hops
    rnd = random.Random(3)
    starts = rnd.sample(tails, args.runs)
    officer_actor = Actor(sees_all=True)
    check = tracing.trace(starts[0], "back", officer_actor)
    hops = len(check.result.nodes)
    med, worst = timed(lambda i: tracing.trace(starts[i], "back", officer_actor), args.runs)
    rows.append((f"trace back 5 hops ({hops} lots, {len(check.result.events)} events)", f"{med:.1f} ms (max {worst:.0f})",
                 "≤ 50 ms median"))

    # 3. query first page
    client = Client()
    client.force_login(officer)
    windows = [(START + datetime.timedelta(days=rnd.randrange(300))) for _ in range(args.runs)]

    def query(i, c=client):
        w = windows[i]
        r = c.get("/epcis/events", {"EQ_bizStep": "shipping", "GE_eventTime": w.isoformat(),
                                    "LT_eventTime": (w + datetime.timedelta(days=7)).isoformat()})
        assert r.status_code == 200 and len(r.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 30
    med, worst = timed(query, args.runs)
    rows.append(("GET /epcis/events EQ_bizStep + 1 week, page 1 (officer)", f"{med:.1f} ms (max {worst:.0f})",
                 "≤ 100 ms median"))
    key_client = Client()
    from nscl.trace.models import ApiKey

    _, text = ApiKey.issue(firms[5], "bench")
    key_client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {text}"

    def query_as_enterprise(i):
        w = windows[i]
        r = key_client.get("/epcis/events", {"EQ_bizStep": "shipping", "GE_eventTime": w.isoformat(),
                                             "LT_eventTime": (w + datetime.timedelta(days=30)).isoformat()})
        assert r.status_code == 200
    med, worst = timed(query_as_enterprise, args.runs)
    rows.append(("same, one enterprise's API key (own + shared, 30 days)", f"{med:.1f} ms (max {worst:.0f})",
                 "≤ 100 ms median"))
    total = Event.objects.count()
    print(f"\nLoad average during the run (other work on this machine): {os.getloadavg()}")
    print("\nPer event in one process: " + ", ".join(f"{k} {v:.2f} ms" for k, v in per_event.items()))
    print(f"Events stored at the end: {total:,}\n")
    print(f"| {'measure':62s} | {'result':24s} | {'goal':18s} |")
    print(f"|{'-' * 64}|{'-' * 26}|{'-' * 20}|")
    for label, result, goal in rows:
        print(f"| {label:62s} | {result:24s} | {goal:18s} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432",
                    help="server URL without database name")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--docs", type=int, default=5, help="documents per capture process")
    ap.add_argument("--per-doc", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="nscl-bench-trace-")
    os.environ["NSCL_VAR_DIR"] = tmp
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
        if not args.keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DBNAME}")


if __name__ == "__main__":
    main()
