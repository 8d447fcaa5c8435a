"""Writes and computed views of the programme, shared by pages, API, exports and commands."""
from __future__ import annotations

import contextvars
import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nscl.accounts import roles
from nscl.accounts.models import Role
from nscl.audit.api import Action, recording
from nscl.notifications import services as notifications

from . import cache as progress_cache
from nscl.enterprises.services import accepted_dossiers, support_counting_rows

from .models import (KIND_MODELS, Activity, ActivityKind, Evidence, Phase, ProgrammeDocument, ReportClosing, Target, TargetRevision,
                     TfpMeasurement, Unit)
from .progress import evaluate
from .wording import other_phase_mentions


class StaleForm(Exception):
    pass


def counting_rows(target, years):
    """(year, key) of the confirmed, completed records that count toward `target`; support to
    enterprises counts accepted dossiers of the registry (distinct enterprises, a branch with its
    parent unless the target counts by "enterprise")."""
    if target.activity_kind == ActivityKind.SUPPORT:
        rows = support_counting_rows(years[0], years[-1], criteria=target.criteria,
                                              branches_separately=target.distinct_by == "enterprise")
        if target.distinct_by:
            return rows
        return [(year, n) for n, (year, _key) in enumerate(rows)]  # every dossier counts
    model = KIND_MODELS[target.activity_kind]
    qs = model.objects.filter(
        status=Activity.Status.COMPLETED,
        confirmed_at__isnull=False,
        count_year__gte=years[0],
        count_year__lte=years[-1],
        **(target.criteria or {}),
    )
    return list(qs.values_list("count_year", target.distinct_by or "pk"))


def counting_records(target, years):
    """The records behind a target's count: activities, or accepted dossiers for support."""
    if target.activity_kind == ActivityKind.SUPPORT:
        return accepted_dossiers(years[0], years[-1], target.criteria)
    model = KIND_MODELS[target.activity_kind]
    return model.objects.filter(
        status=Activity.Status.COMPLETED, confirmed_at__isnull=False,
        count_year__gte=years[0], count_year__lte=years[-1], **(target.criteria or {}),
    ).select_related("responsible_unit", "location")


def default_phase(phases):
    """The phase the dashboard, the API and exports open on when none is asked for: the one
    containing today (even while its targets are not set: the page says so), else the last one."""
    phases = list(phases)
    if not phases:
        return None
    today = timezone.localdate().year
    return next((p for p in phases if p.contains(today)), phases[-1])


def previous_phase(phase: Phase) -> Phase | None:
    return Phase.objects.filter(end_year__lt=phase.start_year).order_by("-end_year").first()


def published_progress(phase: Phase, as_of: int | None = None, unit=None, *, drafts: bool = False):
    """Progress to show: none for a phase whose targets are an unpublished draft, unless the viewer
    may see drafts (roles.can_see_draft_targets)."""
    if not (phase.targets_published or drafts):
        return []
    return phase_progress(phase, as_of=as_of, unit=unit)


def default_as_of(phase: Phase) -> int:
    return min(max(timezone.localdate().year, phase.start_year), phase.end_year)


def phase_progress(phase: Phase, as_of: int | None = None, unit=None):
    as_of = default_as_of(phase) if as_of is None else min(max(as_of, phase.start_year), phase.end_year)

    def compute():
        targets = phase.targets.select_related("responsible_unit")
        if unit is not None:
            targets = targets.filter(responsible_unit=unit)
        years = phase.years
        today = timezone.localdate().year
        return [evaluate(t, counting_rows(t, years), years, as_of, today) for t in targets]

    return progress_cache.cached_progress(phase, as_of, unit, compute)


def target_progress(target: Target, as_of: int | None = None):
    phase = target.phase
    as_of = default_as_of(phase) if as_of is None else min(max(as_of, phase.start_year), phase.end_year)
    return evaluate(target, counting_rows(target, phase.years), phase.years, as_of, timezone.localdate().year)


