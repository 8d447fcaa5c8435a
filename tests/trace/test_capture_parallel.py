"""10 identical captures at once against a running server (`nscl serve`, 2 gunicorn processes with
threads, its own database: SQLite file or PostgreSQL, as DATABASE_URL says): one stores the events,
the other nine give the same duplicate answer, none fails (issue 19; it was 6-7 answers 500 of 10
on PostgreSQL)."""
import json
import threading

import requests

from tests.deploy.server import Site

SETUP = """
from nscl.enterprises.models import Enterprise
from nscl.trace.models import ApiKey, CompanyPrefix, Location, Product
e = Enterprise.objects.create(tax_code="0100109106", name="Doanh nghiệp A")
CompanyPrefix.objects.create(enterprise=e, prefix="8931111", status="verified")
Location.objects.create(gln="8931111000011", name="Địa điểm A", owner=e)
Product.objects.create(gtin="08931111000011", name="Sản phẩm A", owner=e)
print(ApiKey.issue(e, "song song")[1])
"""


def harvest(lot, **fields):
    return {"type": "ObjectEvent", "eventTime": "2026-07-01T08:00:00+07:00", "eventTimeZoneOffset": "+07:00",
            "action": "ADD", "bizStep": "commissioning", "disposition": "active",
            "readPoint": {"id": "urn:epc:id:sgln:8931111.00001.0"}, "bizLocation": {"id": "urn:epc:id:sgln:8931111.00001.0"},
            "quantityList": [{"epcClass": f"urn:epc:class:lgtin:8931111.000001.{lot}", "quantity": 100, "uom": "KGM"}],
            **fields}


def test_parallel_identical_captures(tmp_path):
    site = Site(tmp_path, env={"NSCL_DEBUG": "0"})
    try:
        site.setup(demo=False)
        key = site.nscl("manage", "shell", "-c", SETUP).stdout.strip().splitlines()[-1]
        base = site.serve("--workers", "2", "--threads", "8")
        raw = json.dumps({"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
                          "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-07-01T09:00:00+07:00",
                          "epcisBody": {"eventList": [harvest("L1", eventID="urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
                                                      harvest("L2")]}}).encode()
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        requests.post(f"{base}/epcis/capture", data=b"{}", headers=headers, timeout=60)  # both workers warm
        barrier, answers = threading.Barrier(10), []

        def send():
            barrier.wait()
            r = requests.post(f"{base}/epcis/capture", data=raw, headers=headers, timeout=120)
            answers.append((r.status_code, r.json()))
        threads = [threading.Thread(target=send) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(status for status, _ in answers) == [202] * 10, (answers, site.log()[-3000:])
        counts = sorted((a["storedCount"], a["duplicateCount"]) for _, a in answers)
        assert counts == [(0, 2)] * 9 + [(2, 0)]
        found = requests.get(f"{base}/epcis/events", params={"EQ_eventID": "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"},
                             headers=headers, timeout=60).json()
        assert len(found["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 1
    finally:
        site.close()


def test_overlapping_captures_never_leave_the_collector_off():
    """The collector is process-wide and captures run in several server threads: the first to start
    turns it off, the last to end turns it on. Before, a capture that found it off (another running)
    could switch it off just after that one switched it back on, and then leave it off for ever."""
    import gc
    import random
    import threading

    from nscl.trace.store import _collector_paused

    assert gc.isenabled()
    for seed in range(20):
        order = list(range(6))
        random.Random(seed).shuffle(order)
        entered, leave = threading.Barrier(7), [threading.Event() for _ in order]

        def capture(i):
            with _collector_paused():
                entered.wait()
                leave[i].wait()

        threads = [threading.Thread(target=capture, args=(i,)) for i in order]
        for t in threads:
            t.start()
        entered.wait()
        assert not gc.isenabled()
        for i in order[:-1]:
            leave[i].set()
        for t, i in zip(threads, order):
            if i != order[-1]:
                t.join()
        assert not gc.isenabled()  # one capture still runs
        leave[order[-1]].set()
        for t in threads:
            t.join()
        assert gc.isenabled()
