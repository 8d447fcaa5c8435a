from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "nscl.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"
