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


def can_view_progress(user) -> bool:
    """The plan's progress (dashboard, targets, chart, exports, /api/v1/targets): anyone signed in,
    and everyone when the province publishes it (NSCL_PUBLIC_PROGRESS=1)."""
    return settings.NSCL_PUBLIC_PROGRESS or bool(getattr(user, "is_authenticated", False))


def visible_activities(user, qs):
    """The programme's activity records a user may see. They name no enterprise (support to an
    enterprise is its dossier in the registry), so an enterprise user sees none of them: their own
    dossiers are in the enterprise portal."""
    role = role_of(user)
    if role is None or role == Role.ENTERPRISE:
        return qs.none()
    return qs


def can_view_registers(user) -> bool:
    """The activity registers (the "Sổ hoạt động" menu): every signed-in role that can see records
    (visible_activities); an enterprise user has none, their dossiers are in the enterprise portal."""
    return role_of(user) not in (None, Role.ENTERPRISE)


def lands_on_own_enterprise(user) -> bool:
    """After login an enterprise user starts on "Doanh nghiệp của tôi" (enterprise_mine), the
    other roles on the programme dashboard."""
    return role_of(user) == Role.ENTERPRISE


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


def can_write_report_closing(user) -> bool:
    """The annual report's closing sections (shortcomings, causes, next year's directions,
    recommendations) are the Department's assessment: written by officers and administrators."""
    return is_staff_role(user)


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


# --- Enterprises (nscl.enterprises) ---------------------------------------------------------------
# An enterprise user acts for the enterprise of their profile: a 10-digit code also covers its
# branches (the same 10 digits + "-NNN"), a branch's code only itself.
# Read from attributes only (profile.enterprise.tax_code, the object's tax_code): no app import.

ENTERPRISE_USER_TRANSITIONS = frozenset({"withdraw", "implement"})
# an officer also reopens a withdrawn or rejected dossier (with a reason): the undo of those two moves
OFFICER_TRANSITIONS = frozenset({"appraise", "approve", "reject", "implement", "accept", "close", "reopen"})


def own_tax_code(user) -> str | None:
    """The normalised tax code an enterprise user acts for (`0123456789` or `0123456789-001`)."""
    if role_of(user) != Role.ENTERPRISE:
        return None
    enterprise = getattr(user.profile, "enterprise", None)
    digits = "".join(ch for ch in (getattr(enterprise, "tax_code", "") or "") if ch.isdigit())
    if len(digits) == 10:
        return digits
    if len(digits) == 13:
        return f"{digits[:10]}-{digits[10:]}"
    return None


def _owns(user, tax_code) -> bool:
    own = own_tax_code(user)
    return bool(own and tax_code and (tax_code == own or (len(own) == 10 and tax_code.startswith(own + "-"))))


def can_view_enterprises(user) -> bool:
    return role_of(user) is not None


def can_manage_enterprises(user) -> bool:
    """Registering enterprises, importing, editing any enterprise and the support catalogue."""
    return is_staff_role(user)


def visible_enterprises(user, qs):
    """Enterprises (or their dossiers, figures, certificates: the model names the lookup to the tax
    code in `enterprise_tax_code_lookup`) a user may see: an enterprise user only their own and its
    branches; the programme's other roles all."""
    from django.db.models import Q

    role = role_of(user)
    if role is None:
        return qs.none()
    if role != Role.ENTERPRISE:
        return qs
    own = own_tax_code(user)
    lookup = getattr(qs.model, "enterprise_tax_code_lookup", None)
    if own is None or lookup is None:
        return qs.none()
    match = Q(**{lookup: own})
    if len(own) == 10:
        match |= Q(**{f"{lookup}__startswith": own + "-"})
    return qs.filter(match)


def can_reopen_period(user) -> bool:
    """Reopening a closed reporting year of an enterprise's figures (with a reason): officers."""
    return is_staff_role(user)


def can_edit_enterprise(user, enterprise) -> bool:
    """Officers edit any enterprise; an enterprise user their own (and its branches): its details,
    contacts, yearly figures and certificates."""
    if is_staff_role(user):
        return True
    return role_of(user) == Role.ENTERPRISE and _owns(user, enterprise.tax_code)


def can_view_reporting_completeness(user) -> bool:
    """The registry-wide reporting rates (issue 23): the programme's staff."""
    return is_staff_role(user)


def can_apply_for_support(user, enterprise) -> bool:
    return can_edit_enterprise(user, enterprise)