@transaction.atomic
def save_activity(form, user, *, expected_version=None, token=None, evidence=("", ())):
    """Save a validated activity form; refuse a stale or repeated submission, saving nothing.
    Concurrent submissions of one form token: the unique token decides (the loser's insert fails).
    `evidence` (type, checked files) of a new record is attached in the same transaction."""
    obj = form.instance
    if obj.pk is None:
        repeated = _("Biểu mẫu này đã được gửi trước đó; hồ sơ không được tạo lần nữa.")
        if token and Activity.objects.filter(submission_token=token).exists():
            raise StaleForm(repeated)
        obj.submission_token = token
        obj.created_by = user
        try:
            with transaction.atomic():
                saved = form.save()
        except IntegrityError:
            if token and Activity.objects.filter(submission_token=token).exists():
                raise StaleForm(repeated) from None
            raise
        _attach_evidence(saved, user, *evidence)
        _notify_awaiting(saved, user, was=None)
        return saved
    current = Activity.objects.select_for_update().get(pk=obj.pk)
    if expected_version is None or int(expected_version) != current.version:
        raise StaleForm(_("Hồ sơ đã được người khác thay đổi sau khi bạn mở biểu mẫu. Vui lòng tải lại và nhập lại."))
    if current.confirmed_at is not None:
        raise StaleForm(_("Hồ sơ đã được xác nhận và bị khóa; cần mở lại trước khi sửa."))
    obj.version = current.version + 1
    saved = form.save()
    _notify_awaiting(saved, user, was=current.status)
    return saved


def _attach_evidence(activity, user, kind, files):
    """Evidence files (checked by the form) of a record being created. A failed write removes the
    files already stored and fails the whole (the record is rolled back with it)."""
    if not files:
        return
    if not roles.can_edit_activity(user, activity):
        raise PermissionDenied
    stored = []
    try:
        for f in files:
            ev = Evidence(activity=activity, type=kind, size=f.size, uploaded_by=user)
            ev.file.save(f.name, f, save=False)
            stored.append(ev.file)
            ev.save()
    except BaseException:
        for fieldfile in stored:
            fieldfile.storage.delete(fieldfile.name)
        raise


def _notify_awaiting(obj, user, was):
    """A partner unit's record waits for an officer's confirmation: the officers are told when it is
    created and when it becomes completed (it counts once confirmed); once per record and version."""
    if roles.role_of(user) != Role.PARTNER or obj.confirmed_at is not None:
        return
    completed = obj.status == Activity.Status.COMPLETED
    if was is not None and (not completed or was == Activity.Status.COMPLETED):
        return
    unit = obj.responsible_unit
    notifications.notify(notifications.officers(), notifications.ACTIVITY_AWAITING, {
        "title": obj.title, "unit": notifications.both(unit.name, unit.name_en),
        "activity_kind": ActivityKind(obj.kind).label, "status": Activity.Status(obj.status).label},
        reverse("activity_detail", args=[obj.kind, obj.pk]),
        dedupe_key=f"activity:{obj.pk}:{'created' if was is None else 'completed'}:{obj.version}")


@transaction.atomic
def confirm(activity, user):
    obj = activity.specific()
    locked = Activity.objects.select_for_update().get(pk=obj.pk)
    if locked.confirmed_at is not None:
        return obj
    obj.confirmed_at = timezone.now()
    obj.confirmed_by = user
    obj.version = locked.version + 1
    with recording(Action.CONFIRM):
        obj.save()
    return obj


@dataclass
class BulkConfirmation:
    confirmed: list   # the records this call confirmed (each audited as a single confirmation)
    already: list     # the records someone had confirmed meanwhile: left as they were
    missing: list     # ids not (or no longer) in the register


