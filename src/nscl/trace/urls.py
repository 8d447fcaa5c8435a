"""Traceability URLs, mounted at the site root: the EPCIS REST binding under epcis/, the pages under
trace/, and the GS1 Digital Link resolver at /01/<gtin>[/10/<lot>][/21/<serial>]. A NUL character in
any of their parameters is answered 400 (guard.py)."""
from django.urls import path, re_path

from . import views, views_catalogue, views_epcis, views_prefixes, views_public, views_recalls, views_reports
from .guard import guarded

urlpatterns = guarded([
    path("epcis/", views_epcis.root, name="epcis_root"),
    path("epcis/openapi.json", views_epcis.openapi, name="epcis_openapi"),
    path("epcis/capture", views_epcis.capture, name="epcis_capture"),
    path("epcis/capture/<uuid:capture_id>", views_epcis.capture_job, name="epcis_capture_job"),
    path("epcis/events", views_epcis.events, name="epcis_events"),
    path("epcis/events/<path:event_id>", views_epcis.event_detail, name="epcis_event"),
    path("trace/", views.index, name="trace_index"),
    path("trace/graph/", views.graph_page, name="trace_graph"),
    path("trace/graph.json", views.graph_json, name="trace_graph_json"),
    path("trace/recall/", views.recall_page, name="trace_recall"),
    path("trace/enterprises/", views_catalogue.enterprises, name="trace_enterprises"),
    path("trace/enterprises/<int:pk>/", views_catalogue.enterprise, name="trace_enterprise"),
    path("trace/enterprises/<int:pk>/products/new/", views_catalogue.product_new, name="trace_product_new"),
    path("trace/enterprises/<int:pk>/locations/new/", views_catalogue.location_new, name="trace_location_new"),
    path("trace/enterprises/<int:pk>/keys/new/", views_catalogue.key_new, name="trace_key_new"),
    path("trace/enterprises/<int:pk>/shares/new/", views_catalogue.share_new, name="trace_share_new"),
    path("trace/enterprises/<int:pk>/prefixes/new/", views_prefixes.prefix_new, name="trace_prefix_new"),
    path("trace/enterprises/<int:pk>/recalls/new/", views_recalls.recall_new, name="trace_recall_new"),
    path("trace/prefixes/", views_prefixes.prefix_list, name="trace_prefixes"),
    path("trace/prefixes/<int:pk>/verify/", views_prefixes.prefix_verify, name="trace_prefix_verify"),
    path("trace/prefixes/<int:pk>/reject/", views_prefixes.prefix_reject, name="trace_prefix_reject"),
    path("trace/recalls/<int:pk>/", views_recalls.recall_detail, name="trace_recall_detail"),
    path("trace/recalls/<int:pk>/end/", views_recalls.recall_end, name="trace_recall_end"),
    path("trace/report/", views_reports.report, name="trace_report"),
    path("trace/reports/", views_reports.report_list, name="trace_reports"),
    path("trace/reports/<int:pk>/handled/", views_reports.report_handled, name="trace_report_handled"),
    path("trace/products/<int:pk>/", views_catalogue.product_detail, name="trace_product"),
    path("trace/products/<int:pk>/edit/", views_catalogue.product_edit, name="trace_product_edit"),
    re_path(r"^trace/products/(?P<pk>\d+)/label\.(?P<fmt>png|svg|pdf)$", views_catalogue.product_label,
            name="trace_product_label"),
    path("trace/locations/<int:pk>/edit/", views_catalogue.location_edit, name="trace_location_edit"),
    path("trace/keys/<int:pk>/revoke/", views_catalogue.key_revoke, name="trace_key_revoke"),
    path("trace/shares/<int:pk>/delete/", views_catalogue.share_delete, name="trace_share_delete"),
    path("trace/images/<int:pk>", views_public.product_image, name="trace_image"),
    path("trace/p/<str:gtin>/", views_public.product_page, name="trace_product_page"),
    re_path(r"^01/(?P<gtin>[0-9]{8,14})(?:/10/(?P<lot>[^/]+))?(?:/21/(?P<serial>.+?))?/?$", views_public.resolver,
            name="gs1_resolver"),
])
