"""An enterprise's traceability records: product catalogue (with QR labels), locations, API keys,
data sharing. Enterprise users see and edit only their own (URL guessing is 404); officers all."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nscl.accounts import roles
from nscl.common.downloads import PDF, attachment
from nscl.enterprises.models import Enterprise

from . import labels, prefixes
from .forms import ApiKeyForm, LabelForm, LocationForm, ProductForm, ShareForm
from .models import ApiKey, Location, Product, ProductImage, Share
from .views_public import base_url


def _enterprises(request):
    if not roles.can_use_trace(request.user):
        raise PermissionDenied
    return roles.visible_enterprises(request.user, Enterprise.objects.all())


def enterprise_or_404(request, pk) -> Enterprise:
    return get_object_or_404(_enterprises(request), pk=pk)


def managed_or_403(request, enterprise) -> Enterprise:
    if not roles.can_manage_trace(request.user, enterprise):
        raise PermissionDenied
    return enterprise


def _owned(request, model, pk):
    """An object of one of the user's enterprises (404 for another's)."""
    obj = get_object_or_404(model.objects.select_related("owner"), pk=pk)
    if not _enterprises(request).filter(pk=obj.owner_id).exists():
        raise Http404
    managed_or_403(request, obj.owner)
    return obj


@login_required
def enterprises(request):
    qs = _enterprises(request)
    if not roles.can_see_all_trace(request.user):
        mine = list(qs.order_by("tax_code")[:2])
        if len(mine) == 1:
            return redirect("trace_enterprise", pk=mine[0].pk)
    qs = qs.filter(pk__in=Product.objects.values("owner")) | qs.filter(pk__in=Location.objects.values("owner"))
    return render(request, "trace/enterprises.html", {"enterprises": qs.distinct().order_by("name")})


def _with_standing(rows, number_field, holders, owner_id):
    """The rows, each with `verified`: its number under a verified prefix in force of its owner (else a draft)."""
    rows = list(rows)
    for row in rows:
        row.verified = roles.can_use_gs1_number(holders.holder_of(getattr(row, number_field)), {owner_id})
    return rows


@login_required
def enterprise(request, pk):
    e = enterprise_or_404(request, pk)
    new_key = request.session.pop("trace_new_key", None)
    holders = prefixes.Holders({e.pk})
    return render(request, "trace/enterprise.html", {
        "e": e, "products": _with_standing(e.trace_products.all(), "gtin", holders, e.pk),
        "locations": _with_standing(e.trace_locations.all(), "gln", holders, e.pk),
        "prefixes": e.gs1_prefixes.select_related("verified_by"), "today": timezone.localdate(),
        "recalls": e.trace_recalls.prefetch_related("lots__product")[:20],
        "can_recall": roles.can_declare_recall(request.user, e),
        "keys": e.trace_api_keys.prefetch_related("locations"), "shares": e.trace_shares_given.select_related("partner"),
        "received": e.trace_shares_received.select_related("owner"), "can_manage": roles.can_manage_trace(request.user, e),
        "new_key": new_key, "share_form": ShareForm(owner=e),
    })


def _draft_message(request, form):
    if form.draft_prefix:
        messages.warning(request, _("Lưu dạng bản nháp: tiền tố %(prefix)s đang chờ cán bộ Sở xác minh, nên chưa ghi "
                                    "được sự kiện cho mã này và trang người tiêu dùng ghi “chưa xác minh”.")
                         % {"prefix": form.draft_prefix})


def _save_product(request, form, product_owner, instance=None):
    _draft_message(request, form)
    with transaction.atomic():
        product = form.save(commit=False)
        product.owner = product_owner
        product.save()
        form.save_m2m()
        image = form.cleaned_data.get("image")
        if image:
            ProductImage.objects.create(product=product, file=image, caption=product.name,
                                        order=product.images.count())
    return product


@login_required
def product_new(request, pk):
    e = managed_or_403(request, enterprise_or_404(request, pk))
    form = ProductForm(request.POST or None, request.FILES or None, owner=e)
    if request.method == "POST":
        if form.is_valid():
            product = _save_product(request, form, e)
            messages.success(request, _("Đã thêm sản phẩm."))
            return redirect("trace_product", pk=product.pk)
        return render(request, "trace/form.html", {"form": form, "e": e, "title": _("Thêm sản phẩm")}, status=400)
    return render(request, "trace/form.html", {"form": form, "e": e, "title": _("Thêm sản phẩm")})


@login_required
def product_edit(request, pk):
    product = _owned(request, Product, pk)
    form = ProductForm(request.POST or None, request.FILES or None, instance=product, owner=product.owner)
    if request.method == "POST":
        if form.is_valid():
            _save_product(request, form, product.owner)
            messages.success(request, _("Đã lưu sản phẩm."))
            return redirect("trace_product", pk=product.pk)
        status = 400
    else:
        status = 200
    return render(request, "trace/form.html", {"form": form, "e": product.owner, "title": _("Sửa sản phẩm"),
                                               "subject": product.name}, status=status)


@login_required
def product_detail(request, pk):
    product = get_object_or_404(Product.objects.select_related("owner"), pk=pk,
                                owner__in=_enterprises(request))
    form = LabelForm(request.GET or None, gtin=product.gtin)
    lot = serial = None
    if form.is_bound and form.is_valid():
        lot, serial = form.cleaned_data.get("lot") or None, form.cleaned_data.get("serial") or None
    link = labels.digital_link(base_url(request), product.gtin, lot, serial)
    return render(request, "trace/product.html", {
        "product": product, "form": form, "link": link, "lot": lot, "serial": serial,
        "query": request.GET.urlencode(), "can_manage": roles.can_manage_trace(request.user, product.owner),
        "qr_svg": labels.svg(link).decode(),
    }, status=400 if form.is_bound and not form.is_valid() else 200)


@login_required
def product_label(request, pk, fmt):
    """The QR label as PNG, SVG, or an A4 sheet (PDF) of `count` labels; ?lot=&serial= in the link."""
    product = get_object_or_404(Product.objects.select_related("owner"), pk=pk, owner__in=_enterprises(request))
    form = LabelForm(request.GET, gtin=product.gtin)
    if not form.is_valid():
        return HttpResponse(" ".join(m for ms in form.errors.values() for m in ms), status=400,
                            content_type="text/plain; charset=utf-8")
    lot, serial = form.cleaned_data.get("lot") or None, form.cleaned_data.get("serial") or None
    link = labels.digital_link(base_url(request), product.gtin, lot, serial)
    if fmt == "png":
        return HttpResponse(labels.png(link), content_type="image/png")
    if fmt == "svg":
        return HttpResponse(labels.svg(link), content_type="image/svg+xml")
    lines = [product.name, f"GTIN {product.gtin}"] + ([f"Lô/Lot {lot}"] if lot else []) + \
        ([f"Sê-ri/Serial {serial}"] if serial else []) + [product.owner.name]
    name = f"nhan-{product.gtin}" + (f"-{lot}" if lot else "") + ".pdf"
    return attachment(labels.sheet_pdf(link, lines, form.cleaned_data.get("count") or 24), name, PDF)


def _simple_form(request, form, e, title, success, subject=None):
    if request.method == "POST":
        if form.is_valid():
            obj = form.save(commit=False)
            obj.owner = e
            obj.save()
            form.save_m2m()
            messages.success(request, success)
            _draft_message(request, form)
            return redirect("trace_enterprise", pk=e.pk)
        return render(request, "trace/form.html", {"form": form, "e": e, "title": title, "subject": subject}, status=400)
    return render(request, "trace/form.html", {"form": form, "e": e, "title": title, "subject": subject})


@login_required
def location_new(request, pk):
    e = managed_or_403(request, enterprise_or_404(request, pk))
    return _simple_form(request, LocationForm(request.POST or None, owner=e), e, _("Thêm địa điểm"),
                        _("Đã thêm địa điểm."))


@login_required
def location_edit(request, pk):
    loc = _owned(request, Location, pk)
    return _simple_form(request, LocationForm(request.POST or None, instance=loc, owner=loc.owner), loc.owner,
                        _("Sửa địa điểm"),
                        _("Đã lưu địa điểm."), subject=loc.name)


@login_required
def key_new(request, pk):
    e = managed_or_403(request, enterprise_or_404(request, pk))
    form = ApiKeyForm(request.POST or None, owner=e)
    if request.method == "POST":
        if form.is_valid():
            key, text = ApiKey.issue(e, form.cleaned_data["name"], created_by=request.user,
                                     locations=form.cleaned_data["locations"])
            request.session["trace_new_key"] = {"name": key.name, "text": text}  # shown once, then gone
            return redirect("trace_enterprise", pk=e.pk)
        return render(request, "trace/form.html", {"form": form, "e": e, "title": _("Tạo khóa API")}, status=400)
    return render(request, "trace/form.html", {"form": form, "e": e, "title": _("Tạo khóa API")})


@login_required
@require_POST
def key_revoke(request, pk):
    key = _owned(request, ApiKey, pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        messages.success(request, _("Đã thu hồi khóa API."))
    return redirect("trace_enterprise", pk=key.owner_id)


@login_required
@require_POST
def share_new(request, pk):
    e = managed_or_403(request, enterprise_or_404(request, pk))
    form = ShareForm(request.POST, owner=e)
    if form.is_valid():
        Share.objects.get_or_create(owner=e, partner=form.cleaned_data["partner"], defaults={"created_by": request.user})
        messages.success(request, _("Đã chia sẻ dữ liệu với đối tác."))
        return redirect("trace_enterprise", pk=e.pk)
    return render(request, "trace/form.html", {"form": form, "e": e, "title": _("Chia sẻ dữ liệu")}, status=400)


@login_required
@require_POST
def share_delete(request, pk):
    share = _owned(request, Share, pk)
    share.delete()
    messages.success(request, _("Đã ngừng chia sẻ."))
    return redirect("trace_enterprise", pk=share.owner_id)