def can_transition_dossier(user, dossier, transition) -> bool:
    """Officers appraise, approve, reject, record implementation, accept, close and reopen (a
    withdrawn or rejected dossier, with a reason); an enterprise user withdraws its own dossier and
    records its implementation (contract with the consultant or certification body). Whether the
    move is allowed from the dossier's status is the workflow's."""
    role = role_of(user)
    if role in (Role.ADMIN, Role.OFFICER):
        return transition in OFFICER_TRANSITIONS
    if role == Role.ENTERPRISE:
        return transition in ENTERPRISE_USER_TRANSITIONS and _owns(user, dossier.enterprise.tax_code)
    return False


def can_add_dossier_attachment(user, dossier) -> bool:
    return can_edit_enterprise(user, dossier.enterprise)


# --- Good-practice library (nscl.practices) ------------------------------------------------------
# Public pages need no decision: what is public is the case's consent (practices.services). Cases
# name their enterprise's tax code in `enterprise_tax_code_lookup`, so visible_enterprises applies.

def can_curate_practices(user) -> bool:
    """Creating cases from accepted dossiers, writing them, measured indicators, photos and
    documents, publishing: the programme's officers."""
    return is_staff_role(user)


def can_manage_practice_consent(user, tax_code) -> bool:
    """Giving or revoking consent to publish a case: the enterprise user for its own enterprise (and
    its branches); an officer records a consent or a revocation the enterprise gave in writing."""
    return is_staff_role(user) or _owns(user, tax_code)


def visible_practice_cases(user, qs):
    """Cases a user may see unpublished (the management pages): officers all, an enterprise user its
    own; the public sees published, consented cases through the public pages only."""
    if is_staff_role(user):
        return qs
    if role_of(user) == Role.ENTERPRISE:
        return visible_enterprises(user, qs)
    return qs.none()


# --- Traceability (nscl.trace) --------------------------------------------------------------------
# An enterprise records EPCIS events for itself (with an API key or as its users) and reads its own
# events and those of partners who share theirs with it; officers and administrators read all (a
# province-wide recall). Read from attributes only (owner_id, revoked_at, pk): no app import.


def can_see_all_trace(user) -> bool:
    return is_staff_role(user)


def can_use_trace(user) -> bool:
    """The event repository, traces and recalls: officers, administrators and enterprise users."""
    return is_staff_role(user) or own_tax_code(user) is not None


def can_manage_trace(user, enterprise) -> bool:
    """An enterprise's locations, product catalogue, API keys and data sharing: its own users and officers."""
    return can_edit_enterprise(user, enterprise)


def can_use_api_key(key) -> bool:
    return key.revoked_at is None


def can_capture_at(sees_all, enterprise_ids, key_location_ids, location) -> bool:
    """Events are recorded only at the recorder's own locations, and a key limited to some locations
    only at those; officers and the command line record for the location's owner."""
    if sees_all:
        return True
    if location.owner_id not in enterprise_ids:
        return False
    return key_location_ids is None or location.pk in key_location_ids


def can_record_product(enterprise_ids, sharer_ids, product) -> bool:
    """A product in an event must be in the recorder's catalogue or in that of a partner sharing its
    data with the recorder (the supplier whose goods it received)."""
    return product is not None and (product.owner_id in enterprise_ids or product.owner_id in sharer_ids)


def can_use_gs1_number(holder_id, owner_ids) -> bool:
    """A GTIN, GLN or SSCC is registered or recorded only for the enterprise that holds the verified
    GS1 company prefix it falls under (`holder_id`, from nscl.trace.prefixes): `owner_ids` are the
    enterprises it may belong to here (a product's or location's owner; for a pallet, the recorder
    and the partners sharing with it)."""
    return holder_id is not None and holder_id in owner_ids


def can_verify_prefixes(user) -> bool:
    """Verifying or rejecting an enterprise's GS1 company prefix against its GS1 Vietnam certificate."""
    return is_staff_role(user)


def can_declare_recall(user, enterprise) -> bool:
    """Declaring (and ending) a recall of an enterprise's lots: its own users and officers."""
    return can_manage_trace(user, enterprise)


def can_view_recall(user, owner, notified=()) -> bool:
    """A recall record: officers, the recalling enterprise's users, and those of the enterprises it
    was notified to (objects with `tax_code`)."""
    if is_staff_role(user):
        return True
    return any(_owns(user, e.tax_code) for e in [owner, *notified])


def can_handle_counterfeit_reports(user) -> bool:
    """Consumers' reports of codes that may be fake reach the Department's officers."""
    return is_staff_role(user)
