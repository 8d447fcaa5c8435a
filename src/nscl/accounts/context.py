"""What every template knows of the user: the role decisions the menu needs (from roles)."""
from django.conf import settings

from . import roles


def role(request):
    user = request.user
    return {
        "nscl_role": roles.role_of(user),
        "nscl_is_staff_role": roles.is_staff_role(user),
        "nscl_can_registers": roles.can_view_registers(user),
        "nscl_can_audit": roles.can_view_audit(user),
        "nscl_can_reports": roles.can_view_reports(user),
        "nscl_can_tfp": roles.can_view_tfp(user),
        "nscl_can_enterprises": roles.can_view_enterprises(user),
        "nscl_own_enterprise_only": roles.own_tax_code(user) is not None,
        "nscl_can_analysis": roles.can_view_analysis(user),
        "nscl_can_trace": roles.can_use_trace(user),
        "nscl_public_progress": settings.NSCL_PUBLIC_PROGRESS,
    }
