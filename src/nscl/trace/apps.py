from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceConfig(AppConfig):
    name = "nscl.trace"
    label = "trace"
    verbose_name = _("Truy xuất nguồn gốc")
    default_auto_field = "django.db.models.BigAutoField"
    audited = True
