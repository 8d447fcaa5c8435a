from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _

from . import throttle


def _client_ip(request):
    return request.META.get("REMOTE_ADDR", "")


class ThrottledLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        ip = _client_ip(request)
        if throttle.is_locked(username, ip):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle.record_failure(form.data.get("username", ""), _client_ip(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        throttle.reset(form.get_user().get_username(), _client_ip(self.request))
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form):
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return super().form_valid(form)
