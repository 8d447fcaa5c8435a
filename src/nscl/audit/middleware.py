"""Makes the request's user the acting user of every save during the request."""
from .context import acting_user


class AuditUserMiddleware:
    """Make the request's user known to the audit signals."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = acting_user.set(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            acting_user.reset(token)
