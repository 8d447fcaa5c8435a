from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.tfp_index, name="tfp_index"),
    path("template.xlsx", views.template_xlsx, name="tfp_template"),
    path("asean/", views.asean, name="tfp_asean"),
    path("series/<int:pk>/", views.series_detail, name="tfp_series"),
    path("series/<int:pk>/import/", views.series_import, name="tfp_import"),
    path("series/<int:pk>/row/", views.series_row, name="tfp_row"),
    path("runs/<int:pk>/", views.run_detail, name="tfp_run"),
    path("runs/<int:pk>/<str:name>.svg", views.run_chart, name="tfp_run_chart"),
    path("runs/<int:pk>/publish/", views.run_publish, name="tfp_publish"),
    re_path(r"^runs/(?P<pk>[0-9]+)/note\.(?P<fmt>docx|pdf)$", views.run_note, name="tfp_note"),
]
