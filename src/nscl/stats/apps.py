from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "nscl.stats"
    label = "stats"
    verbose_name = "Thống kê TFP"
    audited = True  # every create, update and delete of this app's models goes to the audit log

    def ready(self):
        from nscl.programme import indicators as programme_indicators

        from . import indicators

        programme_indicators.register(indicators.tfp_share)
        programme_indicators.register(indicators.labour_productivity_growth)
