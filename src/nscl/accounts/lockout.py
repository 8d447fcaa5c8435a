"""Login lockout with django-axes: the settings' callables and the authentication backend.

* The lock is keyed on the username as authentication normalises it (AuthenticationForm's
  UsernameField: surrounding spaces removed, Unicode NFKC, so " canbo" and full-width "ｃａｎｂｏ"
  are canbo), so no spelling of a locked username gets through.
* A username is locked after NSCL_LOGIN_MAX_FAILURES failures, from any address, for
  NSCL_LOGIN_LOCK_SECONDS; a refused attempt does not prolong it; a success resets the count.
* The per-address limit is not an axes lockout parameter: axes refuses a locked address before the
  password is checked, which would lock every user behind one proxy or office NAT out of a correct
  login. Instead an address with NSCL_LOGIN_MAX_FAILURES_PER_ADDRESS failures in the lock period gets
  a refusal (429) for each further wrong password, never for a correct one (see views).
"""
from __future__ import annotations

import logging
import unicodedata
from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _



def normalise(name) -> str:
    """The username as authentication looks it up (django.contrib.auth.forms.UsernameField)."""
    return unicodedata.normalize("NFKC", str(name or "").strip())


def username(request, credentials) -> str:
    field = "username"
    raw = (credentials or {}).get(field)
    if raw is None and request is not None:
        raw = request.POST.get(field)
    return normalise(raw)


def failure_limit(request, credentials) -> int:
    return settings.NSCL_LOGIN_MAX_FAILURES


def cool_off(request=None) -> timedelta:
    return timedelta(seconds=settings.NSCL_LOGIN_LOCK_SECONDS)


def locked_message() -> str:
    return _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")  # the catalogue's message


def address_failures(ip: str) -> int:
    since = timezone.now() - cool_off()
    return AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start"))["n"] or 0


def address_is_flagged(ip: str) -> bool:
    return address_failures(ip) >= settings.NSCL_LOGIN_MAX_FAILURES_PER_ADDRESS


class LockoutBackend(AxesStandaloneBackend):
    """axes' check before the password is; marks the request it refused (the lockout response is
    then the login page with the lock message). A call without a request (Client.login in tests,
    the shell) comes from no client and is not checked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except Exception:
            request.nscl_login_refused = True
            raise


def locked_out_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page with the Vietnamese message and HTTP 429. The failure
    that reaches the limit still shows the wrong-password page (as before axes); the attempts after
    it, a correct password included, get the lock."""
    if not getattr(request, "nscl_login_refused", False) and original_response is not None:
        return original_response
    from .views import locked_login_page

    return locked_login_page(request)


class DatabaseHandler(AxesDatabaseHandler):
    """django-axes' database handler, except that the bookkeeping of a *successful* login or a
    logout (its access log, clearing old failures) never refuses it when the database cannot write
    (a full disk): logged as a warning. Failures are still recorded or refused: a lockout that
    cannot count would let guesses through."""

    def user_logged_in(self, sender, request, user, **kwargs):
        self._if_possible(super().user_logged_in, sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        self._if_possible(super().user_logged_out, sender, request, user, **kwargs)

    @staticmethod
    def _if_possible(handler, *args, **kwargs):
        try:
            with transaction.atomic():
                handler(*args, **kwargs)
        except OperationalError as e:
            logging.getLogger("nscl.accounts").warning("login bookkeeping not saved: %s", e)
