from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="analysis_index"),
    path("<int:pk>/", views.detail, name="analysis_detail"),
    path("<int:pk>/map/", views.mapping, name="analysis_map"),
    path("<int:pk>/status.json", views.status, name="analysis_status"),
    path("<int:pk>/cancel/", views.cancel, name="analysis_cancel"),
    path("<int:pk>/<str:name>.svg", views.chart, name="analysis_chart"),
    path("<int:pk>/results.xlsx", views.download, name="analysis_download"),
    path("<int:pk>/tfp.csv", views.tfp_csv, name="analysis_tfp_csv"),
]