@transaction.atomic
def confirm_many(kind: str, ids, user) -> BulkConfirmation:
    """Confirm the pending records `ids` of register `kind` at once, in one transaction: each is
    locked, confirmed and audited as `confirm` does (one entry per record); a record confirmed
    meanwhile is reported in `already`, not confirmed twice; an id not in the register in `missing`."""
    if not roles.can_confirm(user):
        raise PermissionDenied
    ids = list(dict.fromkeys(ids))
    locked = {a.pk: a for a in Activity.objects.select_for_update().filter(pk__in=ids, kind=kind).order_by("pk")}
    objs = KIND_MODELS[kind].objects.in_bulk(list(locked))
    now = timezone.now()
    result = BulkConfirmation([], [], [pk for pk in ids if pk not in locked])
    for pk in ids:
        if pk not in locked:
            continue
        obj = objs[pk]
        if locked[pk].confirmed_at is not None:
            result.already.append(obj)
            continue
        obj.confirmed_at, obj.confirmed_by, obj.version = now, user, locked[pk].version + 1
        with recording(Action.CONFIRM):
            obj.save()
        result.confirmed.append(obj)
    return result


@transaction.atomic
def reopen(activity, user):
    obj = activity.specific()
    Activity.objects.select_for_update().get(pk=obj.pk)
    obj.confirmed_at = None
    obj.confirmed_by = None
    obj.version += 1
    with recording(Action.REOPEN):
        obj.save()
    return obj


@transaction.atomic
def save_report_closing(year: int, values: dict, user, *, expected_version) -> ReportClosing:
    """Write a year's closing sections of the annual report (created on the first save). A page
    opened on another version (someone saved meanwhile) is refused, nothing written."""
    if not roles.can_write_report_closing(user):
        raise PermissionDenied
    if not Phase.objects.filter(start_year__lte=year, end_year__gte=year).exists():
        raise StaleForm(_("Không có giai đoạn nào chứa năm %(y)s.") % {"y": year})
    current = ReportClosing.objects.select_for_update().filter(year=year).first()
    if (current.version if current else 0) != (expected_version or 0):
        raise StaleForm(_("Phần đánh giá năm %(y)s đã được người khác sửa sau khi bạn mở trang; nội dung của bạn "
                          "chưa được lưu. Tải lại trang để xem bản mới rồi nhập lại.") % {"y": year})
    closing = current or ReportClosing(year=year, version=0)
    for name in ReportClosing.TEXT_FIELDS:
        setattr(closing, name, (values.get(name) or "").strip())
    closing.version += 1
    closing.updated_by = user
    closing.save()
    return closing


# the day a TFP figure was published, for one entered afterwards (services.publish of stats passes no date)
_tfp_carried_out = contextvars.ContextVar("nscl_tfp_carried_out", default=None)


@contextmanager
def tfp_carried_out_on(day: datetime.date | None):
    """Inside the block, a TFP measurement recorded is dated `day` (None: the default rule)."""
    token = _tfp_carried_out.set(day)
    try:
        yield
    finally:
        _tfp_carried_out.reset(token)


def _tfp_day(year: int, is_demo: bool, existing) -> datetime.date:
    """The day a measurement was carried out: the one given (tfp_carried_out_on); else a republished
    figure keeps the day it was first published (a corrected run replaces the figure, not the act);
    else today. An illustrative figure, loaded all at once, is dated 31 March of the year after its
    data year (never after today), as the statistics office would have published it."""
    today = timezone.localdate()
    given = _tfp_carried_out.get()
    if given is not None:
        return given
    if existing is not None and existing.end_date is not None:
        return existing.end_date
    if is_demo:
        return min(datetime.date(year + 1, 3, 31), today)
    return today


def tfp_measurement_title(year: int, lang=None) -> str:
    """The title the system gives a TFP measurement, in `lang` (the active language when None): stored
    in Vietnamese, made again in the reader's language by `activity_title`."""
    with translation.override(lang or translation.get_language()):
        return _("Đo lường đóng góp của TFP năm %(y)s") % {"y": year}


