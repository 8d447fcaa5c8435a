from django.urls import path

from . import views, views_support_impact

urlpatterns = [
    path("", views.index, name="analysis_index"),
    path("<int:pk>/", views.detail, name="analysis_detail"),
    path("<int:pk>/map/", views.mapping, name="analysis_map"),
    path("<int:pk>/status.json", views.status, name="analysis_status"),
    path("<int:pk>/cancel/", views.cancel, name="analysis_cancel"),
    path("<int:pk>/rerun/", views.rerun, name="analysis_rerun"),
    path("<int:pk>/<str:name>.svg", views.chart, name="analysis_chart"),
    path("<int:pk>/results.xlsx", views.download, name="analysis_download"),
    path("<int:pk>/tfp.csv", views.tfp_csv, name="analysis_tfp_csv"),
    path("registry/", views_support_impact.support_impact, name="analysis_support_impact"),
    path("registry/deflators/", views_support_impact.deflators, name="analysis_deflators"),
    path("registry/deflators/<int:series>/", views_support_impact.deflator, name="analysis_deflator"),
    path("registry/deflators/<int:series>/delete/", views_support_impact.deflator_delete, name="analysis_deflator_delete"),
]
