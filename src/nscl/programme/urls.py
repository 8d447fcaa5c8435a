from django.urls import path, re_path

from . import views, views_targets

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    re_path(r"^progress/chart\.(?P<fmt>svg|png)$", views.dashboard_chart, name="dashboard_chart"),
    path("progress/export.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("progress/<str:phase_code>/<str:code>/", views.target_detail, name="target_detail"),
    path("progress/<str:phase_code>/<str:code>/chart.svg", views.target_chart, name="target_chart"),
    path("registers/", views.register_index, name="register_index"),
    path("registers/support/", views.support_moved),  # the old support register: now the dossiers
    path("registers/support/<path:rest>", views.support_moved),
    path("registers/<str:kind>/", views.register_list, name="register_list"),
    path("registers/<str:kind>/new/", views.activity_create, name="activity_create"),
    path("registers/<str:kind>/confirm-selected/", views.confirm_selected, name="confirm_selected"),
    path("registers/<str:kind>/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("registers/<str:kind>/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("registers/<str:kind>/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("registers/<str:kind>/<int:pk>/confirm/", views.activity_confirm, name="activity_confirm"),
    path("registers/<str:kind>/<int:pk>/reopen/", views.activity_reopen, name="activity_reopen"),
    path("registers/<str:kind>/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("reports/annual/", views.annual_report, name="annual_report"),
    path("reports/annual/closing/", views.report_closing, name="report_closing"),
    path("phases/<str:phase_code>/targets/", views_targets.phase_targets, name="phase_targets"),
]
