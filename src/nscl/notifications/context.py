"""The header's unread count: one indexed count (notification_unread_idx), only when a page shows
it (lazy), none for anonymous visitors."""
from django.utils.functional import SimpleLazyObject

from .services import unread_count


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nscl_unread": SimpleLazyObject(lambda: unread_count(user))}
