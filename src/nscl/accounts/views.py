import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.mail import EmailMessage
from django.shortcuts import resolve_url
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _

from nscl.common.throttle import count_this_hour

from . import lockout, roles

log = logging.getLogger("nscl.accounts")


class ThrottledLoginView(auth_views.LoginView):
    """The login page. Username lockout is django-axes' (nscl.accounts.lockout: the backend refuses a
    locked username before its password is checked, the lockout response is this page with HTTP 429);
    this view adds the per-address limit, which only ever refuses wrong passwords."""

    template_name = "accounts/login.html"

    def get_success_url(self):
        """The page asked for (`?next=`), else the role's start page: an enterprise user's own
        enterprise (roles.lands_on_own_enterprise), the dashboard for the others. `?next=` the home
        page counts as none: it is what every visitor of "/" brings when progress is not public."""
        url = self.get_redirect_url()
        if roles.lands_on_own_enterprise(self.request.user) and url in ("", resolve_url(settings.LOGIN_REDIRECT_URL)):
            return resolve_url("enterprise_mine")
        return url or resolve_url(settings.LOGIN_REDIRECT_URL)

    def form_invalid(self, form):
        ip = self.request.META.get("REMOTE_ADDR", "")
        if not getattr(self.request, "nscl_login_refused", False) and lockout.address_is_flagged(ip):
            log.warning("login refused: too many failures from %s", ip)
            return locked_login_page(self.request, form)
        return super().form_invalid(form)


def locked_login_page(request, form=None):
    view = ThrottledLoginView()
    view.setup(request)
    form = form or view.get_form()
    form.errors.clear()
    form.add_error(None, lockout.locked_message())
    return view.render_to_response(view.get_context_data(form=form), status=429).render()


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form):
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return super().form_valid(form)


class BilingualPasswordResetForm(auth_forms.PasswordResetForm):
    """The reset e-mail in Vietnamese, then English (the reader may not have chosen a language yet)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        subjects, bodies = [], []
        for lang in ("vi", "en"):
            with translation.override(lang):
                subjects.append("".join(loader.render_to_string(subject_template_name, context).splitlines()).strip())
                bodies.append(loader.render_to_string(email_template_name, context).strip())
        message = EmailMessage("[NSCL] " + " / ".join(dict.fromkeys(subjects)), "\n\n-- \n\n".join(bodies), from_email, [to_email],
                               headers={"Auto-Submitted": "auto-generated"})
        if not settings.NSCL_EMAIL_ENABLED:
            log.warning("password reset for user %s not e-mailed: NSCL_EMAIL_HOST is not set", context["user"].pk)
            return
        try:
            message.send()
        except Exception as e:  # noqa: BLE001  (the page answers the same: the address is not told apart)
            log.warning("password reset e-mail for user %s failed: %s: %s", context["user"].pk, type(e).__name__, e)


def _throttled(kind: str, value: str) -> bool:
    """Counts a reset request for this e-mail or client address in the current hour (the cache, shared
    by the server processes); True once it is over NSCL_PASSWORD_RESET_MAX."""
    key = "nscl:password-reset:%s:%s" % (kind, hashlib.sha256(value.encode()).hexdigest())
    return count_this_hour(key) > settings.NSCL_PASSWORD_RESET_MAX


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail, throttled per e-mail address and per client address. Whether the
    address belongs to an account is never told: the same page follows either way (a throttled
    request is refused the same way too, counted whether or not the address exists)."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = BilingualPasswordResetForm

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        by_email = _throttled("email", email)
        by_address = _throttled("address", self.request.META.get("REMOTE_ADDR", ""))
        if by_email or by_address:
            log.warning("password reset refused: too many requests (%s)", "e-mail" if by_email else "address")
            form.add_error(None, _("Đã có quá nhiều yêu cầu đặt lại mật khẩu. Vui lòng thử lại sau một giờ."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
