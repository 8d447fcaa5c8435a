from django.apps import AppConfig


class CommonConfig(AppConfig):
    """An app only so Django finds its template tags and static files; it has no models."""

    name = "nscl.common"
    label = "common"
