"""Public pages: the consumer product page (phone-first, Vietnamese and English), the GS1 Digital Link
resolver (`/01/<gtin>[/10/<lot>][/21/<serial>]`: a redirect to the page, or the linkset JSON when
asked), product images. Nothing here needs a login, so nothing here shows private data."""
from __future__ import annotations

import json
import mimetypes
from urllib.parse import unquote, urlencode

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nscl.traceability import keys

from . import public
from .forms import ReportForm
from .models import Product, ProductImage

LINKSET = "application/linkset+json"


def base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


class UnknownProduct(Exception):
    """A valid GTIN no catalogue holds: the page says so (404) and offers the report form."""

    def __init__(self, gtin):
        self.gtin = gtin


def _product_or_404(gtin: str) -> Product:
    try:
        gtin = keys.validate_gtin(gtin)
    except keys.InvalidKey:
        raise Http404(_("Mã GTIN không hợp lệ.")) from None
    product = Product.objects.select_related("owner").filter(gtin=gtin).first()
    if product is None:
        raise UnknownProduct(gtin)
    return product


def unknown_product_page(request, gtin, lot=None, serial=None):
    """A GTIN that no enterprise registered: no recorded production at all (404), a way to report it."""
    return render(request, "trace/unknown_product.html", {
        "gtin": gtin, "lot": lot, "serial": serial, "report_form": ReportForm(initial={
            "gtin": gtin, "lot": lot or "", "serial": serial or ""})}, status=404)


def key_message(error) -> str:
    """The library's message for a bad GS1 key in the page's language."""
    return error.message if (get_language() or "").startswith("en") else error.message_vi


def _clean(value):
    value = (value or "").strip()
    return value or None


def product_page(request, gtin):
    lot, serial = _clean(request.GET.get("lot")), _clean(request.GET.get("serial"))
    try:
        product = _product_or_404(gtin)
    except UnknownProduct as e:
        return unknown_product_page(request, e.gtin, lot, serial)
    lang = get_language() or "vi"
    try:
        page = public.build(product, lot, serial, base_url(request), lang)
    except keys.InvalidKey as e:
        return render(request, "trace/public_error.html", {"message": key_message(e)}, status=400)
    return render(request, "trace/product_page.html", {
        "page": page, "product": product, "owner": product.owner, "lang": lang,
        "report_form": ReportForm(initial={"gtin": product.gtin, "lot": lot or "", "serial": serial or ""}),
        "images": list(product.images.all()), "standards": list(product.standards.all()),
        "certificates": list(product.certificates.select_related("standard")),
        "jsonld": json.dumps(page.jsonld, ensure_ascii=False).replace("</", "<\\/"),
        "name": product.name_for(lang),
        "description": product.description_en if lang.startswith("en") and product.description_en else product.description,
        "storage": product.storage_en if lang.startswith("en") and product.storage_en else product.storage,
        "warnings": product.warnings_en if lang.startswith("en") and product.warnings_en else product.warnings,
    })


def resolver(request, gtin, lot=None, serial=None):
    """GS1 Digital Link resolver: `linkType=all` or an Accept of application/linkset+json (or JSON)
    gives the linkset; anything else is redirected to the product page (GS1's default link)."""
    lot, serial = _clean(unquote(lot or "")), _clean(unquote(serial or ""))
    try:
        product = _product_or_404(gtin)
    except UnknownProduct as e:
        return unknown_product_page(request, e.gtin, lot, serial)
    try:
        public.identifier_for(product.gtin, lot, serial)
    except keys.InvalidKey as e:
        return render(request, "trace/public_error.html", {"message": key_message(e)}, status=400)
    query = {k: v for k, v in (("lot", lot), ("serial", serial)) if v}
    page_url = reverse("trace_product_page", args=[product.gtin]) + (f"?{urlencode(query)}" if query else "")
    accept = request.META.get("HTTP_ACCEPT", "")
    link_type = request.GET.get("linkType", "")
    if link_type == "all" or LINKSET in accept or (accept.startswith("application/json")):
        identifier = public.identifier_for(product.gtin, lot, serial)
        trace_url = reverse("epcis_events") + "?" + urlencode({"MATCH_anyEPC" if serial else "MATCH_anyEPCClass": identifier})
        body = public.linkset(base_url(request), product.gtin, lot, serial, base_url(request) + page_url,
                              base_url(request) + trace_url, product)
        resp = HttpResponse(json.dumps(body, ensure_ascii=False), content_type=LINKSET)
        resp["Link"] = f'<{base_url(request)}{request.path}>; rel="linkset"; type="{LINKSET}"'
        return resp
    resp = HttpResponseRedirect(page_url)
    resp.status_code = 307  # GS1 resolvers redirect temporarily: the target may change
    resp["Link"] = f'<{base_url(request)}{request.path}?linkType=all>; rel="linkset"; type="{LINKSET}"'
    return resp


def product_image(request, pk):
    image = get_object_or_404(ProductImage, pk=pk)
    content_type = mimetypes.guess_type(image.file.name)[0] or "application/octet-stream"
    try:
        resp = FileResponse(image.file.open("rb"), content_type=content_type)
    except FileNotFoundError:
        raise Http404 from None
    resp["Cache-Control"] = "public, max-age=86400"
    return resp