def activity_title(activity, lang=None) -> str:
    """An activity's title in the reader's language: a TFP measurement's title, written by the system
    (record_tfp_measurement), is made again from its year; any other title is the user's text."""
    year = getattr(activity, "year_measured", None)
    if year and activity.title == tfp_measurement_title(year, "vi"):
        return tfp_measurement_title(year, lang)
    return activity.title


@transaction.atomic
def record_tfp_measurement(year: int, reference: str, user, *, is_demo=False, existing=None) -> TfpMeasurement:
    """The programme's record of a published TFP figure (target MT6 counts it): completed and
    confirmed at once, the statistics office responsible. `existing` is updated when republished.
    It counts toward the phase containing the day it was carried out (published), its figure
    belongs to `year` (README, "Objective 6 across phases")."""
    day = _tfp_day(year, is_demo, existing)
    if year > day.year:  # the publication form refuses it first, in words
        raise ValueError(_("Số liệu TFP năm %(y)s không thể công bố ngày %(d)s, trước khi năm đó bắt đầu.")
                         % {"y": year, "d": day.strftime("%d/%m/%Y")})
    unit = Unit.objects.filter(code=settings.NSCL_STATS_UNIT).first() or Unit.objects.first()
    fields = dict(title=tfp_measurement_title(year, "vi"), start_date=day, end_date=day,
                  status=Activity.Status.COMPLETED, responsible_unit=unit, year_measured=year,
                  result_reference=reference, confirmed_at=timezone.now(), confirmed_by=user, is_demo=is_demo)
    activity = existing or TfpMeasurement()
    for k, v in fields.items():
        setattr(activity, k, v)
    if activity.pk is not None:
        activity.version = (activity.version or 0) + 1
    activity.save()
    return activity


COPIED_TARGET_FIELDS = ["code", "objective", "description", "description_en", "unit", "unit_en", "activity_kind",
                        "criteria", "distinct_by", "kind", "min_value", "max_value", "tolerance_pct", "every_year",
                        "condition", "condition_en", "responsible_unit", "order"]
# the text fields whose wording may still name the phase it was copied from
WORDING_FIELDS = ["description", "description_en", "unit", "unit_en", "condition", "condition_en"]


class PhaseSetupError(Exception):
    pass


def wording_warnings(phase: Phase, values: dict) -> list[str]:
    """The phrases of a target's wording (`values`: field → text) that name another phase."""
    found = []
    for name in WORDING_FIELDS:
        found += other_phase_mentions(values.get(name) or "", phase.start_year, phase.end_year)
    found = list(dict.fromkeys(found))
    # "2021-2025" of the English or the condition is said with "giai đoạn 2021-2025" already
    return [f for f in found if not any(f != other and f in other for other in found)]


def target_values(target: Target) -> dict:
    """What a revision keeps of a target: its wording, kind and numbers (as text, "20", "1.5")."""
    def num(v):
        return None if v is None else format(Decimal(v).normalize(), "f")
    return {"objective": target.objective, "description": target.description, "description_en": target.description_en,
            "unit": target.unit, "unit_en": target.unit_en, "kind": target.kind, "min_value": num(target.min_value),
            "max_value": num(target.max_value) if target.kind == Target.Kind.RANGE else None,
            "tolerance_pct": num(target.tolerance_pct) if target.kind == Target.Kind.ABOUT else None,
            "every_year": target.every_year, "activity_kind": target.activity_kind,
            "condition": target.condition, "condition_en": target.condition_en}


def _snapshot(phase: Phase) -> dict:
    return {t.code: target_values(t) for t in phase.targets.order_by("order", "code")}


@transaction.atomic
def copy_targets(source: Phase, phase: Phase) -> int:
    """Start a phase's draft from the previous phase's targets (kinds, activity kinds, counting
    rules, wording and numbers), to be edited and published."""
    if phase.targets_published:
        raise PhaseSetupError(_("Chỉ tiêu giai đoạn %(p)s đã công bố; không sao chép đè.") % {"p": phase.code})
    if phase.targets.exists():
        raise PhaseSetupError(_("Giai đoạn %(p)s đã có bản nháp chỉ tiêu.") % {"p": phase.code})
    n = 0
    for t in source.targets.all():
        Target.objects.create(phase=phase, **{f: getattr(t, f) for f in COPIED_TARGET_FIELDS})
        n += 1
    return n


