from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "nscl.stats"
    label = "stats"
    verbose_name = "Thống kê TFP"
