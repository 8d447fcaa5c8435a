from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "nscl.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"
    audited = True  # every create, update and delete of this app's models goes to the audit log