def _document(data: dict | None) -> ProgrammeDocument | None:
    """The document `data` (number, title, issued_on, issuer) names: the stored one with exactly these
    values (a document is never edited here: revisions cite it), else a new one."""
    if not data:
        return None
    same = ProgrammeDocument.objects.filter(**{k: data[k] for k in ("number", "title", "issued_on", "issuer")})
    return same.order_by("pk").first() or ProgrammeDocument.objects.create(**data)


def _drop_if_unused(doc: ProgrammeDocument | None):
    """A draft's document replaced before any publication cited it is removed (no file, no reference)."""
    if doc is None or doc.file:
        return
    if (Phase.objects.filter(Q(document=doc) | Q(targets_document=doc)).exists()
            or TargetRevision.objects.filter(document=doc).exists()):
        return
    doc.delete()


def _write_targets(phase: Phase, formset, *, deleting=True):
    if formset is None:
        return
    for obj in formset.save(commit=False):
        obj.phase = phase
        obj.save()
    for obj in formset.deleted_objects:
        if not deleting:
            raise PhaseSetupError(_("Không xóa chỉ tiêu đã công bố khi sửa đổi; thu hồi công bố nếu cần bỏ chỉ tiêu."))
        obj.delete()


def _locked(phase: Phase) -> Phase:
    return Phase.objects.select_for_update().get(pk=phase.pk)


@transaction.atomic
def save_draft(phase: Phase, formset, document: dict | None = None) -> Phase:
    """Save a draft's targets (a validated formset) and, when given, the document that will set
    them: a draft may be saved at any time, the document is needed only to publish."""
    phase = _locked(phase)
    if phase.targets_published:
        raise PhaseSetupError(_("Chỉ tiêu giai đoạn %(p)s đã công bố; dùng “Sửa đổi” với văn bản mới.") % {"p": phase.code})
    _write_targets(phase, formset)
    if document:
        old, phase.targets_document = phase.targets_document, _document(document)
        phase.save(update_fields=["targets_document"])
        if old != phase.targets_document:
            _drop_if_unused(old)
    return phase


@transaction.atomic
def publish_targets(phase: Phase, user, formset=None, document: dict | None = None) -> Phase:
    """Publish a draft (saving the formset and document first, when given) and record which document
    set which values, when and by whom."""
    if formset is not None or document:
        save_draft(phase, formset, document)
    phase = _locked(phase)
    if phase.targets_published:
        raise PhaseSetupError(_("Chỉ tiêu giai đoạn %(p)s đã được công bố.") % {"p": phase.code})
    if not phase.targets.exists():
        raise PhaseSetupError(_("Chưa có chỉ tiêu nào để công bố."))
    if phase.targets_document_id is None:
        raise PhaseSetupError(_("Cần ghi văn bản ban hành chỉ tiêu (số, ngày, cơ quan) trước khi công bố."))
    now = timezone.now()
    phase.targets_published_at, phase.targets_published_by = now, user
    with recording(Action.CONFIRM):
        phase.save(update_fields=["targets_published_at", "targets_published_by"])
    values = _snapshot(phase)
    TargetRevision.objects.create(phase=phase, action=TargetRevision.Action.PUBLISH, document=phase.targets_document,
                                  values=values, changed=list(values), at=now, by=user)
    return phase


