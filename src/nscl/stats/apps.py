from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "nscl.stats"
    label = "stats"
    verbose_name = "Thống kê TFP"
    audited = True  # every create, update and delete of this app's models goes to the audit log
