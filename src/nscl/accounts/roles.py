"""One place for every permission decision, so views never improvise their own."""
from django.contrib.auth.models import AnonymousUser

from .models import Role


def role_of(user) -> str | None:
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "profile", None)
    return profile.role if profile else Role.VIEWER


def is_admin(user) -> bool:
    return role_of(user) == Role.ADMIN


def is_staff_role(user) -> bool:
    """Administrator or programme officer: full access to programme data."""
    return role_of(user) in (Role.ADMIN, Role.OFFICER)


def visible_activities(user, qs):
    """The activities a user may see; an enterprise user sees only their own enterprise's support."""
    role = role_of(user)
    if role is None:
        return qs.none()
    if role == Role.ENTERPRISE:
        org = user.profile.organisation_id
        if org is None:
            return qs.none()
        from nscl.programme.models import EnterpriseSupport

        own = EnterpriseSupport.objects.filter(organisation_id=org).values("pk")
        return qs.filter(pk__in=own)
    return qs


def can_create_activity(user, unit=None) -> bool:
    role = role_of(user)
    if role in (Role.ADMIN, Role.OFFICER):
        return True
    if role == Role.PARTNER:
        return unit is None or unit.pk == user.profile.unit_id
    return False


def can_edit_activity(user, activity) -> bool:
    """Officers edit anything unlocked; partners only their own unit's unconfirmed records."""
    role = role_of(user)
    if activity.is_confirmed:
        return False
    if role in (Role.ADMIN, Role.OFFICER):
        return True
    if role == Role.PARTNER:
        return activity.responsible_unit_id == user.profile.unit_id
    return False


def can_confirm(user) -> bool:
    return is_staff_role(user)


def can_view_audit(user) -> bool:
    return is_admin(user)


STATS_UNIT = "ctk"  # the statistics office's unit code: its partner users enter and run TFP series


def can_view_tfp(user) -> bool:
    return role_of(user) not in (None, Role.ENTERPRISE)


def can_edit_tfp(user) -> bool:
    role = role_of(user)
    if role in (Role.ADMIN, Role.OFFICER):
        return True
    return role == Role.PARTNER and user.profile.unit is not None and user.profile.unit.code == STATS_UNIT


def can_publish_tfp(user) -> bool:
    return is_staff_role(user)
