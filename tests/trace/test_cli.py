"""`nscl epcis validate|hash|capture|query` and `nscl trace back|forward` through nscl.cli.main, on
GS1's and OpenEPCIS's published documents (tests/data/epcis) and on a hand-built document."""
import json
from pathlib import Path

import pytest

from nscl.cli import main
from nscl.trace.models import Event

from .conftest import document, event, lgtin

DATA = Path(__file__).parents[1] / "data" / "epcis"
VALID = DATA / "gs1/JSON/Example_9.6.4-TransformationEvent.jsonld"
INVALID = DATA / "openepcis/Capture/Invalid/ObjectEvent_with_invalid_eventTime_format.json"


def run(capsys, *argv):
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


def test_validate(capsys):
    code, out, _ = run(capsys, "epcis", "validate", str(VALID))
    assert code == 0 and out.strip() == "Hợp lệ: 1 sự kiện."
    code, out, _ = run(capsys, "epcis", "validate", str(INVALID))
    assert code == 1 and "eventTime" in out
    code, out, _ = run(capsys, "epcis", "validate", str(INVALID), "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["valid"] is False and report["problems"][0]["path"].endswith("/eventTime")


def test_validate_malformed_and_missing(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": ')
    code, _, err = run(capsys, "epcis", "validate", str(bad))
    assert code == 1 and "dòng 1" in err
    code = run(capsys, "epcis", "validate", str(tmp_path / "none.json"))[0]
    assert "không đọc được" in str(code)


def test_hash_matches_the_reference_vectors(capsys):
    """The reference implementation's expected hash IDs (event-hash test vectors), one line per event."""
    source = DATA / "event-hash/examples/epcisDocWithVariousEventTypes.jsonld"
    expected = source.with_suffix(".hashes").read_text().split()
    code, out, _ = run(capsys, "epcis", "hash", str(source))
    assert code == 0 and out.split() == expected and len(expected) > 1


@pytest.mark.django_db
def test_capture_query_and_trace(capsys, chain, tmp_path):
    a, b = chain["A"], chain["B"]
    lot, box = lgtin(a["prefix"], "L1"), lgtin(b["prefix"], "B1")
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(document(
        event(place=a["place"], action="ADD", quantityList=[{"epcClass": lot, "quantity": 10}]),
        event("TransformationEvent", place=b["place"], when="2026-07-02T08:00:00+07:00",
              inputQuantityList=[{"epcClass": lot, "quantity": 10}], outputQuantityList=[{"epcClass": box, "quantity": 9}]),
    )))
    # as B alone, the orchard's location is not B's: refused, nothing stored
    code, out, err = run(capsys, "epcis", "capture", str(path), "--enterprise", b["enterprise"].tax_code)
    assert code == 1 and "sự kiện #0" in err and Event.objects.count() == 0
    code, out, _ = run(capsys, "epcis", "capture", str(path))  # the command line: each event for its location's owner
    assert code == 0 and out.startswith("Đã ghi 2 sự kiện mới (0 đã có)")
    assert sorted(Event.objects.values_list("owner__tax_code", flat=True)) == sorted(
        [a["enterprise"].tax_code, b["enterprise"].tax_code])
    code, out, _ = run(capsys, "epcis", "capture", str(path))
    assert code == 0 and "Đã ghi 0 sự kiện mới (2 đã có)" in out
    code, out, _ = run(capsys, "epcis", "query", "--param", "eventType=TransformationEvent", "--format", "json")
    events = json.loads(out)["events"]
    assert code == 0 and [e["type"] for e in events] == ["TransformationEvent"]
    code, out, _ = run(capsys, "epcis", "query", "--param", "MATCH_anyEPCClass=" + lot,
                       "--enterprise", chain["C"]["enterprise"].tax_code)
    assert json.loads(out) == {"events": []}  # C is shared nothing
    code, out, _ = run(capsys, "trace", "back", box, "--format", "json")
    graph = json.loads(out)
    assert code == 0 and [n["epc"] for n in graph["nodes"]] == [box, lot]
    assert graph["edges"] == [{"source": lot, "target": box, "relation": "transformed_into",
                               "event_id": events[0]["eventID"]}]
    assert len(graph["events"]) == 2
    code, out, _ = run(capsys, "trace", "forward", lot, "--format", "json")
    assert [n["epc"] for n in json.loads(out)["nodes"]] == [lot, box]
    code, _, _ = run(capsys, "epcis", "query", "--param", "EQ_nothing=1")
    assert "không được hỗ trợ" in str(code)
