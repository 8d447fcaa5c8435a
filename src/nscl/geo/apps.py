from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "nscl.geo"
    label = "geo"
    verbose_name = "Đơn vị hành chính"
    audited = True  # every create, update and delete of this app's models goes to the audit log
