import logging

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _

from . import lockout

log = logging.getLogger("nscl.accounts")


class ThrottledLoginView(auth_views.LoginView):
    """The login page. Username lockout is django-axes' (nscl.accounts.lockout: the backend refuses a
    locked username before its password is checked, the lockout response is this page with HTTP 429);
    this view adds the per-address limit, which only ever refuses wrong passwords."""

    template_name = "accounts/login.html"

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
