from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "nscl.programme"
    label = "programme"
    verbose_name = "Chương trình"
