from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "nscl.analysis"
    label = "analysis"
    verbose_name = "Phân tích năng suất doanh nghiệp"
    audited = True  # every create, update and delete of this app's models goes to the audit log

    def ready(self):
        from nscl.common import jobs
        from nscl.programme import costs

        jobs.register(reap_dead_workers)  # nscl serve fails the jobs of dead workers

        costs.register_effect_source(latest_registry_effect)  # cost-effectiveness reads the latest estimate


def latest_registry_effect():
    """support_impact.latest_effect, imported when first asked (it brings pandas and the estimators)."""
    from .support_impact import latest_effect

    return latest_effect()


def reap_dead_workers():
    """runner.reap, imported when first called (the runner brings the estimators)."""
    from .runner import reap

    return reap()
