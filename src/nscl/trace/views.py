"""Trace pages for enterprises and officers: search, the graph back or forward (JSON and drawn), the
recall answer with its .xlsx/.csv export. Each user sees the events roles allow (access.Actor)."""
from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from nscl.accounts import roles
from nscl.common.downloads import CSV, XLSX, attachment, csv_bytes, workbook_bytes
from nscl.traceability import keys

from . import drawing, tracing
from .access import Actor, user_actor
from .models import CompanyPrefix, CounterfeitReport, Event, Location, Product
from .public import RECALLED, event_type_name, relation_names, step_name
from .store import cbv, normalised
from .views_public import key_message
from .views_recalls import visible_recalls

DIRECTIONS = ("back", "forward")


def actor_or_403(request) -> Actor:
    actor = user_actor(request.user, source="web")
    if actor is None:
        raise PermissionDenied
    return actor


def _params(request):
    identifier = (request.GET.get("id") or "").strip()
    direction = request.GET.get("direction", "back")
    return identifier, direction if direction in DIRECTIONS else "back"


def recalled_lots(actor: Actor, limit=50):
    """Items with a recall event (disposition `recalled`) the actor may see, newest first."""
    from .access import owner_filter
    from .models import EventIdentifier

    ids = (Event.objects.filter(owner_filter(actor), disposition=RECALLED).order_by("-event_time")
           .values_list("registry_id", "event_time")[:limit])
    when = dict(ids)
    rows = EventIdentifier.objects.filter(event_id__in=list(when)).values_list("identifier", "event_id")
    out = {}
    for identifier, event in rows:
        out.setdefault(identifier, when[event])
    return sorted(out.items(), key=lambda kv: kv[1], reverse=True)


@login_required
def index(request):
    actor = actor_or_403(request)
    products = Product.objects.select_related("owner")
    locations = Location.objects.select_related("owner")
    if not actor.sees_all:
        products = products.filter(owner__in=actor.enterprises)
        locations = locations.filter(owner__in=actor.enterprises)
    officer = {}
    if roles.can_verify_prefixes(request.user):
        officer["pending_prefixes"] = CompanyPrefix.objects.filter(status=CompanyPrefix.Status.PENDING).count()
    if roles.can_handle_counterfeit_reports(request.user):
        officer["new_reports"] = CounterfeitReport.objects.filter(status=CounterfeitReport.Status.NEW).count()
    return render(request, "trace/index.html", {
        "actor": actor, "products": products[:200], "locations": locations[:200], "recalls": recalled_lots(actor),
        "officer": officer,
    })


def _labels(traced_nodes, lang):
    named = tracing.names([n["epc"] for n in traced_nodes])
    out = {}
    for n in traced_nodes:
        d = tracing.describe(n["epc"])
        p = named["products"].get(n["epc"])
        first = p.name_for(lang) if p else {"sscc": _("Kiện hàng (SSCC)")}.get(d["kind"], d["kind"])
        second = " ".join(x for x in [d.get("lot") and f"{_('Lô')} {d['lot']}", d.get("serial") and f"#{d['serial']}",
                                      d.get("sscc")] if x) or n["epc"]
        out[n["epc"]] = (first, second)
    return out


def _trace_or_error(identifier, direction, actor):
    try:
        return tracing.trace(identifier, direction, actor), None
    except keys.InvalidKey as e:
        return None, key_message(e)


@login_required
def graph_json(request):
    """`{"nodes", "edges", "events"}` for ?id=<EPC, Digital Link or SSCC>&direction=back|forward."""
    actor = actor_or_403(request)
    identifier, direction = _params(request)
    if not identifier:
        return JsonResponse({"type": "about:blank", "title": "Missing id", "status": 400,
                             "detail": "Cần tham số id (EPC, GS1 Digital Link hoặc SSCC)."}, status=400,
                            content_type="application/problem+json", json_dumps_params={"ensure_ascii": False})
    traced, error = _trace_or_error(identifier, direction, actor)
    if error:
        return JsonResponse({"type": "about:blank", "title": "Invalid identifier", "status": 400, "detail": error},
                            status=400, content_type="application/problem+json", json_dumps_params={"ensure_ascii": False})
    return JsonResponse(traced.to_dict(), json_dumps_params={"ensure_ascii": False})


