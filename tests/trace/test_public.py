"""The consumer page (what Circular 02/2024/TT-BKHCN asks, nothing private), its JSON-LD passport,
and the GS1 Digital Link resolver with its linkset."""
import json
import re

import pytest
from django.test import Client

from nscl.trace import demo

pytestmark = pytest.mark.django_db

BOX_GTIN = "08930002000017"


@pytest.fixture
def longan(db):
    demo.load()


def jsonld(html):
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def test_product_page_shows_what_the_circular_requires(longan):
    r = Client().get(f"/trace/p/{BOX_GTIN}/", {"lot": "PH260720"})
    page = r.content.decode()
    assert r.status_code == 200
    for text in ("Nhãn lồng Hưng Yên hộp 1 kg",  # product name
                 "Công ty TNHH Sơ chế Nông sản Phố Hiến (minh họa)", "Phường Phố Hiến, tỉnh Hưng Yên",  # producer
                 "urn:epc:class:lgtin:8930002.000001.PH260720", "PH260720",  # traceability code, lot
                 "20/07/2026",  # production date (packing), and expiry from the ILMD (+21 days)
                 "10/08/2026", "21 ngày kể từ ngày sản xuất", "VietGAP", "HACCP", "HACCP-0902 (minh họa)",
                 "Vườn nhãn Hồng Nam", "Xưởng sơ chế, đóng gói Phố Hiến", "Rửa sạch trước khi ăn."):
        assert text in page, text
    # after the goods left the producer, the steps stay (stored, received) but not who its customers are
    assert "Kho lạnh Phố Nối" not in page and "Kho hàng xuất khẩu Mỹ Hào" not in page
    assert "Đơn vị tiếp nhận (không nêu tên)" in page
    stages = re.findall(r"<li><strong>(.*?)</strong>", page)
    # harvest at the orchard, its shipping, receiving and packing, two pallets, then the pallets' journey
    assert stages[:4] == ["Khởi tạo mã / sản xuất", "Xuất hàng", "Nhận hàng", "Khởi tạo mã / sản xuất"]
    assert stages.count("Lưu kho") == 1 and stages.count("Nhận hàng") == 3
    assert "đang bị thu hồi" not in page


def test_product_page_shows_nothing_private(longan):
    page = Client().get(f"/trace/p/{BOX_GTIN}/", {"lot": "PH260720"}).content.decode()
    for private in ("PO-", "INV-",  # business transactions
                    "9501101",  # the importer abroad (a customer)
                    "pgln",  # parties named in sources/destinations
                    "quantity", "KGM", ">760<", ">380<", ">800<",  # quantities
                    "bizTransaction", "destination", "owning_party"):
        assert private not in page, private
    data = jsonld(page)
    text = json.dumps(data, ensure_ascii=False)
    assert "PO-" not in text and "9501101" not in text and "quantity" not in text


def test_passport_json_ld(longan):
    data = jsonld(Client().get(f"/trace/p/{BOX_GTIN}/", {"lot": "PH260720"}).content.decode())
    assert data["@context"] == {"@vocab": "https://schema.org/", "gs1": "https://gs1.org/voc/"}
    assert data["@type"] == ["SomeProducts", "gs1:Product"]  # one lot
    assert data["gtin"] == data["gs1:gtin"] == BOX_GTIN
    assert data["@id"] == data["hasGS1DigitalLink"] == f"http://testserver/01/{BOX_GTIN}/10/PH260720"
    assert data["manufacturer"]["name"] == "Công ty TNHH Sơ chế Nông sản Phố Hiến (minh họa)"
    assert data["countryOfOrigin"] == "Hưng Yên, Việt Nam" and data["productionDate"] == "2026-07-20"
    props = {p["name"]: p["value"] for p in data["additionalProperty"]}
    assert props == {"traceabilityCode": "urn:epc:class:lgtin:8930002.000001.PH260720", "lot": "PH260720",
                     "expirationDate": "2026-08-10", "shelfLife": 21}
    assert [c["name"] for c in data["hasCertification"]] == ["HACCP"]
    assert data["gs1:consumerSafetyInformation"] == "Rửa sạch trước khi ăn."
    english = Client()
    english.cookies["django_language"] = "en"
    data = jsonld(english.get(f"/trace/p/{BOX_GTIN}/", {"lot": "PH260720"}).content.decode())
    assert data["name"] == "Hung Yen longan, 1 kg box" and data["gs1:consumerSafetyInformation"] == "Wash before eating."


def test_recalled_lot_is_flagged(longan):
    """Boxes of 30/07 hold the remainder of the recalled harvest lot of 28/07."""
    page = Client().get(f"/trace/p/{BOX_GTIN}/", {"lot": "PH260730"}).content.decode()
    assert "đang bị thu hồi" in page


def test_page_without_lot_and_bad_input(longan):
    r = Client().get(f"/trace/p/{BOX_GTIN}/")
    assert r.status_code == 200 and "Quét mã QR" in r.content.decode()
    assert Client().get("/trace/p/08930002000018/").status_code == 404  # wrong check digit
    assert Client().get("/trace/p/08930009000012/").status_code in (404,)  # not in any catalogue
    assert Client().get(f"/trace/p/{BOX_GTIN}/", {"lot": "Lô có dấu"}).status_code == 400


def test_resolver_redirects_and_gives_the_linkset(longan):
    r = Client().get(f"/01/{BOX_GTIN}/10/PH260720")
    assert r.status_code == 307 and r["Location"] == f"/trace/p/{BOX_GTIN}/?lot=PH260720"
    assert 'rel="linkset"' in r["Link"]
    r = Client().get(f"/01/{BOX_GTIN}/10/PH260720", HTTP_ACCEPT="application/linkset+json")
    assert r.status_code == 200 and r["Content-Type"] == "application/linkset+json"
    [links] = r.json()["linkset"]
    assert links["anchor"] == f"http://testserver/01/{BOX_GTIN}/10/PH260720"
    assert links["https://gs1.org/voc/pip"][0]["href"] == f"http://testserver/trace/p/{BOX_GTIN}/?lot=PH260720"
    assert links["https://gs1.org/voc/defaultLink"] == links["https://gs1.org/voc/pip"]
    assert "MATCH_anyEPCClass=urn%3Aepc%3Aclass%3Algtin%3A8930002.000001.PH260720" in \
        links["https://gs1.org/voc/traceability"][0]["href"]
    assert Client().get(f"/01/{BOX_GTIN}/10/PH260720", {"linkType": "all"})["Content-Type"] == "application/linkset+json"
    r = Client().get(f"/01/{BOX_GTIN}/21/A%2F7")  # a serial with an encoded slash (decoded by WSGI: the last AI takes the rest)
    assert r.status_code == 307 and r["Location"] == f"/trace/p/{BOX_GTIN}/?serial=A%2F7"
    assert Client().get("/01/08930002000018/10/PH260720").status_code == 404
    assert Client().get(f"/01/{BOX_GTIN}").status_code == 307
