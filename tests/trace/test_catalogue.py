"""An enterprise's catalogue pages: its users edit only their own (another's is 404, saves nothing),
GS1 check digits refused with a Vietnamese message, QR labels (PNG, SVG, PDF sheet), API keys shown
once and revocable, sharing."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from nscl.trace.models import ApiKey, Location, Product, Share

from .conftest import gtin

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(chain, enterprise_user):
    client = Client()
    client.force_login(enterprise_user(chain["A"]["enterprise"]))
    return client


def png_bytes():
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 0)).save(buf, format="PNG")
    return buf.getvalue()


def test_enterprise_user_edits_only_its_own(chain, own):
    a, c = chain["A"], chain["C"]
    assert own.get("/trace/enterprises/").status_code == 302  # straight to its own page
    page = own.get(f"/trace/enterprises/{a['enterprise'].pk}/").content.decode()
    assert "Sản phẩm A" in page and "Sản phẩm C" not in page
    assert own.get(f"/trace/enterprises/{c['enterprise'].pk}/").status_code == 404
    assert own.get(f"/trace/products/{c['product'].pk}/").status_code == 404
    r = own.post(f"/trace/products/{c['product'].pk}/edit/", {"gtin": c["product"].gtin, "name": "Bị sửa"})
    assert r.status_code == 404 and Product.objects.get(pk=c["product"].pk).name == "Sản phẩm C"
    r = own.post(f"/trace/enterprises/{c['enterprise'].pk}/locations/new/", {"gln": "8933333000027", "name": "X"})
    assert r.status_code == 404 and Location.objects.count() == 3
    assert own.post(f"/trace/keys/{ApiKey.issue(c['enterprise'], 'k')[0].pk}/revoke/").status_code == 404
    assert ApiKey.objects.get(owner=c["enterprise"]).revoked_at is None


def test_product_with_check_digit_and_image(chain, own):
    a = chain["A"]["enterprise"]
    r = own.post(f"/trace/enterprises/{a.pk}/products/new/", {"gtin": "08931111000029", "name": "Nhãn sấy"})
    assert r.status_code == 400 and "kiểm tra" in r.content.decode().lower()
    r = own.post(f"/trace/enterprises/{a.pk}/products/new/", {
        "gtin": "8931111000028", "name": "Nhãn sấy", "shelf_life_days": 180,
        "image": SimpleUploadedFile("nhan.png", png_bytes(), content_type="image/png")})
    assert r.status_code == 302, r.content.decode()[:2000]
    product = Product.objects.get(name="Nhãn sấy")
    assert product.owner == a and product.gtin == "08931111000028" and product.images.count() == 1
    image = Client().get(f"/trace/images/{product.images.get().pk}")  # public: the consumer page shows it
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    r = own.post(f"/trace/enterprises/{a.pk}/products/new/", {
        "gtin": "08931111000035", "name": "Giả ảnh", "image": SimpleUploadedFile("x.png", b"not a png")})
    assert r.status_code == 400 and not Product.objects.filter(name="Giả ảnh").exists()


def test_labels(chain, own):
    p = chain["A"]["product"]
    r = own.get(f"/trace/products/{p.pk}/", {"lot": "L1"})
    page = r.content.decode()
    assert r.status_code == 200 and f"http://testserver/01/{p.gtin}/10/L1" in page and "<svg" in page
    png = own.get(f"/trace/products/{p.pk}/label.png", {"lot": "L1"})
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    svg = own.get(f"/trace/products/{p.pk}/label.svg", {"lot": "L1", "serial": "7"})
    assert svg["Content-Type"] == "image/svg+xml" and b"/01/" + p.gtin.encode() + b"/10/L1/21/7" in svg.content
    pdf = own.get(f"/trace/products/{p.pk}/label.pdf", {"lot": "L1", "count": 30})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 2  # 24 labels a sheet
    bad = own.get(f"/trace/products/{p.pk}/label.png", {"lot": "có dấu"})
    assert bad.status_code == 400


def test_qr_decodes_to_the_digital_link(chain):
    """The QR code's modules read back (segno's own matrix) carry exactly the URI."""
    from nscl.trace import labels

    uri = labels.digital_link("https://nscl.example.vn", gtin("8931111"), "L 1/2", "7")
    assert uri == f"https://nscl.example.vn/01/{gtin('8931111')}/10/L%201%2F2/21/7"
    qr = labels.qr(uri)
    assert qr.error in ("M", "Q", "H") and qr.designator  # a regular QR code (not Micro QR)
    assert labels.png(uri).startswith(b"\x89PNG")


def test_api_key_shown_once_and_revoked(chain, own):
    a = chain["A"]
    r = own.post(f"/trace/enterprises/{a['enterprise'].pk}/keys/new/", {"name": "Máy quét 1",
                                                                         "locations": [a["location"].pk]})
    assert r.status_code == 302
    page = own.get(r["Location"]).content.decode()
    key = ApiKey.objects.get(name="Máy quét 1")
    text = page.split("<code translate=\"no\">")[1].split("</code>")[0]
    assert text.startswith(f"nscl_{key.prefix}_") and key.secret_hash not in page
    assert text not in own.get(r["Location"]).content.decode()  # only once
    api = Client(HTTP_AUTHORIZATION=f"Bearer {text}")
    assert api.get("/epcis/events").status_code == 200
    assert own.post(f"/trace/keys/{key.pk}/revoke/").status_code == 302
    assert api.get("/epcis/events").status_code == 401


def test_sharing(chain, own):
    a, c = chain["A"]["enterprise"], chain["C"]["enterprise"]
    assert own.post(f"/trace/enterprises/{a.pk}/shares/new/", {"partner": c.tax_code}).status_code == 302
    assert Share.objects.filter(owner=a, partner=c).exists()
    r = own.post(f"/trace/enterprises/{a.pk}/shares/new/", {"partner": "0000000000"})
    assert r.status_code == 400 and "Không có doanh nghiệp" in r.content.decode()
    share = Share.objects.get(owner=a, partner=c)
    assert own.post(f"/trace/shares/{share.pk}/delete/").status_code == 302
    assert not Share.objects.filter(owner=a, partner=c).exists()


def test_locations_need_valid_gln(chain, own):
    a = chain["A"]["enterprise"]
    r = own.post(f"/trace/enterprises/{a.pk}/locations/new/", {"gln": "8931111000029", "name": "Kho 2"})
    assert r.status_code == 400
    r = own.post(f"/trace/enterprises/{a.pk}/locations/new/", {"gln": "8931111000028", "name": "Kho 2"})
    assert r.status_code == 302 and Location.objects.get(name="Kho 2").owner == a
