from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "nscl.geo"
    label = "geo"
    verbose_name = "Đơn vị hành chính"
