"""The library's rules, in one place: which cases are public (published, from a counted dossier,
with an active consent), whether their figures are (the consent's scope), the search, the
before/after labour productivity, and the writes (each permission-checked, in one transaction)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from nscl.accounts import roles
from nscl.common.params import int_param
from nscl.enterprises import vsic
from nscl.enterprises.dossiers import COUNTED, Dossier
from nscl.enterprises.models import IndustryCode, SupportContent, fold

from .models import CaseFile, Consent, PracticeCase

TOOL_GROUPS = (SupportContent.Group.TOOL,)
STANDARD_GROUPS = (SupportContent.Group.SYSTEM, SupportContent.Group.CONFORMITY)


def _active_consent(figures=False):
    q = Consent.objects.filter(case_id=OuterRef("pk"), revoked_at__isnull=True)
    return Exists(q.filter(figures_public=True) if figures else q)


def with_consent(qs):
    """Cases annotated with `consented` and `figures_public` (both from the active consent)."""
    return qs.annotate(consented=_active_consent(), figures_public=_active_consent(figures=True))


def public_cases():
    """The only cases any public page, search or filter list may read."""
    return (with_consent(PracticeCase.objects.all())
            .filter(status=PracticeCase.Status.PUBLISHED, consented=True, dossier__status__in=COUNTED)
            .select_related("dossier", "dossier__enterprise", "dossier__enterprise__commune", "dossier__content"))


def active_consent(case) -> Consent | None:
    return case.consents.filter(revoked_at__isnull=True).first()


def _group_filter(qs, code, groups):
    code = (code or "").strip()[:40]
    return qs.filter(dossier__content__code=code, dossier__content__group__in=groups) if code else qs


def _split_industry(value):
    version, _sep, code = (value or "").partition("-")
    return (version, code[:5]) if version in vsic.VERSIONS and code.isdigit() else (None, None)


def filter_cases(qs, params):
    """Search: q (words of the story, enterprise, tool, consultant; no diacritics needed), tool and
    standard (catalogue codes), industry (`2025-10`: the primary VSIC code's prefix in a version),
    commune (administrative unit id), model (national model enterprises only)."""
    q = (params.get("q") or "").strip()[:100]
    for word in fold(q).split():
        qs = qs.filter(search_text__contains=word)
    qs = _group_filter(qs, params.get("tool"), TOOL_GROUPS)
    qs = _group_filter(qs, params.get("standard"), STANDARD_GROUPS)
    version, code = _split_industry(params.get("industry"))
    if code:
        qs = qs.filter(dossier__enterprise__in=IndustryCode.objects.filter(
            is_primary=True, version=version, code__startswith=code).values("enterprise_id"))
    commune = int_param(params.get("commune"), lo=1)
    if commune is not None:
        qs = qs.filter(dossier__enterprise__commune_id=commune)
    if params.get("model") == "1":
        qs = qs.filter(model_enterprise=True)
    return qs


def filter_options(public):
    """The choices of the search form, from public cases only (a private case's commune or industry
    never shows up as an option)."""
    contents = SupportContent.objects.filter(pk__in=public.values("dossier__content_id"))
    industries = {}
    for ver, code in IndustryCode.objects.filter(is_primary=True, enterprise_id__in=public.values(
            "dossier__enterprise_id")).values_list("version", "code"):
        item = vsic.lookup(ver, code[:2])
        industries[f"{ver}-{code[:2]}"] = f"{code[:2]} — {item.name if item else ''} (VSIC {ver})"
    communes = dict(public.filter(dossier__enterprise__commune__isnull=False).order_by()
                    .values_list("dossier__enterprise__commune_id", "dossier__enterprise__commune__name").distinct())
    return {"tools": [c for c in contents if c.group in TOOL_GROUPS],
            "standards": [c for c in contents if c.group in STANDARD_GROUPS],
            "industries": sorted(industries.items()), "communes": sorted(communes.items(), key=lambda kv: kv[1])}


def productivity(case) -> dict:
    """Labour productivity (value added per employee) the year before acceptance and the latest year
    after it, from the enterprise's yearly figures; None where a year has no usable figures."""
    d = case.dossier
    year = d.accepted_on.year if d.accepted_on else None
    out = {"before_year": None, "before": None, "after_year": None, "after": None, "change_pct": None}
    if year is None:
        return out
    figures = [f for f in d.enterprise.figures.filter(year__gte=year - 1).order_by("year")]
    for f in figures:
        f.enterprise = d.enterprise
        lp = f.labour_productivity
        if lp is None:
            continue
        if f.year == year - 1:
            out["before_year"], out["before"] = f.year, lp
        elif f.year > year:
            out["after_year"], out["after"] = f.year, lp
    if out["before"] and out["after"] is not None:
        out["change_pct"] = float((out["after"] - out["before"]) / out["before"] * 100)
    return out


# --- writes --------------------------------------------------------------------------------------

def eligible_dossiers():
    """Accepted or closed dossiers that are not a case yet."""
    return (Dossier.objects.filter(status__in=COUNTED, practice_case__isnull=True)
            .select_related("enterprise", "content").order_by("-accepted_on", "-pk"))


def _curator(user):
    if not roles.can_curate_practices(user):
        raise PermissionDenied


@transaction.atomic
def create_case(dossier, user, **fields) -> PracticeCase:
    _curator(user)
    if dossier.status not in COUNTED:
        raise ValidationError(_("Chỉ xây dựng điển hình từ hồ sơ đã nghiệm thu hoặc đã kết thúc."))
    if PracticeCase.objects.filter(dossier=dossier).exists():
        raise ValidationError(_("Hồ sơ này đã có điển hình."))
    return PracticeCase.objects.create(dossier=dossier, created_by=user, is_demo=dossier.is_demo, **fields)


@transaction.atomic
def give_consent(case, user, *, figures_public: bool, basis: str = "") -> Consent:
    """Record the enterprise's consent (replacing an active one: a change of scope is a new row)."""
    if not roles.can_manage_practice_consent(user, case.dossier.enterprise.tax_code):
        raise PermissionDenied
    basis = (basis or "").strip()
    if roles.own_tax_code(user) is None and not basis:
        raise ValidationError(_("Cán bộ ghi nhận thay doanh nghiệp cần ghi căn cứ (văn bản đồng ý của doanh nghiệp)."))
    now = timezone.now()
    # the case's row first: parallel consents take turns (each replaces the one before), where
    # locking only the active consent would let two requests each find none and both insert
    PracticeCase.objects.select_for_update().filter(pk=case.pk).exists()
    for old in Consent.objects.select_for_update().filter(case=case, revoked_at__isnull=True):
        old.revoked_at, old.revoked_by = now, user
        old.save()
    return Consent.objects.create(case=case, figures_public=figures_public, basis=basis, given_by=user, given_at=now)


@transaction.atomic
def revoke_consent(case, user) -> bool:
    """Close the active consent; the case leaves the public pages at once and goes back to draft (an
    officer publishes it again only after a new consent)."""
    if not roles.can_manage_practice_consent(user, case.dossier.enterprise.tax_code):
        raise PermissionDenied
    active = list(Consent.objects.select_for_update().filter(case=case, revoked_at__isnull=True))
    for c in active:
        c.revoked_at, c.revoked_by = timezone.now(), user
        c.save()
    if case.status == PracticeCase.Status.PUBLISHED:
        case.status = PracticeCase.Status.DRAFT
        case.save()
    return bool(active)


@transaction.atomic
def publish(case, user) -> PracticeCase:
    _curator(user)
    if case.dossier.status not in COUNTED:
        raise ValidationError(_("Hồ sơ hỗ trợ của điển hình không còn ở trạng thái đã nghiệm thu."))
    if active_consent(case) is None:
        raise ValidationError(_("Doanh nghiệp chưa đồng ý công khai điển hình này: chưa công bố được."))
    case.status, case.published_at, case.published_by = PracticeCase.Status.PUBLISHED, timezone.now(), user
    case.save()
    return case


@transaction.atomic
def unpublish(case, user) -> PracticeCase:
    _curator(user)
    case.status = PracticeCase.Status.DRAFT
    case.save()
    return case


@transaction.atomic
def add_file(case, user, *, kind, file, caption="", is_public=False) -> CaseFile:
    _curator(user)
    obj = CaseFile(case=case, kind=kind, file=file, original_name=file.name[:255], caption=caption,
                   is_public=is_public, uploaded_by=user)
    obj.full_clean(exclude=["file"])
    obj.save()
    return obj
