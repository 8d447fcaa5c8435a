"""Trace back and forward on the demo's longan chain (known answer: harvest lot N and N-1 go into
packed lot N; each packed lot onto two pallets, numbered from 1), the graph page and JSON, the recall
answer and its exports; what an enterprise sees of other enterprises' events."""
import io
from urllib.parse import quote

import pytest
from django.test import Client
from openpyxl import load_workbook

from nscl.trace import demo
from nscl.trace.models import Location, Share

pytestmark = pytest.mark.django_db

HN = "urn:epc:class:lgtin:8930001.000001.HN2607{:02d}"
PH = "urn:epc:class:lgtin:8930002.000001.PH2607{:02d}"
PALLET = "urn:epc:id:sscc:8930002.{:010d}"


@pytest.fixture
def longan(db):
    demo.load()
    return demo


@pytest.fixture
def staff(officer):
    client = Client()
    client.force_login(officer)
    return client


def test_trace_forward_from_the_recalled_harvest_lot(longan, staff):
    """Harvest lot of 28/07 (day 4) went into the boxes of 28/07 and, as the remainder, of 30/07; those
    boxes onto pallets 9-10 and 11-12."""
    assert longan.recalled_lot() == HN.format(28)
    r = staff.get("/trace/graph.json", {"id": HN.format(28), "direction": "forward"})
    graph = r.json()
    assert {n["epc"] for n in graph["nodes"]} == {HN.format(28), PH.format(28), PH.format(30),
                                                   *(PALLET.format(i) for i in (9, 10, 11, 12))}
    edges = {(e["source"], e["target"], e["relation"]) for e in graph["edges"]}
    assert (HN.format(28), PH.format(28), "transformed_into") in edges
    assert (HN.format(28), PH.format(30), "transformed_into") in edges
    assert (PH.format(30), PALLET.format(12), "aggregated_into") in edges
    # the lot's own 4 events (harvest, shipping, receiving, recall) + 2 transformations + 4 aggregations
    # + per pallet pair: packer shipping, cold receiving, storing, shipping, exporter receiving, shipping (2 × 6)
    assert len(graph["events"]) == 4 + 2 + 4 + 12


def test_trace_back_from_a_box_lot_and_a_pallet(longan, staff):
    back = staff.get("/trace/graph.json", {"id": PH.format(30), "direction": "back"}).json()
    assert {n["epc"] for n in back["nodes"]} == {PH.format(30), HN.format(30), HN.format(28)}
    # a pallet's contents, then where they came from; the Digital Link form of the start is the same
    digital_link = "https://id.gs1.org/00/089300020000000093"
    back = staff.get("/trace/graph.json", {"id": digital_link, "direction": "back"}).json()
    assert {n["epc"] for n in back["nodes"]} == {PALLET.format(9), PH.format(28), HN.format(28), HN.format(26)}
    r = staff.get("/trace/graph.json", {"id": "urn:epc:id:sscc:8930002.0000000091", "direction": "back"})
    assert r.status_code == 200  # an SSCC never captured: an empty trace of just the start
    r = staff.get("/trace/graph.json", {"id": "https://id.gs1.org/01/08930002000018/10/X", "direction": "back"})
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"  # check digit is 7


def test_graph_page_draws_svg(longan, staff):
    r = staff.get("/trace/graph/", {"id": HN.format(28), "direction": "forward"})
    page = r.content.decode()
    assert r.status_code == 200 and "<svg" in page and page.count("<rect") == 7
    assert "Nhãn lồng Hưng Yên hộp 1 kg" in page and "Kho lạnh Phố Nối" in page
    assert staff.get("/trace/graph/", {"id": "urn:epc:id:sgtin:123", "direction": "back"}).status_code == 400
    assert staff.get("/trace/graph/").status_code == 200  # the search form


def test_recall_answer_and_exports(longan, staff):
    r = staff.get("/trace/recall/", {"id": HN.format(28)})
    page = r.content.decode()
    assert r.status_code == 200
    for text in ("PH260728", "PH260730", "8930002.0000000012", "Vườn nhãn Hồng Nam", "Xưởng sơ chế, đóng gói Phố Hiến",
                 "Kho lạnh Phố Nối", "Kho hàng xuất khẩu Mỹ Hào", "Công ty Cổ phần Xuất khẩu Nông sản Hưng Yên (minh họa)",
                 "urn:epc:id:pgln:9501101.00000"):  # the importer abroad: an officer sees every party
        assert text in page, text
    r = staff.get("/trace/recall/", {"id": HN.format(28), "format": "xlsx"})
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Nhóm" and [row[4] for row in rows if row[0] == "Lô"] == ["HN260728", "PH260728", "PH260730"]
    assert len([row for row in rows if row[0] == "Kiện hàng"]) == 4
    assert {row[7] for row in rows if row[0] == "Địa điểm"} == {"Vườn nhãn Hồng Nam", "Xưởng sơ chế, đóng gói Phố Hiến",
                                                              "Kho lạnh Phố Nối", "Kho hàng xuất khẩu Mỹ Hào"}
    r = staff.get("/trace/recall/", {"id": HN.format(28), "format": "csv"})
    assert r["Content-Type"].startswith("text/csv") and r.content.startswith("\ufeffNhóm".encode())
    assert "thu-hoi-" in r["Content-Disposition"]
    index = staff.get("/trace/").content.decode()
    assert HN.format(28) in index and "Đang thu hồi" in index


def test_an_enterprise_traces_through_what_is_shared_with_it(longan, enterprise_user):
    """The cold store sees its own events and those the packer shares with it, not the orchard's."""
    cold = Location.objects.get(name="Kho lạnh Phố Nối").owner
    client = Client()
    client.force_login(enterprise_user(cold))
    graph = client.get("/trace/graph.json", {"id": PH.format(28), "direction": "back"}).json()
    assert {n["epc"] for n in graph["nodes"]} == {PH.format(28), HN.format(28), HN.format(26)}  # via the packer
    Share.objects.filter(partner=cold).delete()
    graph = client.get("/trace/graph.json", {"id": PH.format(28), "direction": "back"}).json()
    assert [n["epc"] for n in graph["nodes"]] == [PH.format(28)] and graph["events"] == []
    # viewers and partners have no trace pages; anonymous users are sent to log in
    assert Client().get("/trace/").status_code == 302


def test_event_link_from_the_graph(longan, staff):
    graph = staff.get("/trace/graph.json", {"id": HN.format(20), "direction": "back"}).json()
    first = graph["events"][0]
    assert staff.get("/epcis/events/" + quote(first, safe="")).status_code == 200
