from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "nscl.programme"
    label = "programme"
    verbose_name = "Chương trình"
    audited = True  # every create, update and delete of this app's models goes to the audit log

    def ready(self):
        from . import cache

        cache.connect()  # computed progress is cached; every write of this app's data invalidates it
