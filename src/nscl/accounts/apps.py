from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "nscl.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"
    audited = True  # every create, update and delete of this app's models goes to the audit log

    def ready(self):
        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login

        # the last-login time is a nicety: a database that cannot write it must not refuse the login
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(update_last_login_if_possible, dispatch_uid="update_last_login")


def update_last_login_if_possible(sender, user, **kwargs):
    import logging

    from django.contrib.auth.models import update_last_login
    from django.db import OperationalError, transaction

    try:
        with transaction.atomic():
            update_last_login(sender, user, **kwargs)
    except OperationalError as e:
        logging.getLogger("nscl.accounts").warning("last login of %s not saved: %s", user.get_username(), e)
