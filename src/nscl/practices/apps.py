from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    """Decision 1322's database of good practices: public cases built from accepted dossiers."""
    name = "nscl.practices"
    label = "practices"
    verbose_name = _("Thư viện điển hình")
    default_auto_field = "django.db.models.BigAutoField"
    audited = True
