"""One place for every permission decision, so views and forms never improvise their own.

The functions read only the user's profile and the attributes of the object they are asked about,
so this module imports no other app (apps above it call it; see docs/architecture.md).
"""
from django.conf import settings
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
        lookup = getattr(qs.model, "organisation_lookup", None)
        return qs.filter(**{f"{lookup}_id": org}) if lookup else qs.none()
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


def fixed_unit_id(user):
    """The unit a user's records must belong to (a partner's own), or None when any unit may be chosen."""
    return user.profile.unit_id if role_of(user) == Role.PARTNER else None


def can_view_reports(user) -> bool:
    """The annual report and other cross-organisation documents name every supported enterprise with
    dates and amounts: for administrators, officers, partner units and viewers, never for an
    enterprise user (who sees only their own organisation's records)."""
    return role_of(user) in (Role.ADMIN, Role.OFFICER, Role.PARTNER, Role.VIEWER)


def can_see_draft_targets(user) -> bool:
    """Targets of a phase before their publication are work in progress of the programme's staff."""
    return is_staff_role(user)


def can_set_targets(user) -> bool:
    """Copying, editing and publishing a phase's targets: the administrator (issue: the province's
    decision is entered by the system's administrator, not by every officer)."""
    return is_admin(user)


def can_confirm(user) -> bool:
    return is_staff_role(user)


def can_view_audit(user) -> bool:
    return is_admin(user)


def can_view_tfp(user) -> bool:
    return role_of(user) not in (None, Role.ENTERPRISE)


def can_edit_tfp(user) -> bool:
    role = role_of(user)
    if role in (Role.ADMIN, Role.OFFICER):
        return True
    return (role == Role.PARTNER and user.profile.unit is not None
            and user.profile.unit.code == settings.NSCL_STATS_UNIT)


def can_publish_tfp(user) -> bool:
    return is_staff_role(user)


def can_view_analysis(user) -> bool:
    """Firm-level estimation is for the programme's analysts, not for enterprises or the public."""
    return role_of(user) not in (None, Role.ENTERPRISE)


def can_run_analysis(user) -> bool:
    return role_of(user) in (Role.ADMIN, Role.OFFICER, Role.PARTNER)


def visible_analyses(user, qs):
    """Officers see every analysis; other analysts only their own."""
    if not can_view_analysis(user):
        return qs.none()
    return qs if is_staff_role(user) else qs.filter(created_by=user)
