from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "nscl.analysis"
    label = "analysis"
    verbose_name = "Phân tích năng suất doanh nghiệp"
    audited = True  # every create, update and delete of this app's models goes to the audit log