def _when(text):
    """An event time as a datetime (the template shows it dd/mm/yyyy hh:mm in the page's timezone)."""
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return text


def _event_rows(traced, lang):
    docs = sorted(traced.documents.values(), key=lambda d: d["eventTime"])
    locs = [(d.get("bizLocation") or d.get("readPoint") or {}).get("id") for d in docs]
    named = tracing.names(locations=[normalised(x) for x in locs if x], owner_ids=set(traced.owners.values()))
    rows = []
    for d, loc in zip(docs, locs):
        place = named["locations"].get(normalised(loc)) if loc else None
        owner = named["enterprises"].get(traced.owners.get(d["eventID"]))
        rows.append({"time": _when(d["eventTime"]), "type": event_type_name(d["type"]),
                     "step": step_name(cbv("bizStep", d.get("bizStep"))),
                     "location": place.name if place else (loc or ""), "owner": owner.name if owner else "",
                     "event_id": d["eventID"], "recalled": cbv("disposition", d.get("disposition")) == RECALLED})
    return rows


@login_required
def graph_page(request):
    actor = actor_or_403(request)
    identifier, direction = _params(request)
    context = {"identifier": identifier, "direction": direction}
    if identifier:
        traced, error = _trace_or_error(identifier, direction, actor)
        if error:
            context["error"] = error
            return render(request, "trace/graph.html", context, status=400)
        lang = request.LANGUAGE_CODE
        nodes = traced.result.nodes
        context.update({
            "svg": drawing.svg(traced.result.start, direction, nodes, traced.result.edges, _labels(nodes, lang),
                               relation_names()),
            "nodes": nodes, "events": _event_rows(traced, lang), "start": traced.result.start,
        })
    return render(request, "trace/graph.html", context)


RECALL_HEADER = ["Nhóm", "Mã định danh", "Loại", "GTIN", "Lô", "Sê-ri", "SSCC", "Sản phẩm / tên", "Doanh nghiệp",
                 "Địa chỉ"]


def recall_rows(answer) -> list[list]:
    rows = []
    for group, items in (("Lô", answer["lots"]), ("Sê-ri", answer["serials"]), ("Kiện hàng", answer["containers"])):
        for i in items:
            rows.append([group, i["identifier"], i["kind"], i.get("gtin") or "", i.get("lot") or "", i.get("serial") or "",
                         i.get("sscc") or "", i["product"], i["owner"], ""])
    for loc in answer["locations"]:
        rows.append(["Địa điểm", loc["identifier"], "location", "", "", "", "", loc["name"], loc["owner"], loc["address"]])
    for p in answer["parties"]:
        rows.append(["Bên liên quan", p["identifier"], p["role"], "", "", "", "", p["name"], p["name"], p["address"]])
    return rows


@login_required
def recall_page(request):
    actor = actor_or_403(request)
    identifier = (request.GET.get("id") or "").strip()
    context = {"identifier": identifier, "recalls": recalled_lots(actor),
               "records": visible_recalls(request.user)[:100],
               "declarable": [e for e in actor.enterprises if roles.can_declare_recall(request.user, e)],
               "actor_sees_all": actor.sees_all}
    if identifier:
        try:
            answer = tracing.recall(identifier, actor)
        except keys.InvalidKey as e:
            context["error"] = key_message(e)
            return render(request, "trace/recall.html", context, status=400)
        fmt = request.GET.get("format")
        if fmt in ("xlsx", "csv"):
            rows = recall_rows(answer)
            name = "thu-hoi-" + "".join(c if c.isalnum() else "-" for c in identifier)[-60:]
            if fmt == "csv":
                return attachment(csv_bytes(rows, header=RECALL_HEADER), f"{name}.csv", CSV)
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.title = "Thu hồi"
            ws.append(RECALL_HEADER)
            for row in rows:
                ws.append(row)
            return attachment(workbook_bytes(wb), f"{name}.xlsx", XLSX)
        traced = answer["graph"]
        context.update({"answer": answer, "events": _event_rows(traced, request.LANGUAGE_CODE)})
    return render(request, "trace/recall.html", context)