@transaction.atomic
def amend_targets(phase: Phase, user, formset, document: dict, reason: str = "") -> TargetRevision:
    """Change published targets by a new document: the values it sets replace the current ones at
    once, and the revision keeps which document set which values, when, by whom."""
    phase = _locked(phase)
    if not phase.targets_published:
        raise PhaseSetupError(_("Chỉ tiêu giai đoạn %(p)s chưa công bố; sửa bản nháp rồi công bố.") % {"p": phase.code})
    if not document:
        raise PhaseSetupError(_("Sửa đổi chỉ tiêu cần văn bản mới (số, ngày, cơ quan ban hành)."))
    cited = [r.document for r in phase.revisions.select_related("document") if r.document is not None]
    if phase.targets_document is not None:
        cited.append(phase.targets_document)
    for doc in cited:
        if doc.number.strip().lower() == document["number"].strip().lower() and doc.issued_on == document["issued_on"]:
            raise PhaseSetupError(_("Văn bản “%(n)s” ngày %(d)s đã ban hành chỉ tiêu giai đoạn này; sửa đổi cần văn "
                                    "bản mới.") % {"n": doc.number, "d": doc.issued_on.strftime("%d/%m/%Y")})
    before = _snapshot(phase)
    _write_targets(phase, formset, deleting=False)
    after = _snapshot(phase)
    changed = [code for code in after if before.get(code) != after[code]]
    if not changed:
        raise PhaseSetupError(_("Không có chỉ tiêu nào thay đổi; không ghi sửa đổi."))
    now = timezone.now()
    phase.targets_document, phase.targets_published_at, phase.targets_published_by = _document(document), now, user
    phase.save(update_fields=["targets_document", "targets_published_at", "targets_published_by"])
    return TargetRevision.objects.create(phase=phase, action=TargetRevision.Action.AMEND, document=phase.targets_document,
                                         values=after, changed=changed, reason=reason, at=now, by=user)


@transaction.atomic
def unpublish_targets(phase: Phase, user, reason: str) -> Phase:
    """Withdraw published targets: the phase's targets become a draft again (not public, not in the
    API) until published anew; the withdrawal and its reason stay in the history."""
    phase = _locked(phase)
    if not phase.targets_published:
        raise PhaseSetupError(_("Chỉ tiêu giai đoạn %(p)s chưa công bố.") % {"p": phase.code})
    if not (reason or "").strip():
        raise PhaseSetupError(_("Cần ghi lý do thu hồi công bố."))
    phase.targets_published_at, phase.targets_published_by = None, None
    with recording(Action.REOPEN):
        phase.save(update_fields=["targets_published_at", "targets_published_by"])
    TargetRevision.objects.create(phase=phase, action=TargetRevision.Action.UNPUBLISH, document=phase.targets_document,
                                  values=_snapshot(phase), reason=reason.strip(), at=timezone.now(), by=user)
    return phase


def _as_target(values: dict) -> Target:
    """An unsaved target holding a revision's values (to be shown as the plan it was)."""
    def dec(v):
        return None if v is None else Decimal(v)
    return Target(kind=values["kind"], min_value=dec(values["min_value"]), max_value=dec(values.get("max_value")),
                  tolerance_pct=dec(values.get("tolerance_pct")) or Decimal(10), every_year=values.get("every_year", False),
                  unit=values.get("unit", ""), unit_en=values.get("unit_en", ""), description=values.get("description", ""),
                  description_en=values.get("description_en", ""))


def target_history(target: Target) -> list[dict]:
    """The acts that set `target`'s values, oldest first: revision, its values of this target (None
    when the act withdrew them) and whether they changed with it."""
    rows, last = [], None
    for rev in target.phase.revisions.select_related("document", "by"):
        if rev.action == TargetRevision.Action.UNPUBLISH:
            rows.append({"revision": rev, "values": None, "changed": False})
            continue
        values = rev.values.get(target.code)
        if values is None:
            continue
        rows.append({"revision": rev, "values": values, "changed": values != last, "plan": _as_target(values)})
        last = values
    return rows


def text_search(model, q: str):
    """A register's text search: title and notes (case-insensitive, every word must match)."""
    fields = ["title", "notes"]
    cond = Q()
    for word in q.split():
        any_field = Q()
        for f in fields:
            any_field |= Q(**{f"{f}__icontains": word})
        cond &= any_field
    return cond
