from django.urls import path, re_path

from . import views

urlpatterns = [
    path("v1/targets", views.targets, name="api_targets"),
    path("v1/openapi.json", views.openapi, name="api_openapi"),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
