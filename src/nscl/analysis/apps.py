from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "nscl.analysis"
    label = "analysis"
    verbose_name = "Phân tích năng suất doanh nghiệp"
    audited = True  # every create, update and delete of this app's models goes to the audit log

    def ready(self):
        from nscl.programme import costs

        costs.register_effect_source(latest_registry_effect)  # cost-effectiveness reads the latest estimate


def latest_registry_effect():
    """registry_impact.latest_effect, imported when first asked (it brings pandas and the estimators)."""
    from .registry_impact import latest_effect

    return latest_effect()
