from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "nscl.analysis"
    label = "analysis"
    verbose_name = "Phân tích năng suất doanh nghiệp"
