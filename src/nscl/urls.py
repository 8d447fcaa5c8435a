from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.i18n import set_language

from nscl.accounts.views import PasswordChangeView, ThrottledLoginView
from nscl.api import views as api
from nscl.audit.views import audit_log
from nscl.programme import views as p

urlpatterns = [
    path("", p.dashboard, name="dashboard"),
    path("progress/chart.<str:fmt>", p.dashboard_chart, name="dashboard_chart"),
    path("progress/export.xlsx", p.dashboard_xlsx, name="dashboard_xlsx"),
    path("progress/<str:phase_code>/<str:code>/", p.target_detail, name="target_detail"),
    path("progress/<str:phase_code>/<str:code>/chart.svg", p.target_chart, name="target_chart"),
    path("registers/", p.register_index, name="register_index"),
    path("registers/<str:kind>/", p.register_list, name="register_list"),
    path("registers/<str:kind>/new/", p.activity_create, name="activity_create"),
    path("registers/<str:kind>/<int:pk>/", p.activity_detail, name="activity_detail"),
    path("registers/<str:kind>/<int:pk>/edit/", p.activity_edit, name="activity_edit"),
    path("registers/<str:kind>/<int:pk>/delete/", p.activity_delete, name="activity_delete"),
    path("registers/<str:kind>/<int:pk>/confirm/", p.activity_confirm, name="activity_confirm"),
    path("registers/<str:kind>/<int:pk>/reopen/", p.activity_reopen, name="activity_reopen"),
    path("registers/<str:kind>/<int:pk>/evidence/", p.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", p.evidence_download, name="evidence_download"),
    path("reports/annual/", p.annual_report, name="annual_report"),
    path("audit/", audit_log, name="audit_log"),
    path("quan-tri/", admin.site.urls),
    path("tfp/", include("nscl.stats.urls")),
    path("analysis/", include("nscl.analysis.urls")),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/targets", api.targets, name="api_targets"),
    path("api/v1/openapi.json", api.openapi, name="api_openapi"),
    re_path(r"^api/(?P<rest>.*)$", api.not_found),
]
