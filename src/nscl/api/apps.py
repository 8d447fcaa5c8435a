from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "nscl.api"
    label = "api"
    verbose_name = "API"
