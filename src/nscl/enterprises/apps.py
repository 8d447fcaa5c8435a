from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "nscl.enterprises"
    label = "enterprises"
    verbose_name = "Doanh nghiệp"
    audited = True  # every create, update and delete of this app's models goes to the audit log

    def ready(self):
        from nscl.common import jobs

        from . import import_jobs

        jobs.register(import_jobs.reap)  # nscl serve fails the imports of dead workers
