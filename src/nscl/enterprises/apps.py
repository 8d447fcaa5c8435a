from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "nscl.enterprises"
    label = "enterprises"
    verbose_name = "Doanh nghiệp"
    audited = True  # every create, update and delete of this app's models goes to the audit log
